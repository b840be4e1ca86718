using System.Collections.Concurrent;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Gatehouse.Server.Features.Events;
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
    private readonly HttpLoad _load = new(server, concurrency);

    public async Task RunAsync()
    {
        output.WriteLine(UnlockScene.Heading("Cloud Key unlock", concurrency, duration, warmUp, server));
        var scene = await UnlockScene.NewAsync(server, "Cloud Key load");
        var (organization, building, userId) = scene;
        var doorId = scene.DoorId;
        var keyId = await organization.Owner.PostCreatedIdAsync($"/api/v1/users/{userId}/credentials/cloud-keys", new
        {
            sendEmail = true,
            validUntil = TimeProvider.System.GetUtcNow().AddDays(1),
            oneTimeUse = false,
        });
        var (token, pin) = await ReceivedAsync(organization.Id, keyId);

        await using var fleet = await Fleet.StartAsync(server, organization, building, UnlockScene.SetupTimeout);
        var agent = fleet.Agents[0];
        var carriedOut = new CarriedOutUnlocks(agent);

        using var decisions = _load.NewClient(organization.Owner.DefaultRequestHeaders.Authorization);
        using var unlocks = _load.NewClient(null);
        var decisionBody = scene.DecisionBody;
        var unlockBody = Encoding.UTF8.GetBytes(JsonSerializer.Serialize(new { doorId, pin }));
        var unlockUrl = $"/api/v1/public/cloud-keys/{token}/unlock";

        // One of each, checked for what it answers, before anything is timed.
        await HttpLoad.ExpectGrantedAsync(decisions, UnlockScene.DecisionsUrl, decisionBody, "granted");
        await HttpLoad.ExpectGrantedAsync(unlocks, unlockUrl, unlockBody, "unlocked");

        // Warm-up of both, then the measured runs: the baseline, the unlock, and the baseline again.
        await _load.PostAsync(decisions, UnlockScene.DecisionsUrl, decisionBody, warmUp, null);
        await _load.PostAsync(unlocks, unlockUrl, unlockBody, warmUp, null);
        var decisionRun = await _load.PostAsync(decisions, UnlockScene.DecisionsUrl, decisionBody, duration, null);
        var answered = new ConcurrentBag<Guid>();
        var unlockRun = await _load.PostAsync(unlocks, unlockUrl, unlockBody, duration, answered);
        var decisionAgain = await _load.PostAsync(decisions, UnlockScene.DecisionsUrl, decisionBody, duration, null);
        await RunEventWritesAsync(organization.Id, doorId, userId, warmUp);
        var writes = await RunEventWritesAsync(organization.Id, doorId, userId, duration);

        // The measured unlocks the device carried out: each answered event ID it reported back and the server acknowledged.
        var reported = await carriedOut.CountAsync(answered, UnlockScene.DrainTimeout);
        var stored = await server.InOrganizationAsync(organization.Id, (db, _) =>
            db.AccessEvents.CountAsync(e => e.Source == AccessEventSource.CloudKey && e.Granted));

        output.WriteLine();
        output.WriteLine(LoadRun.Header);
        output.WriteLine(decisionRun.Row("`POST /api/v1/access/decisions` (baseline)"));
        output.WriteLine(unlockRun.Row("`POST /api/v1/public/cloud-keys/{token}/unlock`"));
        output.WriteLine(decisionAgain.Row("`POST /api/v1/access/decisions` (baseline, again after)"));
        output.WriteLine(writes.Row("The unlock's write alone: `AccessEventWriter` stores one event, in process, no HTTP"));
        output.WriteLine();
        foreach (var line in UnlockScene.Ratios(unlockRun, decisionRun, decisionAgain))
        {
            output.WriteLine(line);
        }

        output.WriteLine($"Ratio of unlock requests/s to the event writes' alone: {Samples.Ratio(unlockRun.PerSecond, writes.PerSecond)}.");
        output.WriteLine(CarriedOutUnlocks.Sentence("200 `unlocked`", answered.Count, reported));
        output.WriteLine(
            $"Granted Cloud Key access events stored (check, warm-up and measured runs): {stored}; the device's event queue holds {agent.Events.Count} unsent, dropped {agent.Events.Dropped}.");
        output.WriteLine();
    }

    /// <summary>
    /// The unlock's one write alone: a fresh scope, as a request has, storing one new granted access event for the
    /// door through <see cref="AccessEventWriter"/> (the same writer and the same check for an already stored ID).
    /// </summary>
    private Task<LoadRun> RunEventWritesAsync(Guid organizationId, Guid doorId, Guid userId, TimeSpan length) =>
        _load.RunAsync(length, _ => server.InOrganizationAsync(organizationId, (_, services) =>
            services.GetRequiredService<AccessEventWriter>().AppendAsync(new AccessEvent
            {
                Id = Guid.CreateVersion7(),
                OrganizationId = organizationId,
                OccurredAt = TimeProvider.System.GetUtcNow(),
                DoorId = doorId,
                DoorName = "Door 001",
                UserId = userId,
                UserName = UnlockScene.UserName,
                Granted = true,
                Reason = Gatehouse.Core.Decisions.AccessReason.Granted,
                Source = AccessEventSource.RemoteUnlock,
            }, CancellationToken.None)));

    /// <summary>The key's link token and PIN, read from the message queued for the user, as the user would read them.</summary>
    private async Task<(string Token, string Pin)> ReceivedAsync(Guid organizationId, Guid credentialId)
    {
        var text = await server.EmailTextAsync(organizationId, credentialId);
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
}
