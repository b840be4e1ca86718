using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;

namespace Gatehouse.DeviceLoad;

/// <summary>
/// Closed-loop HTTP load against the hosted server, the same way for every request a measurement compares: each
/// client with its own pool of up to <see cref="Concurrency"/> kept-open connections, and <see cref="Concurrency"/>
/// workers each starting its next operation when its last one has ended, for a set time.
/// </summary>
internal sealed class HttpLoad(LoadServer server, int concurrency)
{
    public int Concurrency { get; } = concurrency;

    /// <summary>A client with its own pool of up to <see cref="Concurrency"/> connections, kept open.</summary>
    public HttpClient NewClient(AuthenticationHeaderValue? authorization)
    {
        var handler = new SocketsHttpHandler
        {
            MaxConnectionsPerServer = Concurrency,
            PooledConnectionLifetime = Timeout.InfiniteTimeSpan,
            UseCookies = false,
        };
        var client = new HttpClient(handler) { BaseAddress = new Uri(server.BaseUrl), Timeout = TimeSpan.FromSeconds(30) };
        client.DefaultRequestHeaders.Authorization = authorization;
        return client;
    }

    /// <summary>A JSON POST of an already serialized body.</summary>
    public static HttpRequestMessage Post(string url, byte[]? body)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, url);
        if (body is not null)
        {
            request.Content = new ByteArrayContent(body);
            request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        }

        return request;
    }

    /// <summary>Sends one POST and throws unless it answers 200 with <paramref name="property"/> true.</summary>
    public static async Task ExpectGrantedAsync(HttpClient client, string url, byte[] body, string property)
    {
        using var response = await client.SendAsync(Post(url, body));
        await response.ExpectStatusAsync(HttpStatusCode.OK);
        var answer = await response.Content.ReadFromJsonAsync<JsonElement>();
        if (!answer.TryGetProperty(property, out var value) || value.ValueKind != JsonValueKind.True)
        {
            throw new InvalidOperationException($"POST {url} did not answer {property}: {answer}");
        }
    }

    /// <summary>
    /// The same POST from every worker until <paramref name="length"/> has passed; the answers of successful
    /// unlocks add their event IDs to <paramref name="eventIds"/>.
    /// </summary>
    public Task<LoadRun> PostAsync(HttpClient client, string url, byte[] body, TimeSpan length, ConcurrentBag<Guid>? eventIds) =>
        RunAsync(length, async _ =>
        {
            using var response = await client.SendAsync(Post(url, body));
            var payload = await response.Content.ReadAsByteArrayAsync();
            if (!response.IsSuccessStatusCode)
            {
                return false;
            }

            eventIds?.Add(EventId(payload));
            return true;
        });

    /// <summary>The <c>eventId</c> an unlock answers with: the command's ID, under which the device reports it.</summary>
    public static Guid EventId(byte[] payload)
    {
        using var answer = JsonDocument.Parse(payload);
        return answer.RootElement.GetProperty("eventId").GetGuid();
    }

    /// <summary>
    /// <see cref="Concurrency"/> workers, each running <paramref name="operation"/> (given its worker's number, for
    /// samples of its own) again as soon as it ends, until <paramref name="length"/> has passed.
    /// </summary>
    public async Task<LoadRun> RunAsync(TimeSpan length, Func<int, Task<bool>> operation)
    {
        var latencies = new Samples[Concurrency];
        var failures = 0;
        var start = Stopwatch.GetTimestamp();
        var end = start + (long)(length.TotalSeconds * Stopwatch.Frequency);
        await Task.WhenAll(Enumerable.Range(0, Concurrency).Select(worker => Task.Run(async () =>
        {
            var samples = latencies[worker] = new Samples("");
            while (Stopwatch.GetTimestamp() < end)
            {
                var sent = Stopwatch.GetTimestamp();
                bool ok;
                try
                {
                    ok = await operation(worker);
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
        return new LoadRun(Samples.Merge(latencies), failures, Stopwatch.GetElapsedTime(start));
    }
}

/// <summary>One measured run: its latencies, the operations that failed, and how long it took.</summary>
internal sealed record LoadRun(Samples Latency, int Failures, TimeSpan Elapsed)
{
    public static string Header =>
        "| Request | Requests | Requests/s | p50 | p90 | p99 | max | Non-2xx or failed |\n|---|---:|---:|---:|---:|---:|---:|---:|";

    public double PerSecond => Latency.Count / Elapsed.TotalSeconds;

    public string Row(string name) =>
        $"| {name} | {Latency.Count.ToString("N0", CultureInfo.InvariantCulture)} | {PerSecond.ToString("N0", CultureInfo.InvariantCulture)} | "
        + $"{Ms(Latency.Percentile(50))} | {Ms(Latency.Percentile(90))} | {Ms(Latency.Percentile(99))} | {Ms(Latency.Max)} | {Failures} |";

    /// <summary>Two decimals: loopback requests take a millisecond or two.</summary>
    private static string Ms(double milliseconds) => milliseconds.ToString("0.00", CultureInfo.InvariantCulture) + " ms";
}

/// <summary>
/// The remote unlocks a device carried out: the agent records each under the command's ID and the server
/// acknowledges it, so an answered unlock's event ID among the acknowledged ones is a door that really opened.
/// </summary>
internal sealed class CarriedOutUnlocks
{
    private readonly ConcurrentDictionary<Guid, byte> _acknowledged = new();

    public CarriedOutUnlocks(LoadAgent agent) =>
        agent.Events.Acknowledged += ids =>
        {
            foreach (var id in ids)
            {
                _acknowledged.TryAdd(id, 0);
            }
        };

    /// <summary>How many of <paramref name="answered"/> the device reported, waiting up to <paramref name="timeout"/> for all of them.</summary>
    public async Task<int> CountAsync(IReadOnlyCollection<Guid> answered, TimeSpan timeout)
    {
        var deadline = Stopwatch.GetTimestamp() + (long)(timeout.TotalSeconds * Stopwatch.Frequency);
        int Reported() => answered.Count(_acknowledged.ContainsKey);
        while (Reported() < answered.Count && Stopwatch.GetTimestamp() < deadline)
        {
            await Task.Delay(50);
        }

        return Reported();
    }

    /// <summary>The report's sentence on them.</summary>
    public static string Sentence(string answeredAs, int answered, int reported) =>
        $"Measured unlocks answered {answeredAs}: {answered}; of those, carried out by the device (its event under the command's ID acknowledged): "
        + $"{reported}{(reported == answered ? "" : " — MISSING " + (answered - reported).ToString(CultureInfo.InvariantCulture))}.";
}
