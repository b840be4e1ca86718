using System.Diagnostics;
using System.Text.Json;
using Gatehouse.Core;
using Gatehouse.Core.Cards;
using Gatehouse.Core.Decisions;
using Gatehouse.Core.DeviceProtocol;
using Gatehouse.Device.Sync;
using Gatehouse.Server.Features.Credentials;
using Gatehouse.Server.Features.Decisions;
using Gatehouse.Server.Features.Users;
using Microsoft.Extensions.DependencyInjection;

namespace Gatehouse.DeviceLoad;

/// <summary>
/// A full snapshot of <c>credentials</c> card holders delivered to a new device and applied: from the claimed
/// agent's start (it connects, reports itself, asks for its snapshot; the server reads the organization, builds
/// the device's view and publishes it in parts; the agent collects the parts, writes its SQLite store in one
/// transaction and compiles its decision engine) to the first decision on the new store. Each run is a new
/// device on a door of its own, so every run is a first connect.
///
/// Baselines in the same run, from the same organization: the server loading it and compiling its own
/// <see cref="AccessSnapshot"/> (what the decision API does after a change), the core's build alone from the
/// loaded source, and, to split the total, the gateway's half (read, view, parts, JSON) and the agent's half
/// (parse, store, compile) each timed alone without MQTT.
/// </summary>
internal sealed class SnapshotBenchmark(LoadServer server, int credentials, int runs, TextWriter output)
{
    private const int SeedChunk = 5_000;
    private const int CardsPerFacility = 50_000;
    private static readonly TimeSpan RunTimeout = TimeSpan.FromMinutes(2);

    public async Task RunAsync()
    {
        output.WriteLine($"## Full snapshot — {credentials:N0} card holders, {runs} runs, broker: {server.BrokerName}");
        var organization = await server.NewOrganizationAsync("Snapshot load");
        var building = await Api.NewBuildingAsync(organization.Owner, runs);
        var seeding = Stopwatch.StartNew();
        await SeedAsync(organization.Id, building.AccessGroupId);
        output.WriteLine($"Seeded {credentials:N0} users with one card each in {seeding.Elapsed.TotalSeconds:0.0} s (not measured).");

        var serverLoad = new Samples("Baseline: server loads the organization and builds its AccessSnapshot");
        var coreBuild = new Samples("Baseline: core AccessSnapshot.Build from the loaded source (in memory)");
        var split = new Split(
            new Samples("Split, server: read the organization for sync"),
            new Samples("Split, server: the device's view, its parts, their JSON"),
            new Samples("Split, agent: parse the parts' JSON"),
            new Samples("Split, agent: write the store in one transaction, compile the engine"));
        var claim = new Samples("Claim (HTTP), before the start; not counted");
        var connect = new Samples("Start → connected to the broker");
        var total = new Samples("Start → snapshot applied and a decision granted");
        long payloadBytes = 0;
        var partCount = 0;

        var random = new Random(4242);
        for (var run = 0; run < runs; run++)
        {
            await MeasureBaselinesAsync(organization.Id, building, serverLoad, coreBuild, split, (bytes, parts) =>
            {
                payloadBytes = bytes;
                partCount = parts;
            });

            var (deviceId, code) = await Api.NewDeviceAsync(organization.Owner, building, building.DoorIds[run], $"Snapshot reader {run + 1}");
            var claimStart = Stopwatch.GetTimestamp();
            await using var agent = await LoadAgent.ClaimAsync(server.BaseUrl, code);
            claim.AddElapsed(claimStart, Stopwatch.GetTimestamp());

            var probe = CardOf(random.Next(credentials));
            var applied = new TaskCompletionSource<long>(TaskCreationOptions.RunContinuationsAsynchronously);
            long connectedAt = 0;
            agent.Connection.ConnectedAsync += _ =>
            {
                Interlocked.CompareExchange(ref connectedAt, Stopwatch.GetTimestamp(), 0);
                return Task.CompletedTask;
            };
            agent.Engine.Changed += () =>
            {
                // On the agent's message loop, right after the new store is in place.
                if (agent.Engine.Current.Version > 0 && agent.Decide(probe, TimeProvider.System).Granted)
                {
                    applied.TrySetResult(Stopwatch.GetTimestamp());
                }
            };

            var start = Stopwatch.GetTimestamp();
            await agent.StartAsync();
            var done = await applied.Task.WaitAsync(RunTimeout);
            connect.AddElapsed(start, connectedAt);
            total.AddElapsed(start, done);

            var view = agent.Engine.Current;
            var refused = Enumerable.Range(0, 1_000).Count(_ => !agent.Decide(CardOf(random.Next(credentials)), TimeProvider.System).Granted);
            if (view.Snapshot.CredentialCount != credentials || refused > 0)
            {
                throw new InvalidOperationException(
                    $"The device holds {view.Snapshot.CredentialCount} credentials (expected {credentials}) and refused {refused} of 1,000 enrolled cards.");
            }

            output.WriteLine($"Run {run + 1}: applied {view.Snapshot.CredentialCount:N0} credentials at version {view.Version} in {Samples.Ms(Stopwatch.GetElapsedTime(start, done).TotalMilliseconds)} after the start.");
            await agent.DisposeAsync();
            if (run < runs - 1)
            {
                // The server stops syncing it; the next run is again the organization's one device.
                using var removed = await organization.Owner.DeleteAsync($"/api/v1/devices/{deviceId}");
                await removed.ExpectStatusAsync(System.Net.HttpStatusCode.NoContent);
            }
        }

        output.WriteLine();
        output.WriteLine($"The snapshot is {partCount} parts, {payloadBytes / 1024.0 / 1024.0:0.0} MiB of JSON in all.");
        output.WriteLine();
        output.WriteLine(Samples.Header);
        foreach (var samples in (Samples[])[total, connect, claim, split.Read, split.View, split.Parse, split.Apply, serverLoad, coreBuild])
        {
            output.WriteLine(samples.Row());
        }

        output.WriteLine();
        output.WriteLine($"Median start → decisions working: {Samples.Ms(total.Percentile(50))}, worst {Samples.Ms(total.Max)} (target ≤ 5 s: {(total.Max <= 5000 ? "met" : "MISSED")}).");
        output.WriteLine($"Ratio of the median to the server's own load-and-build: {Samples.Ratio(total.Percentile(50), serverLoad.Percentile(50))}; to the core's build alone: {Samples.Ratio(total.Percentile(50), coreBuild.Percentile(50))}.");
        output.WriteLine();
    }

    private static CredentialKey CardOf(int index) => LoadAgent.Card(1 + (index / CardsPerFacility), index % CardsPerFacility);

    /// <summary>Users and cards straight into the store (with the audit log, as every save), a chunk per save.</summary>
    private async Task SeedAsync(Guid organizationId, Guid accessGroupId)
    {
        for (var first = 0; first < credentials; first += SeedChunk)
        {
            var last = Math.Min(first + SeedChunk, credentials);
            await server.InOrganizationAsync(organizationId, async (db, services) =>
            {
                var now = TimeProvider.System.GetUtcNow();
                for (var i = first; i < last; i++)
                {
                    var user = new User
                    {
                        FirstName = "Card",
                        LastName = $"Holder {i:000000}",
                        Status = UserStatus.Active,
                        CreatedAt = now,
                        AccessGroups = [new UserAccessGroup { AccessGroupId = accessGroupId }],
                    };
                    if (!CardIdentity.TryCreate(CardFormat.H10301, 1 + (i / CardsPerFacility), i % CardsPerFacility, null, out var card, out _))
                    {
                        throw new InvalidOperationException($"Card {i} is not a valid H10301 card.");
                    }

                    var credential = CardCredential.For(user.Id, card);
                    credential.CreatedAt = now;
                    credential.UpdatedAt = now;
                    db.Users.Add(user);
                    db.Credentials.Add(credential);
                }

                return await db.SaveChangesAsync();
            });
        }
    }

    private async Task MeasureBaselinesAsync(
        Guid organizationId, Building building, Samples serverLoad, Samples coreBuild, Split split, Action<long, int> size)
    {
        var source = await server.InOrganizationAsync(organizationId, async (_, services) =>
        {
            var start = Stopwatch.GetTimestamp();
            var loaded = await services.GetRequiredService<SnapshotSourceLoader>().LoadAsync(CancellationToken.None);
            AccessSnapshot.Build(loaded, TimeProvider.System);
            serverLoad.AddElapsed(start, Stopwatch.GetTimestamp());
            return loaded;
        });

        var built = Stopwatch.GetTimestamp();
        AccessSnapshot.Build(source, TimeProvider.System);
        coreBuild.AddElapsed(built, Stopwatch.GetTimestamp());

        var payloads = await DetachedAgentStore.SnapshotPayloadsAsync(server, organizationId, building.DoorIds[0], (read, view) =>
        {
            split.Read.Add(read.TotalMilliseconds);
            split.View.Add(view.TotalMilliseconds);
        });
        size(payloads.Sum(p => (long)p.Length), payloads.Count);

        using var agent = new DetachedAgentStore();

        // The agent parses each part as it arrives (while later parts are on their way) and applies them all once
        // the last is in; the two are timed apart for that reason.
        var parsing = Stopwatch.GetTimestamp();
        var messages = payloads.Select(p => JsonSerializer.Deserialize(p, DeviceProtocolJson.Default.SyncMessage)!).ToList();
        var parsed = Stopwatch.GetTimestamp();
        SyncResult? result = null;
        foreach (var message in messages)
        {
            result = agent.Applier.Handle(message);
        }

        split.Parse.AddElapsed(parsing, parsed);
        split.Apply.AddElapsed(parsed, Stopwatch.GetTimestamp());
        if (result?.Outcome != SyncOutcome.Applied)
        {
            throw new InvalidOperationException($"The agent's half did not apply the snapshot: {result?.Outcome}.");
        }
    }

    /// <summary>The total taken apart: the server's and the agent's work, each step timed alone without MQTT.</summary>
    private sealed record Split(Samples Read, Samples View, Samples Parse, Samples Apply);
}
