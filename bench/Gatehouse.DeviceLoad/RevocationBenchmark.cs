using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Gatehouse.Core;
using Gatehouse.Core.Decisions;
using Gatehouse.Core.DeviceProtocol;
using Gatehouse.Server.Features.Devices.Gateway;
using Microsoft.Extensions.DependencyInjection;
using MQTTnet;
using MQTTnet.Protocol;

namespace Gatehouse.DeviceLoad;

/// <summary>
/// Revocation latency: from the API call that suspends (PATCH) or deletes (DELETE) a credential (a card, a face or
/// a phone: <see cref="RevokedCredential"/>) to the moment every connected device refuses it. Each agent's decision
/// engine raises <see cref="Gatehouse.Device.Sync.AccessEngine.Changed"/> after each applied sync; the hook asks
/// about the revoked credential once, in process, at that moment — one decision per applied sync, no polling. Revocations run
/// one after another, each once the previous one has settled (every device's new version reported back to the
/// server), as revocations by a person would.
///
/// Baseline in the same run: the transport alone — the server's own MQTT client publishing a delta of the same
/// size to each device's sync topic (QoS 1, one after another, as the gateway does), received by a plain MQTT
/// subscriber per device logged in with that device's credentials, on the same broker.
/// </summary>
internal sealed class RevocationBenchmark(LoadServer server, int deviceCount, int revocations, int warmUp, TextWriter output, RevokedKind kind = RevokedKind.Card)
{
    private static readonly TimeSpan RoundTimeout = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan SetupTimeout = TimeSpan.FromMinutes(5);

    private Round? _round;

    public async Task RunAsync()
    {
        output.WriteLine($"## Revocation latency — {deviceCount} devices, {revocations} revocations (+{warmUp} warm-up) of {RevokedCredential.Plural(kind)}, broker: {server.BrokerName}");
        var organization = await server.NewOrganizationAsync("Revocation load");
        var building = await Api.NewBuildingAsync(organization.Owner, deviceCount);

        // One credential per revocation, each its own user's, all opening every door; and one card that stays.
        var setup = Stopwatch.StartNew();
        var holders = new List<RevokedCredential>();
        try
        {
            for (var i = 0; i < warmUp + revocations; i++)
            {
                holders.Add(await RevokedCredential.NewAsync(kind, server, organization, building, i));
            }

            output.WriteLine($"{holders.Count} holders of {RevokedCredential.Plural(kind)} set up through the API in {setup.Elapsed.TotalSeconds:0.0} s.");
            await RunAsync(organization, building, holders);
        }
        finally
        {
            foreach (var holder in holders)
            {
                holder.Dispose();
            }
        }
    }

    private async Task RunAsync(Organization organization, Building building, List<RevokedCredential> holders)
    {
        await Api.NewCardholderAsync(organization.Owner, building, 2, 1);
        var keeper = LoadAgent.Card(2, 1);

        var setup = Stopwatch.StartNew();
        await using var fleet = await Fleet.StartAsync(server, organization, building, SetupTimeout);
        output.WriteLine($"{deviceCount} agents claimed, synced and reported back in {setup.Elapsed.TotalSeconds:0.0} s.");
        foreach (var agent in fleet.Agents)
        {
            if (!agent.Decide(keeper, TimeProvider.System).Granted || holders.Any(h => !h.HeldBy(agent)))
            {
                throw new InvalidOperationException($"Device {agent.Identity.DeviceId} does not grant every credential before the revocations.");
            }
        }

        // Each credential shown once at one of the doors as a person would show it, before anything is timed.
        for (var i = 0; i < holders.Count; i++)
        {
            if (holders[i].Refusal(fleet.Agents[i % fleet.Agents.Count]) is { } refusal)
            {
                throw new InvalidOperationException($"A device refuses a credential before the revocations: {refusal}.");
            }
        }

        await fleet.WaitEventsSentAsync(SetupTimeout);

        for (var i = 0; i < fleet.Agents.Count; i++)
        {
            var index = i;
            var agent = fleet.Agents[i];
            agent.Engine.Changed += () => OnViewChanged(agent, index);
        }

        var all = new Samples("API call → all devices refuse");
        var first = new Samples("API call → first device refuses");
        var perDevice = new Samples("API call → one device refuses (each device)");
        var decision = new Samples("… of which the device's refusing decision at the hook (each device)");
        var api = new Samples("API call → its answer (baseline: the REST round trip)");
        var settled = new Samples("API call → the server has every device's new version (polled, 20 ms)");
        var suspended = new Samples("… of which suspensions (PATCH): all refuse");
        var deleted = new Samples("… of which deletions (DELETE): all refuse");
        var reasons = new SortedDictionary<string, int>(StringComparer.Ordinal);
        for (var i = 0; i < holders.Count; i++)
        {
            var measured = i >= warmUp;
            var suspend = i % 2 == 0;
            var credentialId = holders[i].CredentialId;
            var round = new Round(fleet.Agents.Count, holders[i]);
            Volatile.Write(ref _round, round);

            var start = Stopwatch.GetTimestamp();
            using (var response = suspend
                ? await organization.Owner.PatchAsync($"/api/v1/credentials/{credentialId}", JsonContent.Create(new { status = "suspended" }))
                : await organization.Owner.DeleteAsync($"/api/v1/credentials/{credentialId}"))
            {
                var answered = Stopwatch.GetTimestamp();
                await response.ExpectStatusAsync(suspend ? HttpStatusCode.OK : HttpStatusCode.NoContent);
                if (measured)
                {
                    api.AddElapsed(start, answered);
                }
            }

            var last = await round.AllRefused.Task.WaitAsync(RoundTimeout);
            Volatile.Write(ref _round, null);
            if (measured)
            {
                all.AddElapsed(start, last);
                (suspend ? suspended : deleted).AddElapsed(start, last);
                first.AddElapsed(start, round.RefusedAt.Min());
                for (var d = 0; d < round.RefusedAt.Length; d++)
                {
                    perDevice.AddElapsed(start, round.RefusedAt[d]);
                    decision.AddElapsed(round.AskedAt[d], round.RefusedAt[d]);
                }

                foreach (var reason in round.Reasons)
                {
                    reasons[reason!] = reasons.GetValueOrDefault(reason!) + 1;
                }
            }

            if (!fleet.Agents[i % fleet.Agents.Count].Decide(keeper, TimeProvider.System).Granted)
            {
                throw new InvalidOperationException("A card that was never revoked is refused.");
            }

            // Each device reports its new version, and the server records it, before the next revocation starts.
            await fleet.WaitSettledAsync(organization, SetupTimeout);
            if (measured)
            {
                settled.AddElapsed(start, Stopwatch.GetTimestamp());
            }

            // A phone's code at a door is an event too; they are sent before the next revocation starts.
            await fleet.WaitEventsSentAsync(SetupTimeout);
        }

        var identities = fleet.Agents.Select(a => a.Identity).ToList();
        await fleet.DisposeAsync();
        var fanOut = await MeasureFanOutAsync(identities, revocations, warmUp);
        var alone = await MeasureOneAgentAsync(organization.Id, building.DoorIds[0], revocations, warmUp);

        output.WriteLine();
        output.WriteLine(Samples.Header);
        foreach (var samples in (Samples[])[all, suspended, deleted, first, perDevice, decision, api, fanOut, alone, settled])
        {
            output.WriteLine(samples.Row());
        }

        output.WriteLine();
        output.WriteLine($"Reasons the devices gave (measured revocations, one per device each): {string.Join(", ", reasons.Select(r => $"{r.Key} {r.Value}"))}.");
        output.WriteLine($"p99 of all devices refusing: {Samples.Ms(all.Percentile(99))} (target ≤ 500 ms: {(all.Percentile(99) <= 500 ? "met" : "MISSED")}).");
        output.WriteLine($"Ratio of p50 to the REST round trip's p50: {Samples.Ratio(all.Percentile(50), api.Percentile(50))}; to the plain fan-out's p50: {Samples.Ratio(all.Percentile(50), fanOut.Percentile(50))}.");
        output.WriteLine(
            $"{deviceCount} agents share this machine's {Environment.ProcessorCount} cores with the server: one delta at every agent is about "
            + $"{Samples.Ms(alone.Percentile(50) * deviceCount / Environment.ProcessorCount)} of work per core at the median cost of one.");
        output.WriteLine($"Ratio of p99 to the REST round trip's p99: {Samples.Ratio(all.Percentile(99), api.Percentile(99))}; to the plain fan-out's p99: {Samples.Ratio(all.Percentile(99), fanOut.Percentile(99))}.");
        output.WriteLine();
    }

    private void OnViewChanged(LoadAgent agent, int index)
    {
        if (Volatile.Read(ref _round) is not { Credential: { } credential } round || round.RefusedAt[index] != 0)
        {
            return;
        }

        // Runs on the agent's message loop right after the new view is in place: this is when the door refuses.
        var asked = Stopwatch.GetTimestamp();
        if (credential.Refusal(agent) is { } reason)
        {
            round.Refused(index, Stopwatch.GetTimestamp(), reason, asked);
        }
    }

    /// <summary>
    /// The transport floor of one revocation: a delta-sized message to each device's sync topic from the server's
    /// client, timed until the last of the devices' subscribers (logged in as the devices, agents stopped) has it.
    /// </summary>
    private async Task<Samples> MeasureFanOutAsync(List<Gatehouse.Device.Mqtt.DeviceIdentity> devices, int rounds, int warmUpRounds)
    {
        var samples = new Samples($"Baseline: plain MQTT fan-out of one delta to {devices.Count} subscribers");
        var gateway = server.Services.GetRequiredService<GatewayConnection>();
        var payload = JsonSerializer.SerializeToUtf8Bytes(
            new SyncMessage(SyncKind.Delta, 2, 1, 0, 1, new SyncData(Credentials: [new SyncCredential(Guid.NewGuid(), Guid.NewGuid(), "card", true, Card: "H10301:1:1000")])),
            DeviceProtocolJson.Default.SyncMessage);

        Round? current = null;
        var subscribers = new List<IMqttClient>();
        try
        {
            for (var i = 0; i < devices.Count; i++)
            {
                var device = devices[i];
                var index = i;
                var client = new MqttClientFactory().CreateMqttClient();
                client.ApplicationMessageReceivedAsync += _ =>
                {
                    if (Volatile.Read(ref current) is { } round && round.RefusedAt[index] == 0)
                    {
                        round.Refused(index, Stopwatch.GetTimestamp());
                    }

                    return Task.CompletedTask;
                };
                var options = new MqttClientOptionsBuilder()
                    .WithTcpServer(device.Broker.Host, device.Broker.Port)
                    .WithProtocolVersion(MQTTnet.Formatter.MqttProtocolVersion.V500)
                    .WithClientId(device.DeviceId.ToString("D"))
                    .WithCredentials(device.MqttUsername, device.MqttPassword)
                    .WithCleanStart(true)
                    .Build();
                var connected = await client.ConnectAsync(options);
                if (connected.ResultCode != MqttClientConnectResultCode.Success)
                {
                    throw new InvalidOperationException($"The broker refused device {device.DeviceId}'s subscriber: {connected.ResultCode}.");
                }

                subscribers.Add(client);
                await client.SubscribeAsync(new MqttClientSubscribeOptionsBuilder()
                    .WithTopicFilter(device.Topic(DeviceTopics.Sync), MqttQualityOfServiceLevel.AtLeastOnce)
                    .Build());
            }

            for (var i = 0; i < warmUpRounds + rounds; i++)
            {
                var round = new Round(devices.Count);
                Volatile.Write(ref current, round);
                var start = Stopwatch.GetTimestamp();
                foreach (var device in devices)
                {
                    if (!await gateway.PublishAsync(device.Topic(DeviceTopics.Sync), payload, CancellationToken.None))
                    {
                        throw new InvalidOperationException("The server's MQTT client could not publish.");
                    }
                }

                var last = await round.AllRefused.Task.WaitAsync(RoundTimeout);
                if (i >= warmUpRounds)
                {
                    samples.AddElapsed(start, last);
                }
            }
        }
        finally
        {
            foreach (var client in subscribers)
            {
                await client.DisconnectAsync();
                client.Dispose();
            }
        }

        return samples;
    }

    /// <summary>
    /// What one device does with a revocation, alone: an agent's store holding what a device of this building holds
    /// applies a delta that suspends or restores one card (parse, store transaction, compile), with no MQTT and no
    /// other agent competing for the cores.
    /// </summary>
    private async Task<Samples> MeasureOneAgentAsync(Guid organizationId, Guid doorId, int rounds, int warmUpRounds)
    {
        var samples = new Samples("One agent alone: parse and apply a delta of one card (store + compile), no MQTT");
        var payloads = await DetachedAgentStore.SnapshotPayloadsAsync(server, organizationId, doorId);
        var parts = payloads.Select(p => JsonSerializer.Deserialize(p, DeviceProtocolJson.Default.SyncMessage)!).ToList();
        using var agent = new DetachedAgentStore();
        foreach (var part in parts)
        {
            agent.Applier.Handle(part);
        }

        var cards = parts.SelectMany(p => p.Data.Credentials ?? []).ToList();
        for (var i = 0; i < warmUpRounds + rounds; i++)
        {
            var version = agent.Applier.Version;
            var card = cards[i / 2 % cards.Count];
            var delta = JsonSerializer.SerializeToUtf8Bytes(
                new SyncMessage(SyncKind.Delta, version + 1, version, 0, 1, new SyncData(Credentials: [card with { Suspended = i % 2 == 0 }])),
                DeviceProtocolJson.Default.SyncMessage);
            var start = Stopwatch.GetTimestamp();
            var result = agent.Applier.Handle(JsonSerializer.Deserialize(delta, DeviceProtocolJson.Default.SyncMessage)!);
            var end = Stopwatch.GetTimestamp();
            if (result.Outcome != Gatehouse.Device.Sync.SyncOutcome.Applied)
            {
                throw new InvalidOperationException($"A detached agent did not apply a delta: {result.Outcome}.");
            }

            if (i >= warmUpRounds)
            {
                samples.AddElapsed(start, end);
            }
        }

        return samples;
    }

    /// <summary>
    /// One revocation of <paramref name="credential"/> (or one fan-out, without one): when each device refused (a
    /// <see cref="Stopwatch"/> timestamp, 0 = not yet), and the reason it gave.
    /// </summary>
    private sealed class Round(int devices, RevokedCredential? credential = null)
    {
        private int _waiting = devices;

        public RevokedCredential? Credential { get; } = credential;

        public long[] RefusedAt { get; } = new long[devices];

        public string?[] Reasons { get; } = new string?[devices];

        /// <summary>When each device was asked the question it refused (its decision's share of <see cref="RefusedAt"/>).</summary>
        public long[] AskedAt { get; } = new long[devices];

        /// <summary>Completes with the timestamp of the last device.</summary>
        public TaskCompletionSource<long> AllRefused { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public void Refused(int index, long timestamp, string? reason = null, long askedAt = 0)
        {
            if (Interlocked.CompareExchange(ref RefusedAt[index], timestamp, 0) == 0)
            {
                Reasons[index] = reason;
                AskedAt[index] = askedAt;
                if (Interlocked.Decrement(ref _waiting) == 0)
                {
                    AllRefused.TrySetResult(timestamp);
                }
            }
        }
    }
}
