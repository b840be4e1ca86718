using System.Diagnostics;
using Gatehouse.Core.Cards;
using Gatehouse.Core.Decisions;
using Gatehouse.Core.DeviceProtocol;
using Gatehouse.Server.Features.Credentials;
using Gatehouse.Server.Features.Events;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Gatehouse.DeviceLoad;

/// <summary>
/// Event ingestion: <c>events</c> access events from <c>devices</c> real agents, sent the way agents send them.
/// Each agent is unplugged (its simulated network) and its own durable queue filled with its share, as hours
/// offline would leave it; then all are plugged back at once. The burst is over when every queue is empty:
/// an agent deletes an event only when the server's acknowledgement names it, and the server acknowledges
/// only what it has stored. Afterwards the store must hold exactly the events queued, each once.
///
/// Baseline in the same run: <see cref="AccessEventWriter"/> storing the same events (new IDs, another
/// organization) directly, no MQTT, in batches as large as the gateway can get them (every device's batch in
/// flight at once), each in a fresh scope as the gateway does. Measured before and after the burst.
/// </summary>
internal sealed class EventIngestionBenchmark(LoadServer server, int deviceCount, int events, TextWriter output)
{
    // The agent's default Gatehouse:Device:EventBatchSize: one batch per device is in flight at a time.
    private const int AgentBatchSize = 200;
    private const int WarmUpEventsPerDevice = 50;
    private static readonly TimeSpan BurstTimeout = TimeSpan.FromMinutes(10);

    public async Task RunAsync()
    {
        output.WriteLine($"## Event ingestion — {events:N0} events from {deviceCount} devices, broker: {server.BrokerName}");
        var organization = await server.NewOrganizationAsync("Event load");
        var building = await Api.NewBuildingAsync(organization.Owner, deviceCount);
        var (userId, credentialId) = await Api.NewCardholderAsync(organization.Owner, building, 1, 11572);
        await using var fleet = await Fleet.StartAsync(server, organization, building, TimeSpan.FromMinutes(5));

        // Not counted: a few events from every agent first, so the gateway's path is compiled before the burst, as
        // the writer's is before its baseline.
        var warmUp = new HashSet<Guid>();
        foreach (var agent in fleet.Agents)
        {
            for (var n = 0; n < WarmUpEventsPerDevice; n++)
            {
                var e = Attempt(agent.Engine.Current.Doors[0].Id, n, userId, credentialId);
                warmUp.Add(e.Id);
                agent.Events.Enqueue(e);
            }
        }

        var warmDeadline = Stopwatch.GetTimestamp() + (Stopwatch.Frequency * 60);
        while (fleet.Agents.Any(a => a.Events.Count > 0))
        {
            if (Stopwatch.GetTimestamp() > warmDeadline)
            {
                throw new TimeoutException("The warm-up events were not all acknowledged within a minute.");
            }

            await Task.Delay(20);
        }

        foreach (var agent in fleet.Agents)
        {
            agent.Network.Set(false);
        }

        // Each agent's share, committed to its own queue exactly as a tap at its door would be.
        var perDevice = events / deviceCount;
        var queued = new List<DeviceEvent>[fleet.Agents.Count];
        var filling = Stopwatch.StartNew();
        await Task.WhenAll(fleet.Agents.Select((agent, i) => Task.Run(() =>
        {
            var door = agent.Engine.Current.Doors[0].Id;
            queued[i] = [.. Enumerable.Range(0, perDevice).Select(n => Attempt(door, n, userId, credentialId))];
            foreach (var e in queued[i])
            {
                agent.Events.Enqueue(e);
            }
        })));
        var total = perDevice * fleet.Agents.Count;
        output.WriteLine($"Queued {total:N0} events at the unplugged agents in {filling.Elapsed.TotalSeconds:0.0} s (each committed with an fsync; not measured).");
        if (fleet.Agents.Sum(a => a.Events.Count) != total)
        {
            throw new InvalidOperationException("The agents' queues do not hold every event queued.");
        }

        var batch = deviceCount * AgentBatchSize;
        var baselineOrganization = await server.NewOrganizationAsync("Event baseline");

        // Not counted: the writer's first batches compile its queries and warm the JIT, which the burst's server did
        // while the fleet was set up.
        await StoreDirectlyAsync(baselineOrganization.Id, [queued[0]], batch);
        var before = await StoreDirectlyAsync(baselineOrganization.Id, queued, batch);

        var emptied = new TaskCompletionSource<long>(TaskCreationOptions.RunContinuationsAsynchronously);
        foreach (var agent in fleet.Agents)
        {
            agent.Events.Changed += () =>
            {
                if (fleet.Agents.All(a => a.Events.Count == 0))
                {
                    emptied.TrySetResult(Stopwatch.GetTimestamp());
                }
            };
        }

        var start = Stopwatch.GetTimestamp();
        foreach (var agent in fleet.Agents)
        {
            agent.Network.Set(true);
        }

        var end = await emptied.Task.WaitAsync(BurstTimeout);
        var burst = Stopwatch.GetElapsedTime(start, end);

        var deviceIds = fleet.Agents.Select(a => (Guid?)a.Identity.DeviceId).ToList();
        var storedIds = (await server.InOrganizationAsync(organization.Id, (db, _) =>
            db.AccessEvents.Where(e => deviceIds.Contains(e.DeviceId)).Select(e => e.Id).ToListAsync()))
            .Where(id => !warmUp.Contains(id))
            .ToList();
        var expected = queued.SelectMany(q => q).Select(e => e.Id).ToHashSet();
        var distinct = storedIds.ToHashSet();
        var missing = expected.Count(id => !distinct.Contains(id));
        var extra = distinct.Count(id => !expected.Contains(id));
        output.WriteLine($"Stored: {storedIds.Count:N0} rows, {distinct.Count:N0} distinct IDs; missing {missing}, doubled {storedIds.Count - distinct.Count}, unknown {extra}.");
        if (storedIds.Count != total || distinct.Count != total || missing != 0 || extra != 0)
        {
            throw new InvalidOperationException("Events were lost or doubled.");
        }

        var after = await StoreDirectlyAsync(baselineOrganization.Id, queued, batch);
        var rate = total / burst.TotalSeconds;
        output.WriteLine();
        output.WriteLine("| What | Events | Time | Events/s |");
        output.WriteLine("|---|---:|---:|---:|");
        output.WriteLine($"| Burst through MQTT: plugged in → every queue empty (all stored and acknowledged) | {total:N0} | {burst.TotalSeconds:0.00} s | {rate:N0} |");
        output.WriteLine($"| Baseline before: AccessEventWriter directly, batches of {batch:N0} | {total:N0} | {before.TotalSeconds:0.00} s | {total / before.TotalSeconds:N0} |");
        output.WriteLine($"| Baseline after: AccessEventWriter directly, batches of {batch:N0} | {total:N0} | {after.TotalSeconds:0.00} s | {total / after.TotalSeconds:N0} |");
        output.WriteLine();
        var baselineRate = 2 * total / (before.TotalSeconds + after.TotalSeconds);
        output.WriteLine($"Ratio of the burst's rate to the direct writer's (mean of both): {Samples.Ratio(rate, baselineRate)}.");
        output.WriteLine();
    }

    /// <summary>A card at the door: mostly the enrolled card granted, every tenth an unknown card refused (as the agent records it).</summary>
    private static DeviceEvent Attempt(Guid doorId, int n, Guid userId, Guid credentialId)
    {
        var at = TimeProvider.System.GetUtcNow();
        if (n % 10 != 9)
        {
            return new DeviceEvent(Guid.CreateVersion7(at), at, doorId, "card", true, AccessReason.Granted.ToApiName(), credentialId, userId);
        }

        CardIdentity.TryCreate(CardFormat.H10301, 2, n % 65_536, null, out var unknown, out _);
        return new DeviceEvent(Guid.CreateVersion7(at), at, doorId, "card", false, AccessReason.UnknownCredential.ToApiName(), Card: unknown.ToMaskedString());
    }

    /// <summary>The same events under new IDs, stored by the writer alone; returns the time of the appends only.</summary>
    private async Task<TimeSpan> StoreDirectlyAsync(Guid organizationId, IReadOnlyList<List<DeviceEvent>> queued, int batchSize)
    {
        var received = TimeProvider.System.GetUtcNow();
        var rows = queued.SelectMany(q => q).Select(e => new AccessEvent
        {
            Id = Guid.CreateVersion7(),
            OrganizationId = organizationId,
            OccurredAt = e.OccurredAt,
            DoorId = e.DoorId,
            DoorName = "Door",
            UserId = e.UserId,
            UserName = e.UserId is null ? null : "Card Holder",
            CredentialId = e.CredentialId,
            CredentialType = CredentialType.Card,
            Granted = e.Granted,
            Reason = e.Granted ? AccessReason.Granted : AccessReason.UnknownCredential,
            Source = AccessEventSource.Device,
            DeviceId = Guid.Empty,
            ReceivedAt = received,
        }).ToList();

        var start = Stopwatch.GetTimestamp();
        foreach (var chunk in rows.Chunk(batchSize))
        {
            var stored = await server.InOrganizationAsync(organizationId, (_, services) =>
                services.GetRequiredService<AccessEventWriter>().AppendAsync(chunk, CancellationToken.None));
            if (stored != chunk.Length)
            {
                throw new InvalidOperationException($"The writer stored {stored} of {chunk.Length} new events.");
            }
        }

        return Stopwatch.GetElapsedTime(start);
    }
}
