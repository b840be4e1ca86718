using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Gatehouse.Core.DeviceProtocol;
using Gatehouse.Device.Events;
using Gatehouse.Device.Mqtt;
using Gatehouse.Device.Tests.Integration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using MQTTnet;

namespace Gatehouse.Device.Tests.Reliability;

/// <summary>
/// The issue's reliability cases, each against the real server, real agents and a real broker: the server's
/// in-process broker (<see cref="InProcessBrokerReliabilityTests"/>) and a Mosquitto the tests start and
/// restart themselves (<see cref="MosquittoReliabilityTests"/>). Each case is one method here, run by both.
/// </summary>
public abstract class ReliabilityTests(DeviceTestbed testbed)
{
    protected DeviceTestbed Testbed => testbed;

    private GatehouseServer Server => testbed.Server;

    /// <summary>
    /// The server goes away: the door still grants a card in its schedule and denies an unknown card and one
    /// outside its schedule, from its own store; the events queue at the device. Started again on the same
    /// store, the server gets each of them exactly once. With the in-process broker the device is offline
    /// meanwhile; with Mosquitto it stays connected to the broker, which keeps the (resent) batches for the
    /// server's session.
    /// </summary>
    protected async Task ServerStopped()
    {
        var door = await testbed.NewDoorAsync();
        var card = door.Card();
        var unknown = door.UnknownCard();
        var outside = new TestCard(3, door.CardNumber);
        await door.NewCardHolderAsync(await door.NewGroupAsync(ReliabilityKit.ClosedNowWindows()), outside);
        await door.WaitUntilDecidesAsync((outside, "outsideSchedule"));

        await Server.StopAsync();
        List<Guid> queued;
        try
        {
            if (!Server.ExternalBroker)
            {
                await door.Agent.WaitForStateAsync(s => !s.GetProperty("online").GetBoolean(), "offline with the server's broker gone");
            }

            Assert.Equal((true, "granted"), await door.Agent.TapCardAsync(card));
            Assert.Equal((false, "unknownCredential"), await door.Agent.TapCardAsync(unknown));
            Assert.Equal((false, "outsideSchedule"), await door.Agent.TapCardAsync(outside));
            queued = [.. door.Agent.Queued().Select(e => e.Id)];
            Assert.Equal(3, queued.Count);
        }
        finally
        {
            await Server.StartAsync();
        }

        var events = await door.WaitForEventsAsync(3);
        Assert.Equal(queued.Order(), events.Select(e => e.GetProperty("id").GetGuid()).Order());
        Assert.Equal(
            ["granted", "outsideSchedule", "unknownCredential"],
            events.Select(e => e.GetProperty("reason").GetString()).Order(StringComparer.Ordinal));

        // Every resend has had its turn once a later event is through (batches go one at a time, oldest first).
        await door.Agent.TapCardAsync(card);
        events = await door.WaitForEventsAsync(4);
        Assert.Equal(4, events.Count);
        Assert.Equal(4, events.Select(e => e.GetProperty("id").GetGuid()).Distinct().Count());
    }

    /// <summary>
    /// One card credential deleted and another suspended through the API (the admin console's own service path)
    /// are refused at the door, with the reasons the server gives, once the device has the change.
    /// </summary>
    protected async Task CredentialDeletedAndAnotherSuspended()
    {
        var door = await testbed.NewDoorAsync();
        var deleted = door.Card();
        var suspended = new TestCard(4, door.CardNumber);
        var (_, suspendedId) = await door.NewCardHolderAsync(await door.NewGroupAsync(), suspended);
        await door.WaitUntilDecidesAsync((deleted, "granted"), (suspended, "granted"));

        await DeviceTestbed.Expect(await door.Owner.DeleteAsync($"/api/v1/credentials/{door.CredentialId}"), HttpStatusCode.NoContent);
        await DeviceTestbed.Expect(
            await door.Owner.PatchAsync($"/api/v1/credentials/{suspendedId}", JsonContent.Create(new { status = "suspended" })), HttpStatusCode.OK);

        await door.WaitUntilDecidesAsync((deleted, "unknownCredential"), (suspended, "credentialSuspended"));
        Assert.Equal((false, "unknownCredential"), await door.Agent.TapCardAsync(deleted));
        Assert.Equal((false, "credentialSuspended"), await door.Agent.TapCardAsync(suspended));
        Assert.Equal((false, "unknownCredential"), await door.ServerDecisionAsync(deleted));
        Assert.Equal((false, "credentialSuspended"), await door.ServerDecisionAsync(suspended));
        var events = await door.WaitForEventsAsync(2);
        Assert.Equal(
            ["credentialSuspended", "unknownCredential"],
            events.Select(e => e.GetProperty("reason").GetString()).Order(StringComparer.Ordinal));
    }

    /// <summary>
    /// A removed device's session ends at once and every reconnection is refused: the agent shows offline and
    /// stays offline while it keeps trying, and its password does not work for any other MQTT client either.
    /// </summary>
    protected async Task DeviceRemoved()
    {
        var door = await testbed.NewDoorAsync();
        var identity = door.Agent.Identity();
        var refusedBefore = ConnectFailures(door.Agent);

        await DeviceTestbed.Expect(await door.Owner.DeleteAsync($"/api/v1/devices/{door.DeviceId}"), HttpStatusCode.NoContent);

        await door.Agent.WaitForStateAsync(s => !s.GetProperty("online").GetBoolean(), "offline once removed");

        // It keeps knocking (every 0.1–1 s here) and is turned away each time; it is never let back in.
        await Eventually.HoldsAsync(
            async () =>
            {
                Assert.False((await door.Agent.StateAsync()).GetProperty("online").GetBoolean(), "The removed device got back online.");
                return ConnectFailures(door.Agent) >= refusedBefore + 3;
            },
            () => $"three refused reconnections of the removed device (saw {ConnectFailures(door.Agent) - refusedBefore})");
        Assert.False((await door.Agent.StateAsync()).GetProperty("online").GetBoolean());

        await using var raw = new RawMqttClient();
        Assert.NotEqual(MqttClientConnectResultCode.Success, await raw.ConnectAsDeviceAsync(identity));
        await using var otherClientId = new RawMqttClient();
        Assert.NotEqual(
            MqttClientConnectResultCode.Success,
            await otherClientId.ConnectAsync(identity.Broker.Host, identity.Broker.Port, "intruder-" + Guid.NewGuid().ToString("N")[..8], identity.MqttUsername, identity.MqttPassword));
        Assert.Equal(HttpStatusCode.NotFound, (await door.Owner.GetAsync($"/api/v1/devices/{door.DeviceId}")).StatusCode);
    }

    /// <summary>
    /// A client with device A's own credentials cannot read device B's topics (same organization): its
    /// subscriptions to B's commands and sync, and to wildcards over every device, are refused, and while B
    /// gets a remote unlock and a sync it receives nothing of them — though it does get A's own messages.
    /// </summary>
    protected async Task DeviceCannotReadAnotherDevicesTopics()
    {
        var a = await testbed.NewDoorAsync();
        var b = await a.NewDeviceBesideAsync();
        var identityA = a.Agent.Identity();
        var identityB = b.Agent.Identity();

        // A's agent steps aside, so the client below holds A's session without a tug of war over the client ID.
        await a.Agent.StopAsync();
        await using var spy = new RawMqttClient();
        Assert.Equal(MqttClientConnectResultCode.Success, await spy.ConnectAsDeviceAsync(identityA));
        string[] theirs = [identityB.Topic(DeviceTopics.Commands), identityB.Topic(DeviceTopics.Sync), identityB.Topic(DeviceTopics.EventAcks)];
        string[] wildcards = [$"{DeviceTopics.Root}/{identityA.OrganizationId:D}/devices/+/{DeviceTopics.Commands}", $"{DeviceTopics.Root}/#", "#"];
        foreach (var filter in theirs.Concat(wildcards))
        {
            var code = await spy.SubscribeAsync(filter);
            Assert.True(code > MqttClientSubscribeResultCode.GrantedQoS2, $"The subscription of device A to {filter} was granted ({code}).");
        }

        Assert.True(await spy.SubscribeAsync(identityA.Topic(DeviceTopics.Sync)) <= MqttClientSubscribeResultCode.GrantedQoS2);

        // B gets a command and a sync …
        await DeviceTestbed.Expect(await b.Owner.PostAsync($"/api/v1/doors/{b.DoorId}/unlock", null), HttpStatusCode.Accepted);
        await b.Agent.WaitForStateAsync(s => s.GetProperty("lock").GetString() == "unlocked", "unlocked by the remote unlock");
        var newcomer = new TestCard(5, b.CardNumber);
        await b.NewCardHolderAsync(await b.NewGroupAsync(), newcomer);
        await b.WaitUntilDecidesAsync((newcomer, "granted"));

        // … and then A asks for its own snapshot, which does reach the spy: the broker has passed on what it would.
        await spy.PublishAsync(identityA.Topic(DeviceTopics.SyncRequest), JsonSerializer.SerializeToUtf8Bytes(new SyncRequest(0, "test"), DeviceProtocolJson.Default.SyncRequest));
        await Eventually.HoldsAsync(() => spy.Messages.Any(m => m.Topic == identityA.Topic(DeviceTopics.Sync)), () => "device A's own snapshot");

        Assert.All(spy.Messages, m => Assert.StartsWith(DeviceTopics.Prefix(identityA.OrganizationId, identityA.DeviceId) + "/", m.Topic, StringComparison.Ordinal));
        Assert.DoesNotContain(spy.Messages, m => m.Topic.Contains(identityB.DeviceId.ToString("D"), StringComparison.Ordinal));
    }

    /// <summary>
    /// Garbage both ways: the server's client sends the device's sync and commands topics broken, unknown and
    /// oversized messages, and the device sends the server broken and oversized event batches. Each side logs
    /// what it dropped and keeps working: the door decides, takes a remote unlock and the next sync, and the
    /// server stores the next real event.
    /// </summary>
    protected async Task MalformedAndOversizedPayloads()
    {
        var door = await testbed.NewDoorAsync(start: false);
        door.Agent.With("Gatehouse:Device:MaxPayloadBytes", "65536");
        await door.StartAgentAsync();
        var identity = door.Agent.Identity();
        var oversized = new byte[100 * 1024];
        Random.Shared.NextBytes(oversized);

        foreach (var suffix in new[] { DeviceTopics.Sync, DeviceTopics.Commands, DeviceTopics.EventAcks })
        {
            var topic = identity.Topic(suffix);
            await Server.PublishAsServerAsync(topic, Encoding.UTF8.GetBytes("{\"kind\":\"delta\",\"version\":"));
            await Server.PublishAsServerAsync(topic, Encoding.UTF8.GetBytes("null"));
            await Server.PublishAsServerAsync(topic, [0xFF, 0xFE, 0x00, 0x01]);
            await Server.PublishAsServerAsync(topic, Encoding.UTF8.GetBytes($$"""{"type":"selfDestruct","kind":"sideways","id":"{{Guid.NewGuid()}}","ids":"all"}"""));
            await Server.PublishAsServerAsync(topic, oversized);
        }

        await door.Agent.Logs.WaitForLineAsync("the oversized commands message", "Dropped a 102400-byte message on commands: over the size limit");
        await door.Agent.Logs.WaitForLineAsync("the oversized sync message", "Dropped a 102400-byte message on sync: over the size limit");
        await door.Agent.Logs.WaitForLineAsync("a broken sync message", "Warning", "Dropped a malformed", "message on sync");
        await door.Agent.Logs.WaitForLineAsync("a broken command", "Warning", "Dropped a malformed", "message on commands");
        await door.Agent.Logs.WaitForLineAsync("a broken event acknowledgement", "Warning", "Dropped a malformed", "message on events/ack");

        var connection = door.Agent.Services.GetRequiredService<BrokerConnection>();
        var eventsTopic = identity.Topic(DeviceTopics.Events);
        await connection.PublishAsync(DeviceTopics.Events, Encoding.UTF8.GetBytes("{\"events\": [ {\"id\": 12"), retain: false, CancellationToken.None);
        await connection.PublishAsync(DeviceTopics.Events, Encoding.UTF8.GetBytes("{\"events\": [ {\"id\": \"not-a-guid\"} ]}"), retain: false, CancellationToken.None);
        await connection.PublishAsync(DeviceTopics.Replies, Encoding.UTF8.GetBytes("""{"type":"selfDestruct","commandId":"x"}"""), retain: false, CancellationToken.None);
        await connection.PublishAsync(DeviceTopics.Events, new byte[300 * 1024], retain: false, CancellationToken.None);
        await Server.Logs.WaitForLineAsync("the server dropping the broken batch", "Warning", $"Dropped a message on {eventsTopic} (22 bytes)");
        await Server.Logs.WaitForLineAsync("the server dropping the unknown reply", "Warning", $"Dropped a message on {identity.Topic(DeviceTopics.Replies)}");
        await Server.Logs.WaitForLineAsync("the oversized batch refused", "Warning", eventsTopic, "307200 bytes");

        // The door still decides, and the server stores that event.
        Assert.Equal((true, "granted"), await door.Agent.TapCardAsync(door.Card()));
        var events = await door.WaitForEventsAsync(1);
        Assert.Equal("granted", Assert.Single(events).GetProperty("reason").GetString());

        // Commands and sync still go through.
        await DeviceTestbed.Expect(await door.Owner.PostAsync($"/api/v1/doors/{door.DoorId}/unlock", null), HttpStatusCode.Accepted);
        await door.Agent.WaitForStateAsync(s => s.GetProperty("lock").GetString() == "unlocked", "unlocked by a remote unlock after the garbage");
        await DeviceTestbed.Expect(
            await door.Owner.PatchAsync($"/api/v1/credentials/{door.CredentialId}", JsonContent.Create(new { status = "suspended" })), HttpStatusCode.OK);
        await door.WaitUntilDecidesAsync((door.Card(), "credentialSuspended"));
        Assert.True((await door.Agent.StateAsync()).GetProperty("online").GetBoolean());
    }

    /// <summary>
    /// The agent is stopped with events in its queue and started again: each event reaches the server once.
    /// The server is away too while the events are made; with Mosquitto the device has sent them to the broker
    /// before it stops, so the server stores and acknowledges them while the device is off, and the device
    /// finds its queue still full of events the server already has.
    /// </summary>
    protected async Task AgentRestartedWithEventsQueued()
    {
        var door = await testbed.NewDoorAsync();
        await Server.StopAsync();
        List<Guid> queued;
        try
        {
            Assert.Equal((true, "granted"), await door.Agent.TapCardAsync(door.Card()));
            Assert.Equal((false, "unknownCredential"), await door.Agent.TapCardAsync(door.UnknownCard()));
            Assert.Equal((true, "granted"), await door.Agent.TapCardAsync(door.Card()));
            queued = [.. door.Agent.Queued().Select(e => e.Id)];
            if (Server.ExternalBroker)
            {
                await door.Agent.Logs.WaitForLineAsync("the batch going to the broker", "Sent 3 events");
            }

            await door.Agent.StopAsync();
        }
        finally
        {
            await Server.StartAsync();
        }

        // On disk while the agent is off.
        using (var stored = EventQueue.Open(door.Agent.DataDirectory, 100_000, NullLogger<EventQueue>.Instance))
        {
            Assert.Equal(queued, stored.PeekOldest(100).Select(e => e.Id));
        }

        if (Server.ExternalBroker)
        {
            await door.WaitForServerEventsAsync(3);
        }

        await door.Agent.StartAsync();

        var events = await door.WaitForEventsAsync(3);
        Assert.Equal(queued.Order(), events.Select(e => e.GetProperty("id").GetGuid()).Order());
        await door.Agent.TapCardAsync(door.UnknownCard());
        events = await door.WaitForEventsAsync(4);
        Assert.Equal(4, events.Count);
        Assert.Equal(4, events.Select(e => e.GetProperty("id").GetGuid()).Distinct().Count());
    }

    private static int ConnectFailures(DeviceAgent agent) =>
        agent.Logs.Lines.Count(l => l.Contains("Cannot connect to the broker", StringComparison.Ordinal));
}

/// <summary>The reliability cases on the server's in-process MQTT broker.</summary>
[Trait("Category", "Device")]
public sealed class InProcessBrokerReliabilityTests(InProcessBrokerTestbed testbed) : ReliabilityTests(testbed), IClassFixture<InProcessBrokerTestbed>
{
    [Fact]
    public Task ServerStopped_DoorDecidesFromItsStore_EventsArriveExactlyOnceAfterRestart() => ServerStopped();

    [Fact]
    public Task CredentialDeletedAndAnotherSuspended_RefusedAtTheDoorWithTheirReasons() => CredentialDeletedAndAnotherSuspended();

    [Fact]
    public Task DeviceRemoved_SessionEndedAndReconnectRefused_AgentStaysOffline() => DeviceRemoved();

    [Fact]
    public Task Device_CannotReadAnotherDevicesTopics() => DeviceCannotReadAnotherDevicesTopics();

    [Fact]
    public Task MalformedAndOversizedPayloads_LoggedAndNeitherSideStops() => MalformedAndOversizedPayloads();

    [Fact]
    public Task AgentRestartedWithEventsQueued_NothingLostNothingDoubled() => AgentRestartedWithEventsQueued();
}
