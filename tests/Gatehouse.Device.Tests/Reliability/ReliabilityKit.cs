using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Gatehouse.Core.Cards;
using Gatehouse.Core.Decisions;
using Gatehouse.Core.DeviceProtocol;
using Gatehouse.Device.Events;
using Gatehouse.Device.Mqtt;
using Gatehouse.Device.Sync;
using Gatehouse.Device.Tests.Integration;
using Gatehouse.Server.Data;
using Gatehouse.Server.Features.Devices.Gateway;
using Gatehouse.Server.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using MQTTnet;
using MQTTnet.Formatter;

namespace Gatehouse.Device.Tests.Reliability;

/// <summary>An H10301 card, as the simulator's tap form and <c>POST /access/decisions</c> take it.</summary>
public sealed record TestCard(long FacilityCode, long CardNumber)
{
    public object Body => new { format = "H10301", facilityCode = FacilityCode, cardNumber = CardNumber };

    internal CardIdentity Identity =>
        CardIdentity.TryCreate("H10301", FacilityCode, CardNumber, null, out var card, out _) ? card : throw new InvalidOperationException($"Not a card: {this}");

    public override string ToString() => $"H10301:{FacilityCode}:{CardNumber}";
}

/// <summary>What the reliability tests do to the server, the device and the broker beside the public API.</summary>
internal static class ReliabilityKit
{
    public static readonly string[] EveryDay = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"];

    /// <summary>The door's enrolled card.</summary>
    public static TestCard Card(this DoorScenario door) => new(1, door.CardNumber);

    /// <summary>A card nobody in the organization holds.</summary>
    public static TestCard UnknownCard(this DoorScenario door) => new(2, door.CardNumber);

    /// <summary>A new access group to the door under a new schedule (open around the clock unless <paramref name="windows"/> say otherwise).</summary>
    public static async Task<Guid> NewGroupAsync(this DoorScenario door, object[]? windows = null)
    {
        windows ??= [new { days = EveryDay, start = "00:00", end = "24:00" }];
        var schedule = await DeviceTestbed.CreateAsync(door.Owner, "/api/v1/schedules", new { name = "Schedule " + Guid.NewGuid().ToString("N")[..8], windows, holidays = Array.Empty<object>() });
        return await DeviceTestbed.CreateAsync(door.Owner, "/api/v1/access-groups", new { name = "Group " + Guid.NewGuid().ToString("N")[..8], scheduleId = schedule, doorIds = new[] { door.DoorId } });
    }

    /// <summary>A new user in <paramref name="groupId"/> holding <paramref name="card"/>.</summary>
    public static async Task<(Guid UserId, Guid CredentialId)> NewCardHolderAsync(this DoorScenario door, Guid groupId, TestCard card)
    {
        var user = await DeviceTestbed.CreateAsync(door.Owner, "/api/v1/users", new { firstName = "Holder", lastName = card.ToString(), status = "active", accessGroupIds = new[] { groupId } });
        return (user, await DeviceTestbed.CreateAsync(door.Owner, $"/api/v1/users/{user}/credentials/cards", card.Body));
    }

    /// <summary>Starts the scenario's agent with its claim code and waits until it is online with a snapshot.</summary>
    public static async Task StartAgentAsync(this DoorScenario door)
    {
        await door.Agent.StartAsync(door.ClaimCode);
        await door.Agent.WaitForStateAsync(s => s.GetProperty("online").GetBoolean() && s.GetProperty("syncVersion").GetInt64() > 0, "online with a snapshot");
    }

    /// <summary>
    /// A second door of the same site with a device of its own (claimed and online) and a card holder of its
    /// own (card <c>H10301:7:n</c>), in the same organization as <paramref name="door"/>.
    /// </summary>
    public static async Task<DoorScenario> NewDeviceBesideAsync(this DoorScenario door)
    {
        var doorId = await DeviceTestbed.CreateAsync(door.Owner, "/api/v1/doors", new { siteId = door.SiteId, name = "Back door" });
        var response = await door.Owner.PostAsJsonAsync("/api/v1/devices", new { name = "Back desk", model = "F3D100", siteId = door.SiteId, doorIds = new[] { doorId }, wiegandFormat = "H10301" });
        await DeviceTestbed.Expect(response, HttpStatusCode.Created);
        var device = await response.Content.ReadFromJsonAsync<JsonElement>();
        var beside = door with
        {
            DoorId = doorId,
            DeviceId = device.GetProperty("id").GetGuid(),
            ClaimCode = device.GetProperty("claimCode").GetString()!,
            Agent = door.Testbed.NewAgent(),
        };
        var card = new TestCard(7, door.CardNumber);
        var (user, credential) = await beside.NewCardHolderAsync(await beside.NewGroupAsync(), card);
        beside = beside with { UserId = user, CredentialId = credential };
        await beside.StartAgentAsync();
        return beside;
    }

    /// <summary>The windows of a schedule that is certainly closed now at the site (Europe/Berlin): one early hour three days ahead.</summary>
    public static object[] ClosedNowWindows()
    {
        var berlin = TimeZoneInfo.FindSystemTimeZoneById("Europe/Berlin");
        var day = TimeZoneInfo.ConvertTime(TimeProvider.System.GetUtcNow(), berlin).AddDays(3).DayOfWeek;
        return [new { days = new[] { day.ToString() }, start = "00:00", end = "01:00" }];
    }

    /// <summary>What the server answers for the card at the door (<c>POST /access/decisions</c>): granted and reason.</summary>
    public static async Task<(bool Granted, string Reason)> ServerDecisionAsync(this DoorScenario door, TestCard card)
    {
        var response = await door.Owner.PostAsJsonAsync("/api/v1/access/decisions", new { doorId = door.DoorId, card = card.Body });
        await DeviceTestbed.Expect(response, HttpStatusCode.OK);
        var answer = await response.Content.ReadFromJsonAsync<JsonElement>();
        return (answer.GetProperty("granted").GetBoolean(), answer.GetProperty("reason").GetString()!);
    }

    /// <summary>Taps the card at the device's reader (<c>POST /simulator/card</c>): granted and reason.</summary>
    public static async Task<(bool Granted, string Reason)> TapCardAsync(this DeviceAgent agent, TestCard card)
    {
        var answer = await agent.TapAsync(card.Body);
        return (answer.GetProperty("granted").GetBoolean(), answer.GetProperty("reason").GetString()!);
    }

    /// <summary>
    /// What the device's engine would answer for the card now, without a tap (so no event): for waiting until
    /// a change has reached the device.
    /// </summary>
    public static string LocalReason(this DeviceAgent agent, TestCard card, Guid doorId)
    {
        var view = agent.Services.GetRequiredService<AccessEngine>().Current;
        return view.Snapshot.Decide(card.Identity.ToKey(), doorId, TimeProvider.System.GetUtcNow()).Reason.ToApiName();
    }

    /// <summary>Waits until the device's engine gives each card its reason (the change is synced), with a deadline.</summary>
    public static Task WaitUntilDecidesAsync(this DoorScenario door, params (TestCard Card, string Reason)[] expected) =>
        Eventually.HoldsAsync(
            () => expected.All(e => door.Agent.LocalReason(e.Card, door.DoorId) == e.Reason),
            () => "the device to decide " + string.Join(", ", expected.Select(e => $"{e.Card} as {e.Reason} (now {door.Agent.LocalReason(e.Card, door.DoorId)})")));

    /// <summary>The events waiting in the agent's queue, oldest first.</summary>
    public static IReadOnlyList<DeviceEvent> Queued(this DeviceAgent agent) => agent.Services.GetRequiredService<EventQueue>().PeekOldest(10_000);

    /// <summary>The device's claim: its IDs, broker and MQTT credentials (while the agent runs).</summary>
    public static DeviceIdentity Identity(this DeviceAgent agent) => agent.Services.GetRequiredService<DeviceIdentity>();

    /// <summary>Waits until the door has at least <paramref name="count"/> events at the server, reading the API only (the agent may be stopped).</summary>
    public static async Task<IReadOnlyList<JsonElement>> WaitForServerEventsAsync(this DoorScenario door, int count)
    {
        IReadOnlyList<JsonElement> events = [];
        await Eventually.HoldsAsync(
            async () =>
            {
                events = await door.EventsAsync();
                return events.Count >= count;
            },
            () => $"{count} events at the door on the server (have {events.Count})");
        return events;
    }

    /// <summary>Runs <paramref name="work"/> on the server's store as the device's organization (background work, as the gateway does it).</summary>
    public static async Task<T> InStoreAsync<T>(this GatehouseServer server, Guid organizationId, Func<GatehouseDbContext, Task<T>> work)
    {
        await using var scope = server.Services.CreateAsyncScope();
        scope.ServiceProvider.GetRequiredService<CurrentOrganization>().Set(organizationId);
        return await work(scope.ServiceProvider.GetRequiredService<GatehouseDbContext>());
    }

    /// <summary>The organization the device belongs to.</summary>
    public static async Task<Guid> OrganizationOfDeviceAsync(this GatehouseServer server, Guid deviceId)
    {
        await using var scope = server.Services.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<GatehouseDbContext>().Devices.IgnoreQueryFilters()
            .Where(d => d.Id == deviceId).Select(d => d.OrganizationId).SingleAsync();
    }

    /// <summary>The sync version the server last published to the device (persisted before it is sent).</summary>
    public static async Task<long> PublishedVersionAsync(this GatehouseServer server, Guid deviceId)
    {
        await using var scope = server.Services.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<GatehouseDbContext>().DeviceStates.IgnoreQueryFilters()
            .Where(s => s.DeviceId == deviceId).Select(s => s.PublishedSyncVersion).SingleOrDefaultAsync();
    }

    /// <summary>Publishes raw bytes with the server's own MQTT client, as the server would send any message.</summary>
    public static async Task PublishAsServerAsync(this GatehouseServer server, string topic, byte[] payload)
    {
        var sent = await server.Services.GetRequiredService<GatewayConnection>().PublishAsync(topic, payload, CancellationToken.None);
        Assert.True(sent, $"The server's client could not publish to {topic}.");
    }

    /// <summary>Waits until a log line holds every one of <paramref name="parts"/>.</summary>
    public static Task WaitForLineAsync(this CapturedLogs logs, string what, params string[] parts) =>
        Eventually.HoldsAsync(
            () => logs.Lines.Any(l => parts.All(p => l.Contains(p, StringComparison.Ordinal))),
            () => $"{what} to be logged (a line with {string.Join(" and ", parts.Select(p => $"\"{p}\""))})");
}

/// <summary>
/// A plain MQTTnet client, for doing what no Gatehouse program does: connecting with a removed device's
/// password, reading another device's topics, watching a snapshot go by.
/// </summary>
internal sealed class RawMqttClient : IAsyncDisposable
{
    private readonly IMqttClient _client = new MqttClientFactory().CreateMqttClient();
    private readonly List<(string Topic, byte[] Payload)> _received = [];

    public RawMqttClient() =>
        _client.ApplicationMessageReceivedAsync += e =>
        {
            var message = (e.ApplicationMessage.Topic, System.Buffers.BuffersExtensions.ToArray(e.ApplicationMessage.Payload));
            lock (_received)
            {
                _received.Add(message);
            }

            Received?.Invoke(message.Topic, message.Item2);
            return Task.CompletedTask;
        };

    /// <summary>Raised on the client's thread for each message, before the next is read.</summary>
    public event Action<string, byte[]>? Received;

    public IReadOnlyList<(string Topic, byte[] Payload)> Messages
    {
        get
        {
            lock (_received)
            {
                return [.. _received];
            }
        }
    }

    public bool IsConnected => _client.IsConnected;

    /// <summary>Connects; the broker's answer (a refusal is an answer, not an exception).</summary>
    public async Task<MqttClientConnectResultCode> ConnectAsync(string host, int port, string clientId, string username, string password)
    {
        var options = new MqttClientOptionsBuilder()
            .WithTcpServer(host, port)
            .WithProtocolVersion(MqttProtocolVersion.V500)
            .WithClientId(clientId)
            .WithCredentials(username, password)
            .WithTimeout(TimeSpan.FromSeconds(10))
            .Build();
        try
        {
            return (await _client.ConnectAsync(options)).ResultCode;
        }
        catch (MQTTnet.Adapter.MqttConnectingFailedException)
        {
            // A refusal; which code the broker chose does not matter to the tests.
            return MqttClientConnectResultCode.NotAuthorized;
        }
    }

    /// <summary>Connects as the device with its own credentials (client ID, user name and password of its claim).</summary>
    public Task<MqttClientConnectResultCode> ConnectAsDeviceAsync(DeviceIdentity device) =>
        ConnectAsync(device.Broker.Host, device.Broker.Port, device.DeviceId.ToString("D"), device.MqttUsername, device.MqttPassword);

    /// <summary>Subscribes at QoS 1; the broker's answer for the filter.</summary>
    public async Task<MqttClientSubscribeResultCode> SubscribeAsync(string filter)
    {
        var result = await _client.SubscribeAsync(new MqttClientSubscribeOptionsBuilder()
            .WithTopicFilter(f => f.WithTopic(filter).WithQualityOfServiceLevel(MQTTnet.Protocol.MqttQualityOfServiceLevel.AtLeastOnce))
            .Build());
        return result.Items.Single().ResultCode;
    }

    public Task PublishAsync(string topic, byte[] payload) =>
        _client.PublishAsync(new MqttApplicationMessageBuilder()
            .WithTopic(topic)
            .WithPayload(payload)
            .WithQualityOfServiceLevel(MQTTnet.Protocol.MqttQualityOfServiceLevel.AtLeastOnce)
            .Build());

    public async ValueTask DisposeAsync()
    {
        if (_client.IsConnected)
        {
            try
            {
                await _client.DisconnectAsync(new MqttClientDisconnectOptions());
            }
            catch (MQTTnet.Exceptions.MqttCommunicationException)
            {
            }
        }

        _client.Dispose();
    }
}
