using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Gatehouse.Server.Data;
using Gatehouse.Server.Features.Events;
using Gatehouse.Server.Features.Messaging;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Gatehouse.DeviceLoad;

/// <summary>
/// Cloud Key unlock throughput over HTTP on loopback: <c>POST /api/v1/public/cloud-keys/{token}/unlock</c>
/// with the right PIN (find the key by its token, check the PIN, the validity and the schedule, send an
/// <c>UnlockCommand</c> to the door's device through the MQTT gateway, write the access event), against the
/// baseline of <c>POST /api/v1/access/decisions</c> for the same user's card at the same door, measured the same
/// way in the same run: the same HTTP client setup, the same number of concurrent workers, each sending its
/// next request when its last one has answered, for the same duration after the same warm-up.
///
/// One real agent is online for the door. Each unlock's answer names its event, which carries the command's ID;
/// the agent records every unlock it carries out as an event under that ID and the server acknowledges it, so
/// the run counts the answered unlocks the device really carried out, and the stored Cloud Key events.
/// </summary>
internal sealed partial class CloudKeyBenchmark(LoadServer server, int concurrency, TimeSpan duration, TimeSpan warmUp, TextWriter output)
{
    private static readonly TimeSpan SetupTimeout = TimeSpan.FromMinutes(2);
    private static readonly TimeSpan DrainTimeout = TimeSpan.FromMinutes(2);

    public async Task RunAsync()
    {
        output.WriteLine(
            $"## Cloud Key unlock — {concurrency} concurrent workers, {duration.TotalSeconds:0} s each after {warmUp.TotalSeconds:0} s of warm-up, broker: {server.BrokerName}");
        var organization = await server.NewOrganizationAsync("Cloud Key load");
        var building = await Api.NewBuildingAsync(organization.Owner, 1);
        var doorId = building.DoorIds[0];
        var userId = await organization.Owner.PostCreatedIdAsync("/api/v1/users", new
        {
            firstName = "Noor",
            lastName = "Haddad",
            email = "noor@example.com",
            status = "active",
            accessGroupIds = new[] { building.AccessGroupId },
        });
        await organization.Owner.PostCreatedIdAsync($"/api/v1/users/{userId}/credentials/cards", new { format = "H10301", facilityCode = 1, cardNumber = 11572 });
        var keyId = await organization.Owner.PostCreatedIdAsync($"/api/v1/users/{userId}/credentials/cloud-keys", new
        {
            sendEmail = true,
            validUntil = TimeProvider.System.GetUtcNow().AddDays(1),
            oneTimeUse = false,
        });
        var (token, pin) = await ReceivedAsync(organization.Id, keyId);

        await using var fleet = await Fleet.StartAsync(server, organization, building, SetupTimeout);
        var agent = fleet.Agents[0];
        var carriedOut = new ConcurrentDictionary<Guid, byte>();
        agent.Events.Acknowledged += ids =>
        {
            foreach (var id in ids)
            {
                carriedOut.TryAdd(id, 0);
            }
        };

        using var decisions = NewClient(organization.Owner.DefaultRequestHeaders.Authorization);
        using var unlocks = NewClient(null);
        var decisionBody = Encoding.UTF8.GetBytes(JsonSerializer.Serialize(new
        {
            doorId,
            card = new { format = "H10301", facilityCode = 1, cardNumber = 11572 },
        }));
        var unlockBody = Encoding.UTF8.GetBytes(JsonSerializer.Serialize(new { doorId, pin }));
        var unlockUrl = $"/api/v1/public/cloud-keys/{token}/unlock";

        // One of each, checked for what it answers, before anything is timed.
        await ExpectGrantedAsync(decisions, "/api/v1/access/decisions", decisionBody, "granted");
        await ExpectGrantedAsync(unlocks, unlockUrl, unlockBody, "unlocked");

        // Warm-up of both, then the measured runs: the baseline, the unlock, and the baseline again.
        await RunLoadAsync(decisions, "/api/v1/access/decisions", decisionBody, warmUp, null);
        await RunLoadAsync(unlocks, unlockUrl, unlockBody, warmUp, null);
        var decisionRun = await RunLoadAsync(decisions, "/api/v1/access/decisions", decisionBody, duration, null);
        var answered = new ConcurrentBag<Guid>();
        var unlockRun = await RunLoadAsync(unlocks, unlockUrl, unlockBody, duration, answered);
        var decisionAgain = await RunLoadAsync(decisions, "/api/v1/access/decisions", decisionBody, duration, null);
        await RunEventWritesAsync(organization.Id, doorId, userId, warmUp);
        var writes = await RunEventWritesAsync(organization.Id, doorId, userId, duration);

        // The measured unlocks the device carried out: each answered event ID it reported back and the server acknowledged.
        var deadline = Stopwatch.GetTimestamp() + (long)(DrainTimeout.TotalSeconds * Stopwatch.Frequency);
        int Reported() => answered.Count(carriedOut.ContainsKey);
        while (Reported() < answered.Count && Stopwatch.GetTimestamp() < deadline)
        {
            await Task.Delay(50);
        }

        var reported = Reported();
        var stored = await server.InOrganizationAsync(organization.Id, (db, _) =>
            db.AccessEvents.CountAsync(e => e.Source == AccessEventSource.CloudKey && e.Granted));

        output.WriteLine();
        output.WriteLine("| Request | Requests | Requests/s | p50 | p90 | p99 | max | Non-2xx or failed |");
        output.WriteLine("|---|---:|---:|---:|---:|---:|---:|---:|");
        output.WriteLine(decisionRun.Row("`POST /api/v1/access/decisions` (baseline)"));
        output.WriteLine(unlockRun.Row("`POST /api/v1/public/cloud-keys/{token}/unlock`"));
        output.WriteLine(decisionAgain.Row("`POST /api/v1/access/decisions` (baseline, again after)"));
        output.WriteLine(writes.Row("The unlock's write alone: `AccessEventWriter` stores one event, in process, no HTTP"));
        output.WriteLine();
        var baseline = (decisionRun.PerSecond + decisionAgain.PerSecond) / 2;
        output.WriteLine(
            $"Ratio of unlock requests/s to the decisions' (the mean of both baseline runs): **{Samples.Ratio(unlockRun.PerSecond, baseline)}** "
            + $"(to the first run alone {Samples.Ratio(unlockRun.PerSecond, decisionRun.PerSecond)}, to the second {Samples.Ratio(unlockRun.PerSecond, decisionAgain.PerSecond)}).");
        output.WriteLine(
            $"Ratio of unlock p99 to the decisions' p99 (first run): {Samples.Ratio(unlockRun.Latency.Percentile(99), decisionRun.Latency.Percentile(99))}.");
        output.WriteLine($"Ratio of unlock requests/s to the event writes' alone: {Samples.Ratio(unlockRun.PerSecond, writes.PerSecond)}.");
        output.WriteLine(
            $"Measured unlocks answered 200 `unlocked`: {answered.Count}; of those, carried out by the device (its event under the command's ID acknowledged): "
            + $"{reported}{(reported == answered.Count ? "" : " — MISSING " + (answered.Count - reported).ToString(CultureInfo.InvariantCulture))}.");
        output.WriteLine(
            $"Granted Cloud Key access events stored (check, warm-up and measured runs): {stored}; the device's event queue holds {agent.Events.Count} unsent, dropped {agent.Events.Dropped}.");
        output.WriteLine();
    }

    /// <summary>Each run's client: its own pool of up to <see cref="concurrency"/> connections, kept open.</summary>
    private HttpClient NewClient(AuthenticationHeaderValue? authorization)
    {
        var handler = new SocketsHttpHandler
        {
            MaxConnectionsPerServer = concurrency,
            PooledConnectionLifetime = Timeout.InfiniteTimeSpan,
            UseCookies = false,
        };
        var client = new HttpClient(handler) { BaseAddress = new Uri(server.BaseUrl), Timeout = TimeSpan.FromSeconds(30) };
        client.DefaultRequestHeaders.Authorization = authorization;
        return client;
    }

    private static async Task ExpectGrantedAsync(HttpClient client, string url, byte[] body, string property)
    {
        using var response = await client.SendAsync(Request(url, body));
        await response.ExpectStatusAsync(HttpStatusCode.OK);
        var answer = await response.Content.ReadFromJsonAsync<JsonElement>();
        if (!answer.TryGetProperty(property, out var value) || value.ValueKind != JsonValueKind.True)
        {
            throw new InvalidOperationException($"POST {url} did not answer {property}: {answer}");
        }
    }

    private static HttpRequestMessage Request(string url, byte[] body)
    {
        var content = new ByteArrayContent(body);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        return new HttpRequestMessage(HttpMethod.Post, url) { Content = content };
    }

    /// <summary>
    /// <see cref="concurrency"/> workers, each sending its next request as soon as its last one answered, until
    /// <paramref name="length"/> has passed; the answers of successful unlocks add their event IDs to <paramref name="eventIds"/>.
    /// </summary>
    private Task<LoadRun> RunLoadAsync(HttpClient client, string url, byte[] body, TimeSpan length, ConcurrentBag<Guid>? eventIds) =>
        RunWorkersAsync(length, async () =>
        {
            using var response = await client.SendAsync(Request(url, body));
            var payload = await response.Content.ReadAsByteArrayAsync();
            if (!response.IsSuccessStatusCode)
            {
                return false;
            }

            if (eventIds is not null)
            {
                using var answer = JsonDocument.Parse(payload);
                eventIds.Add(answer.RootElement.GetProperty("eventId").GetGuid());
            }

            return true;
        });

    /// <summary><see cref="concurrency"/> workers, each running <paramref name="operation"/> again as soon as it ends, until <paramref name="length"/> has passed.</summary>
    private async Task<LoadRun> RunWorkersAsync(TimeSpan length, Func<Task<bool>> operation)
    {
        var latencies = new Samples[concurrency];
        var failures = 0;
        var start = Stopwatch.GetTimestamp();
        var end = start + (long)(length.TotalSeconds * Stopwatch.Frequency);
        await Task.WhenAll(Enumerable.Range(0, concurrency).Select(worker => Task.Run(async () =>
        {
            var samples = latencies[worker] = new Samples("");
            while (Stopwatch.GetTimestamp() < end)
            {
                var sent = Stopwatch.GetTimestamp();
                bool ok;
                try
                {
                    ok = await operation();
                }
                catch (HttpRequestException)
                {
                    ok = false;
                }

                samples.AddElapsed(sent, Stopwatch.GetTimestamp());
                if (!ok)
                {
                    Interlocked.Increment(ref failures);
                }
            }
        })));
        var elapsed = Stopwatch.GetElapsedTime(start);
        var all = new Samples("");
        foreach (var samples in latencies)
        {
            foreach (var value in samples.Values)
            {
                all.Add(value);
            }
        }

        return new LoadRun(all, failures, elapsed);
    }

    /// <summary>
    /// The unlock's one write alone: a fresh scope, as a request has, storing one new granted access event for the
    /// door through <see cref="AccessEventWriter"/> (the same writer and the same check for an already stored ID).
    /// </summary>
    private Task<LoadRun> RunEventWritesAsync(Guid organizationId, Guid doorId, Guid userId, TimeSpan length) =>
        RunWorkersAsync(length, () => server.InOrganizationAsync(organizationId, (_, services) =>
            services.GetRequiredService<AccessEventWriter>().AppendAsync(new AccessEvent
            {
                Id = Guid.CreateVersion7(),
                OrganizationId = organizationId,
                OccurredAt = TimeProvider.System.GetUtcNow(),
                DoorId = doorId,
                DoorName = "Door 001",
                UserId = userId,
                UserName = "Noor Haddad",
                Granted = true,
                Reason = Gatehouse.Core.Decisions.AccessReason.Granted,
                Source = AccessEventSource.RemoteUnlock,
            }, CancellationToken.None)));

    /// <summary>The key's link token and PIN, read from the message queued for the user, as the user would read them.</summary>
    private async Task<(string Token, string Pin)> ReceivedAsync(Guid organizationId, Guid credentialId)
    {
        var text = await server.InOrganizationAsync(organizationId, async (db, services) =>
        {
            var protector = services.GetRequiredService<OutboxContentProtector>();
            var message = await db.OutboxMessages.IgnoreQueryFilters().AsNoTracking()
                .Where(m => m.CredentialId == credentialId && m.Channel == MessageChannel.Email)
                .OrderByDescending(m => m.CreatedAt).ThenByDescending(m => m.Id).FirstAsync();
            return protector.Unprotect(message.ProtectedContent!).Text;
        });
        var link = LinkPattern().Match(text);
        var pin = PinPattern().Match(text);
        if (!link.Success || !pin.Success)
        {
            throw new InvalidOperationException("The Cloud Key's message has no link or no PIN.");
        }

        return (link.Groups[1].Value, pin.Groups[1].Value);
    }

    [GeneratedRegex(@"https?://\S+/k/([A-Za-z0-9_-]{43})")]
    private static partial Regex LinkPattern();

    [GeneratedRegex(@"PIN:?\s+(\d{6})")]
    private static partial Regex PinPattern();

    private sealed record LoadRun(Samples Latency, int Failures, TimeSpan Elapsed)
    {
        public double PerSecond => Latency.Count / Elapsed.TotalSeconds;

        public string Row(string name) =>
            $"| {name} | {Latency.Count.ToString("N0", CultureInfo.InvariantCulture)} | {PerSecond.ToString("N0", CultureInfo.InvariantCulture)} | "
            + $"{Ms(Latency.Percentile(50))} | {Ms(Latency.Percentile(90))} | {Ms(Latency.Percentile(99))} | {Ms(Latency.Max)} | {Failures} |";

        /// <summary>Two decimals: loopback requests take a millisecond or two.</summary>
        private static string Ms(double milliseconds) => milliseconds.ToString("0.00", CultureInfo.InvariantCulture) + " ms";
    }
}
