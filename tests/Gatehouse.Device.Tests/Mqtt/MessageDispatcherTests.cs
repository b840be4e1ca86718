using System.Text;
using System.Text.Json;
using Gatehouse.Core.DeviceProtocol;
using Gatehouse.Device.Hardware;
using Gatehouse.Device.Mqtt;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using static Gatehouse.Device.Tests.TestStore;

namespace Gatehouse.Device.Tests.Mqtt;

public sealed class MessageDispatcherTests : IDisposable
{
    private static readonly ClaimResponse Claim = new(
        Guid.CreateVersion7(), Guid.CreateVersion7(), "Front desk", "F3D100", new BrokerEndpoint("127.0.0.1", 1883, false), "device", "secret");

    private readonly DeviceRig _rig = new();
    private readonly DeviceIdentity _identity = new(Claim);
    private readonly BrokerConnection _connection;
    private readonly MessageDispatcher _dispatcher;

    public MessageDispatcherTests()
    {
        _connection = new BrokerConnection(
            _identity, new DeviceStatusSource(_rig.Engine, _rig.Locks, _rig.Events, Options.Create(new ConnectionOptions()), _rig.Clock), new AlwaysUpNetworkLink(),
            Options.Create(new ConnectionOptions()), _rig.Clock, NullLogger<BrokerConnection>.Instance);
        _dispatcher = new MessageDispatcher(_connection, _identity, _rig.Sync, _rig.Events, _rig.Commands, _rig.Outbox, _rig.Clock, NullLogger<MessageDispatcher>.Instance);
    }

    public void Dispose()
    {
        _dispatcher.Dispose();
        _connection.Dispose();
        _rig.Dispose();
    }

    [Fact]
    public void Handle_SyncSnapshot_AppliesIt()
    {
        Deliver(DeviceTopics.Sync, Json(new SyncMessage(SyncKind.Snapshot, 4, 0, 0, 1, Data()), DeviceProtocolJson.Default.SyncMessage));

        Assert.Equal(4, _rig.Engine.Current.Version);
    }

    [Fact]
    public void Handle_DeltaWithAGap_SendsASyncRequest()
    {
        Deliver(DeviceTopics.Sync, Json(new SyncMessage(SyncKind.Snapshot, 4, 0, 0, 1, Data()), DeviceProtocolJson.Default.SyncMessage));

        Deliver(DeviceTopics.Sync, Json(new SyncMessage(SyncKind.Delta, 9, 8, 0, 1, new SyncData()), DeviceProtocolJson.Default.SyncMessage));

        Assert.Equal(4, Assert.Single(_rig.Outbox.OfType<SyncRequest>()).HaveVersion);
    }

    [Fact]
    public async Task Handle_EventAck_DeletesTheEvents()
    {
        _rig.Snapshot(1, Data());
        await _rig.TapAsync(AliceCardText);
        var queued = Assert.Single(_rig.Events.PeekOldest(10));

        Deliver(DeviceTopics.EventAcks, Json(new EventAck([queued.Id]), DeviceProtocolJson.Default.EventAck));

        Assert.Equal(0, _rig.Events.Count);
    }

    [Fact]
    public void Handle_Command_IsCarriedOut()
    {
        _rig.Snapshot(1, Data());

        Deliver(DeviceTopics.Commands, Json<DeviceCommand>(new UnlockCommand(Guid.CreateVersion7(), DeviceRig.Start, FrontDoor), DeviceProtocolJson.Default.DeviceCommand));

        Assert.True(_rig.Relay.IsOpen(FrontDoor));
    }

    [Theory]
    [InlineData("not json")]
    [InlineData("{\"kind\":\"snapshot\"}")]
    [InlineData("{\"kind\":\"sideways\",\"version\":1,\"fromVersion\":0,\"part\":0,\"parts\":1,\"data\":{}}")]
    [InlineData("null")]
    [InlineData("[1,2,3]")]
    [InlineData("{\"kind\":\"snapshot\",\"version\":5,\"fromVersion\":0,\"part\":0,\"parts\":1,\"data\":{\"users\":[{\"id\":\"x\"}]}}")]
    public void Handle_MalformedSyncPayload_IsDroppedAndTheStoreStays(string payload)
    {
        _rig.Snapshot(1, Data());

        Deliver(DeviceTopics.Sync, Encoding.UTF8.GetBytes(payload));

        Assert.Equal(1, _rig.Engine.Current.Version);
        Assert.Equal(2, _rig.Store.Load().Credentials.Count);
    }

    [Theory]
    [InlineData("{\"type\":\"selfDestruct\",\"id\":\"0195f3a4-0000-7000-8000-000000000001\",\"issuedAt\":\"2026-03-09T10:00:00Z\"}")]
    [InlineData("{\"type\":\"unlock\"}")]
    [InlineData("{\"ids\":\"everything\"}")]
    public void Handle_MalformedCommandOrAck_IsDropped(string payload)
    {
        _rig.Snapshot(1, Data());

        Deliver(DeviceTopics.Commands, Encoding.UTF8.GetBytes(payload));
        Deliver(DeviceTopics.EventAcks, Encoding.UTF8.GetBytes(payload));

        Assert.False(_rig.Relay.IsOpen(FrontDoor));
        Assert.Empty(_rig.Outbox.Sent);
    }

    [Fact]
    public void Handle_OversizedPayload_IsDroppedUnread()
    {
        _dispatcher.Handle(_identity.Topic(DeviceTopics.Sync), null, 64L * 1024 * 1024);

        Assert.Equal(0, _rig.Engine.Current.Version);
    }

    [Fact]
    public void Handle_AnotherDevicesTopic_IsDropped()
    {
        var other = DeviceTopics.For(Claim.OrganizationId, Guid.CreateVersion7(), DeviceTopics.Sync);

        _dispatcher.Handle(other, Json(new SyncMessage(SyncKind.Snapshot, 4, 0, 0, 1, Data()), DeviceProtocolJson.Default.SyncMessage), 100);

        Assert.Equal(0, _rig.Engine.Current.Version);
    }

    private void Deliver(string suffix, byte[] payload) => _dispatcher.Handle(_identity.Topic(suffix), payload, payload.Length);

    private static byte[] Json<T>(T value, System.Text.Json.Serialization.Metadata.JsonTypeInfo<T> type) => JsonSerializer.SerializeToUtf8Bytes(value, type);
}
