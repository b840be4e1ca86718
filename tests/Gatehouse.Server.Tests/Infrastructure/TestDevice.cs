using System.Buffers;
using System.Collections.Concurrent;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;
using Gatehouse.Core.DeviceProtocol;
using Gatehouse.Server.Data;
using Gatehouse.Server.Features.Devices;
using Gatehouse.Server.Features.Devices.Gateway;
using Gatehouse.Server.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using MQTTnet;
using MQTTnet.Protocol;

namespace Gatehouse.Server.Tests.Infrastructure;

/// <summary>
/// A fake door device speaking the raw device protocol over its own MQTT client: made by inserting a claimed
/// device for the given doors straight into the app's store and provisioning it on the broker. It connects,
/// publishes status, events, sync requests and replies, and keeps whatever reaches it (sync messages, event
/// acks, commands) for the test to wait on.
/// </summary>
public sealed class TestDevice : IAsyncDisposable
{
    private static readonly TimeSpan DefaultWait = TimeSpan.FromSeconds(15);

    private readonly GatehouseApp _app;
    private IMqttClient _client;
    private readonly ConcurrentQueue<(string Topic, byte[] Payload)> _received = new();
    private readonly ConcurrentQueue<SyncMessage> _syncs = new();
    private readonly ConcurrentQueue<EventAck> _acks = new();
    private readonly ConcurrentQueue<DeviceCommand> _commands = new();

    private TestDevice(GatehouseApp app, Guid organizationId, Guid id, string password)
    {
        _app = app;
        OrganizationId = organizationId;
        Id = id;
        Password = password;
        _client = NewClient();
    }

    public Guid OrganizationId { get; }

    public Guid Id { get; }

    /// <summary>Its MQTT password (the store keeps only the hash).</summary>
    public string Password { get; }

    public bool IsConnected => _client.IsConnected;

    /// <summary>Where it connects, when not to the app's <see cref="GatehouseApp.Broker"/> (a test's own broker).</summary>
    public int? BrokerPort { get; set; }

    /// <summary>Where its last will goes, when not to its own status topic.</summary>
    public string? WillTopic { get; set; }

    /// <summary>False: it connects without a last will (a device that can vanish without a word).</summary>
    public bool HasWill { get; set; } = true;

    /// <summary>
    /// True (as a working device does): it answers every unlock command with <c>done {succeeded: true}</c>, as
    /// if it had operated the lock. False: it never answers, like a door that is gone.
    /// </summary>
    public bool ConfirmsUnlocks { get; set; } = true;

    /// <summary>Connects over TLS, trusting exactly this certificate.</summary>
    public X509Certificate2? TlsCertificate { get; set; }

    /// <summary>Every message received so far, oldest first.</summary>
    public IReadOnlyList<(string Topic, byte[] Payload)> Received => [.. _received];

    /// <summary>The sync messages received so far, oldest first.</summary>
    public IReadOnlyList<SyncMessage> Syncs => [.. _syncs];

    /// <summary>The event acknowledgements received so far.</summary>
    public IReadOnlyList<EventAck> Acks => [.. _acks];

    /// <summary>The commands received so far.</summary>
    public IReadOnlyList<DeviceCommand> Commands => [.. _commands];

    /// <summary>
    /// Adds a claimed device of <paramref name="organizationId"/> controlling <paramref name="doorIds"/> (of one
    /// site) to the store and gives it its broker account. Waits first for the app's gateway to be connected.
    /// </summary>
    public static async Task<TestDevice> CreateAsync(
        GatehouseApp app, string organizationId, IEnumerable<string> doorIds, string? name = null, string? wiegandFormat = null)
    {
        var organization = Guid.Parse(organizationId);
        var doors = doorIds.Select(Guid.Parse).ToList();
        var gateway = app.Services.GetRequiredService<DeviceGateway>();
        using (var wait = new CancellationTokenSource(DefaultWait))
        {
            await gateway.WaitConnectedAsync(wait.Token);
        }

        var password = DeviceSecrets.NewPassword();
        var device = new Device
        {
            OrganizationId = organization,
            Name = name ?? $"Device {Guid.NewGuid():N}"[..15],
            Model = DeviceModel.F3D100,
            SecretHash = DeviceSecrets.Hash(password),
            ClaimedAt = app.Clock.GetUtcNow(),
            CreatedAt = app.Clock.GetUtcNow(),
            UpdatedAt = app.Clock.GetUtcNow(),
            Doors = [.. doors.Select(d => new DeviceDoor { DoorId = d })],
        };
        if (wiegandFormat is not null)
        {
            device.WiegandFormat = Gatehouse.Core.Cards.CardFormats.TryParse(wiegandFormat, out var format)
                ? format
                : throw new ArgumentException("Not a card format.", nameof(wiegandFormat));
        }

        await using (var scope = app.Services.CreateAsyncScope())
        {
            scope.ServiceProvider.GetRequiredService<CurrentOrganization>().Set(organization);
            var db = scope.ServiceProvider.GetRequiredService<GatehouseDbContext>();
            device.SiteId = doors.Count == 0
                ? await db.Sites.Select(s => s.Id).FirstAsync()
                : await db.Doors.Where(d => d.Id == doors[0]).Select(d => d.SiteId).SingleAsync();
            db.Devices.Add(device);
            await db.SaveChangesAsync();
        }

        await gateway.ProvisionAsync(organization, device.Id, password, CancellationToken.None);
        return new TestDevice(app, organization, device.Id, password);
    }

    /// <summary>The full topic of one of its suffixes.</summary>
    public string Topic(string suffix) => DeviceTopics.For(OrganizationId, Id, suffix);

    /// <summary>
    /// Connects as the device (with its password unless another is given), its last will an offline status,
    /// and subscribes to its sync, acks and commands. Returns the broker's answer to the connect.
    /// </summary>
    public async Task<MqttClientConnectResultCode> ConnectAsync(string? password = null, bool subscribe = true)
    {
        var will = JsonSerializer.SerializeToUtf8Bytes(new DeviceStatus(false, _app.Clock.GetUtcNow()), DeviceProtocolJson.Default.DeviceStatus);
        var builder = new MqttClientOptionsBuilder()
            .WithTcpServer(_app.Broker.Host, BrokerPort ?? _app.Broker.Port)
            .WithClientId(Id.ToString("D"))
            .WithCredentials(Id.ToString("D"), password ?? Password)
            .WithProtocolVersion(MQTTnet.Formatter.MqttProtocolVersion.V500)
            .WithCleanStart(true)
            .WithTimeout(TimeSpan.FromSeconds(10));
        if (HasWill)
        {
            builder.WithWillTopic(WillTopic ?? Topic(DeviceTopics.Status))
                .WithWillPayload(will)
                .WithWillRetain(true)
                .WithWillQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce);
        }

        if (TlsCertificate is { } trusted)
        {
            builder.WithTlsOptions(tls => tls.UseTls().WithCertificateValidationHandler(e => e.Certificate?.GetRawCertData().AsSpan().SequenceEqual(trusted.RawData) == true));
        }

        var options = builder.Build();
        MqttClientConnectResult result;
        try
        {
            result = await ConnectWhenIdleAsync(options);
        }
        catch (MQTTnet.Exceptions.MqttCommunicationException)
        {
            // Refused (the code is only in the message) or not even reached (TLS, network): callers check it failed.
            return MqttClientConnectResultCode.NotAuthorized;
        }

        if (result.ResultCode == MqttClientConnectResultCode.Success && subscribe)
        {
            foreach (var suffix in DeviceTopics.DeviceSubscribes)
            {
                var code = await SubscribeAsync(Topic(suffix));
                if (code > MqttClientSubscribeResultCode.GrantedQoS2)
                {
                    throw new InvalidOperationException($"The broker refused the device its own topic {suffix}: {code}");
                }
            }
        }

        return result.ResultCode;
    }

    /// <summary>Subscribes QoS 1 to <paramref name="filter"/>; the broker's answer.</summary>
    public async Task<MqttClientSubscribeResultCode> SubscribeAsync(string filter)
    {
        var result = await _client.SubscribeAsync(new MqttClientSubscribeOptionsBuilder()
            .WithTopicFilter(filter, MqttQualityOfServiceLevel.AtLeastOnce)
            .Build());
        return result.Items.Single().ResultCode;
    }

    /// <summary>Publishes raw bytes QoS 1 to a full topic; the broker's answer.</summary>
    public async Task<MqttClientPublishReasonCode> PublishRawAsync(string topic, byte[] payload, bool retain = false)
    {
        var result = await _client.PublishAsync(new MqttApplicationMessageBuilder()
            .WithTopic(topic)
            .WithPayload(payload)
            .WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce)
            .WithRetainFlag(retain)
            .Build());
        return result.ReasonCode;
    }

    /// <summary>Publishes its status (retained, as a device does).</summary>
    public Task<MqttClientPublishReasonCode> PublishStatusAsync(
        long syncVersion,
        bool online = true,
        string softwareVersion = "test-1.0",
        IReadOnlyList<DoorState>? doors = null,
        int queuedEvents = 0,
        int? heartbeatSeconds = null) =>
        PublishRawAsync(
            Topic(DeviceTopics.Status),
            JsonSerializer.SerializeToUtf8Bytes(
                new DeviceStatus(online, _app.Clock.GetUtcNow(), softwareVersion, syncVersion, doors, queuedEvents, HeartbeatSeconds: heartbeatSeconds),
                DeviceProtocolJson.Default.DeviceStatus),
            retain: true);

    public Task<MqttClientPublishReasonCode> PublishEventsAsync(params DeviceEvent[] events) =>
        PublishRawAsync(Topic(DeviceTopics.Events), JsonSerializer.SerializeToUtf8Bytes(new EventBatch(events), DeviceProtocolJson.Default.EventBatch));

    public Task<MqttClientPublishReasonCode> RequestSnapshotAsync(long haveVersion, string reason = "test") =>
        PublishRawAsync(Topic(DeviceTopics.SyncRequest), JsonSerializer.SerializeToUtf8Bytes(new SyncRequest(haveVersion, reason), DeviceProtocolJson.Default.SyncRequest));

    public Task<MqttClientPublishReasonCode> PublishReplyAsync(DeviceReply reply) =>
        PublishRawAsync(Topic(DeviceTopics.Replies), JsonSerializer.SerializeToUtf8Bytes(reply, DeviceProtocolJson.Default.DeviceReply));

    /// <summary>Connects, reports version 0 and waits for the whole first snapshot; returns its parts.</summary>
    public async Task<IReadOnlyList<SyncMessage>> ConnectAndSyncAsync()
    {
        var code = await ConnectAsync();
        if (code != MqttClientConnectResultCode.Success)
        {
            throw new InvalidOperationException($"The device could not connect: {code}");
        }

        await PublishStatusAsync(0);
        return await WaitForSnapshotAsync();
    }

    /// <summary>Waits for every part of the next snapshot not seen before (with a version above <paramref name="after"/>).</summary>
    public async Task<IReadOnlyList<SyncMessage>> WaitForSnapshotAsync(long after = 0)
    {
        var parts = await WaitForAsync(
            () =>
            {
                var snapshot = Syncs.Where(s => s.Kind == SyncKind.Snapshot && s.Version > after).ToList();
                var first = snapshot.FirstOrDefault();
                var whole = first is null ? [] : snapshot.Where(s => s.Version == first.Version).ToList();
                return first is not null && whole.Count == first.Parts ? whole : null;
            },
            "a whole snapshot");
        return parts;
    }

    /// <summary>Waits for a sync message matching <paramref name="predicate"/>.</summary>
    public Task<SyncMessage> WaitForSyncAsync(Func<SyncMessage, bool> predicate, string what) =>
        WaitForAsync(() => Syncs.FirstOrDefault(predicate), what);

    /// <summary>Polls <paramref name="probe"/> until it gives something, or fails after a deadline.</summary>
    public static Task<T> WaitForAsync<T>(Func<T?> probe, string what, TimeSpan? timeout = null)
        where T : class => Eventually.ForAsync(probe, () => what, timeout);

    /// <summary>Polls an asynchronous condition until it holds, or fails after a deadline.</summary>
    public static Task WaitUntilAsync(Func<Task<bool>> condition, string what, TimeSpan? timeout = null) =>
        Eventually.HoldsAsync(condition, () => what, timeout);

    /// <summary>
    /// Goes away as a device that lost power does, closing the connection without a word, so the broker publishes
    /// its last will (MQTTnet's broker sends no will after any DISCONNECT packet). It can connect again afterwards.
    /// </summary>
    public void Drop()
    {
        _client.Dispose();
        _client = NewClient();
    }

    public async Task DisconnectAsync()
    {
        if (_client.IsConnected)
        {
            await _client.DisconnectAsync(new MqttClientDisconnectOptionsBuilder().WithReason(MqttClientDisconnectOptionsReason.NormalDisconnection).Build());
        }
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            await DisconnectAsync();
        }
        catch (MQTTnet.Exceptions.MqttCommunicationException)
        {
            // Already gone.
        }

        _client.Dispose();
    }

    // Right after the broker dropped it, the client may still be finishing that disconnect.
    private async Task<MqttClientConnectResult> ConnectWhenIdleAsync(MqttClientOptions options)
    {
        var deadline = DateTimeOffsetNow() + DefaultWait;
        while (true)
        {
            try
            {
                return await _client.ConnectAsync(options);
            }
            catch (InvalidOperationException) when (DateTimeOffsetNow() < deadline)
            {
                await Task.Delay(20);
            }
        }
    }

    private IMqttClient NewClient()
    {
        var client = new MqttClientFactory().CreateMqttClient();
        client.ApplicationMessageReceivedAsync += e =>
        {
            var topic = e.ApplicationMessage.Topic;
            var payload = e.ApplicationMessage.Payload.ToArray();
            _received.Enqueue((topic, payload));

            // Read once, on arrival: tests poll these lists often, and a snapshot can be megabytes.
            if (topic == Topic(DeviceTopics.Sync))
            {
                _syncs.Enqueue(JsonSerializer.Deserialize(payload, DeviceProtocolJson.Default.SyncMessage)!);
            }
            else if (topic == Topic(DeviceTopics.EventAcks))
            {
                _acks.Enqueue(JsonSerializer.Deserialize(payload, DeviceProtocolJson.Default.EventAck)!);
            }
            else if (topic == Topic(DeviceTopics.Commands))
            {
                var command = JsonSerializer.Deserialize(payload, DeviceProtocolJson.Default.DeviceCommand)!;
                _commands.Enqueue(command);
                if (command is UnlockCommand && ConfirmsUnlocks)
                {
                    // Not from inside the client's receive handler, which must return before the client publishes.
                    _ = Task.Run(() => PublishReplyAsync(new CommandDoneReply(command.Id, _app.Clock.GetUtcNow(), true)));
                }
            }

            return Task.CompletedTask;
        };

        return client;
    }

    // Deadlines of a test's waits run on the real clock; the app's clock is a fake that tests move by hand.
    private static DateTimeOffset DateTimeOffsetNow() => TimeProvider.System.GetUtcNow();
}
