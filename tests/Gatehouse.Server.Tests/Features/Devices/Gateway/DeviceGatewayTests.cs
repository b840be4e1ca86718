using System.Net;
using System.Text;
using Gatehouse.Core.DeviceProtocol;
using Gatehouse.Server.Data;
using Gatehouse.Server.Features.Devices;
using Gatehouse.Server.Features.Devices.Gateway;
using Gatehouse.Server.Features.Events;
using Gatehouse.Server.Infrastructure;
using Gatehouse.Server.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using MQTTnet;

namespace Gatehouse.Server.Tests.Features.Devices.Gateway;

/// <summary>
/// The device gateway end to end over a real broker (the in-process one, or Mosquitto when the test script
/// names it): fake devices speak the raw protocol against the server.
/// </summary>
public sealed class DeviceGatewayTests(GatewayApp app) : IClassFixture<GatewayApp>
{
    [Fact]
    public async Task Ready_GatewayConnected_BrokerCheckHealthy()
    {
        await Gateway.WaitConnectedAsync(new CancellationTokenSource(TimeSpan.FromSeconds(15)).Token);

        var ready = await app.Anonymous().GetAsync("/health/ready");

        await ready.AssertStatusAsync(HttpStatusCode.OK);
        Assert.Equal("healthy", (await ready.ReadJsonAsync()).GetProperty("checks").GetProperty("broker").Text("status"));
    }

    [Fact]
    public void EndpointFor_NothingAdvertised_TheHostTheDeviceUsedAndTheBrokerPort() =>
        Assert.Equal(new BrokerEndpoint("doors.example.com", app.Broker.Port, false), Gateway.EndpointFor("doors.example.com"));

    [Fact]
    public async Task Connect_FirstStatus_SnapshotHoldsExactlyWhatItsDoorsNeed()
    {
        var scene = await SceneAsync();
        var other = await SceneAsync();
        await using var device = await TestDevice.CreateAsync(app, scene.Org.Id, [scene.DoorId], name: "Front reader", wiegandFormat: "H10301");

        var parts = await device.ConnectAndSyncAsync();

        Assert.True(parts.Count > 1);
        Assert.All(parts, p => Assert.Equal(parts[0].Version, p.Version));
        Assert.Equal(Enumerable.Range(0, parts.Count), parts.Select(p => p.Part).Order());
        var data = parts.Select(p => p.Data).ToList();
        Assert.Equal(new SyncDevice("Front reader", "H10301"), data.Select(d => d.Device).OfType<SyncDevice>().Single());
        var door = Assert.Single(data.SelectMany(d => d.Doors ?? []));
        Assert.Equal((Guid.Parse(scene.DoorId), "Europe/London"), (door.Id, door.TimeZone));
        Assert.Equal(
            new[] { scene.UserId, scene.BothDoorsUserId }.Select(Guid.Parse).Order(),
            data.SelectMany(d => d.Users ?? []).Select(u => u.Id).Order());
        var cards = data.SelectMany(d => d.Credentials ?? []).ToList();
        Assert.Equal(new[] { scene.CardId, scene.BothDoorsCardId }.Select(Guid.Parse).Order(), cards.Select(c => c.Id).Order());
        Assert.Equal("H10301:1:" + scene.CardNumber, cards.Single(c => c.Id == Guid.Parse(scene.CardId)).Card);
        Assert.DoesNotContain(cards, c => c.Id == Guid.Parse(other.CardId));
        var groups = data.SelectMany(d => d.AccessGroups ?? []).ToList();
        Assert.Equal(new[] { scene.GroupId, scene.BothDoorsGroupId }.Select(Guid.Parse).Order(), groups.Select(g => g.Id).Order());

        // A group of both doors reaches the device with only the device's door.
        Assert.Equal([Guid.Parse(scene.DoorId)], groups.Single(g => g.Id == Guid.Parse(scene.BothDoorsGroupId)).DoorIds);
        var schedule = Assert.Single(data.SelectMany(d => d.Schedules ?? []));
        Assert.Equal(Guid.Parse(scene.ScheduleId), schedule.Id);
        Assert.Contains(new SyncWindow(DayOfWeek.Monday, "08:00", "18:00"), schedule.Windows);
        Assert.Equal(parts[0].Version, await PublishedVersionAsync(device));
    }

    [Fact]
    public async Task SuspendCredential_OnlineDevice_GetsDeltaSuspendingIt()
    {
        var scene = await SceneAsync();
        await using var device = await TestDevice.CreateAsync(app, scene.Org.Id, [scene.DoorId]);
        var version = (await device.ConnectAndSyncAsync())[0].Version;

        await (await scene.Org.Owner.PatchRawAsync($"/api/v1/credentials/{scene.CardId}", """{"status":"suspended"}"""))
            .AssertStatusAsync(HttpStatusCode.OK);

        var delta = await device.WaitForSyncAsync(s => s.Kind == SyncKind.Delta, "a delta");
        Assert.Equal((version, version + 1), (delta.FromVersion, delta.Version));
        var card = Assert.Single(delta.Data.Credentials ?? []);
        Assert.Equal((Guid.Parse(scene.CardId), true), (card.Id, card.Suspended));
        Assert.Null(delta.Data.Users);
        Assert.Null(delta.Data.Removed);
    }

    [Fact]
    public async Task DeleteCredential_OnlineDevice_GetsDeltaRemovingIt()
    {
        var scene = await SceneAsync();
        await using var device = await TestDevice.CreateAsync(app, scene.Org.Id, [scene.DoorId]);
        var version = (await device.ConnectAndSyncAsync())[0].Version;

        await (await scene.Org.Owner.DeleteAsync($"/api/v1/credentials/{scene.CardId}")).AssertStatusAsync(HttpStatusCode.NoContent);

        var delta = await device.WaitForSyncAsync(s => s.Kind == SyncKind.Delta, "a delta");
        Assert.Equal((version, version + 1), (delta.FromVersion, delta.Version));
        Assert.Equal([Guid.Parse(scene.CardId)], delta.Data.Removed?.Credentials);
        Assert.Null(delta.Data.Credentials);
    }

    [Fact]
    public async Task SuspendUser_OnlineDevice_GetsDeltaSuspendingThem()
    {
        var scene = await SceneAsync();
        await using var device = await TestDevice.CreateAsync(app, scene.Org.Id, [scene.DoorId]);
        await device.ConnectAndSyncAsync();

        await (await scene.Org.Owner.PatchRawAsync($"/api/v1/users/{scene.UserId}", """{"status":"suspended"}""")).AssertStatusAsync(HttpStatusCode.OK);

        var delta = await device.WaitForSyncAsync(s => s.Kind == SyncKind.Delta, "a delta");
        var user = Assert.Single(delta.Data.Users ?? []);
        Assert.Equal((Guid.Parse(scene.UserId), true), (user.Id, user.Suspended));
        Assert.Equal([Guid.Parse(scene.GroupId)], user.AccessGroupIds);
    }

    [Fact]
    public async Task UserLeavesGroup_OnlineDevice_GetsDeltaRemovingThemAndTheirCards()
    {
        var scene = await SceneAsync();
        await using var device = await TestDevice.CreateAsync(app, scene.Org.Id, [scene.DoorId]);
        await device.ConnectAndSyncAsync();

        await (await scene.Org.Owner.PatchRawAsync($"/api/v1/users/{scene.UserId}", """{"accessGroupIds":[]}""")).AssertStatusAsync(HttpStatusCode.OK);

        var delta = await device.WaitForSyncAsync(s => s.Kind == SyncKind.Delta, "a delta");
        Assert.Equal([Guid.Parse(scene.UserId)], delta.Data.Removed?.Users);
        Assert.Equal([Guid.Parse(scene.CardId)], delta.Data.Removed?.Credentials);
    }

    [Fact]
    public async Task ChangeWhileOffline_DeviceBackWithCurrentVersion_GetsTheChangeAsDelta()
    {
        var scene = await SceneAsync();
        await using var device = await TestDevice.CreateAsync(app, scene.Org.Id, [scene.DoorId]);
        var version = (await device.ConnectAndSyncAsync())[0].Version;
        await device.PublishStatusAsync(version);
        await device.PublishStatusAsync(version, online: false);
        await WaitOnlineAsync(device, false);

        // One change while it is away, then one (patching the server's read) while it is still away.
        await (await scene.Org.Owner.PatchRawAsync($"/api/v1/credentials/{scene.CardId}", """{"status":"suspended"}""")).AssertStatusAsync(HttpStatusCode.OK);
        await (await scene.Org.Owner.PatchRawAsync($"/api/v1/credentials/{scene.BothDoorsCardId}", """{"status":"suspended"}""")).AssertStatusAsync(HttpStatusCode.OK);
        await device.PublishStatusAsync(version);

        var delta = await device.WaitForSyncAsync(s => s.Kind == SyncKind.Delta, "a delta");
        Assert.Equal((version, version + 1), (delta.FromVersion, delta.Version));
        Assert.Equal(
            new[] { scene.CardId, scene.BothDoorsCardId }.Select(Guid.Parse).Order(),
            (delta.Data.Credentials ?? []).Where(c => c.Suspended).Select(c => c.Id).Order());
        Assert.Single(device.Syncs, s => s.Kind == SyncKind.Delta);
    }

    [Fact]
    public async Task ChangeElsewhere_NothingTheDeviceHolds_PublishesNothing()
    {
        var scene = await SceneAsync();
        await using var device = await TestDevice.CreateAsync(app, scene.Org.Id, [scene.DoorId]);
        await device.ConnectAndSyncAsync();

        // A card of the other door's user, then one of this door's: only the second reaches the device.
        await scene.Org.Owner.CreateAsync($"/api/v1/users/{scene.OtherDoorUserId}/credentials/cards", new { format = "H10301", facilityCode = 2, cardNumber = 77 });
        var added = await scene.Org.Owner.CreateAsync($"/api/v1/users/{scene.UserId}/credentials/cards", new { format = "H10301", facilityCode = 2, cardNumber = 78 });

        var delta = await device.WaitForSyncAsync(s => s.Kind == SyncKind.Delta, "a delta");
        Assert.Equal([Guid.Parse(added.Id())], (delta.Data.Credentials ?? []).Select(c => c.Id));
        Assert.Single(device.Syncs, s => s.Kind == SyncKind.Delta);
    }

    [Fact]
    public async Task Status_VersionOlderThanConfirmed_GetsNewSnapshot()
    {
        var scene = await SceneAsync();
        await using var device = await TestDevice.CreateAsync(app, scene.Org.Id, [scene.DoorId]);
        var version = (await device.ConnectAndSyncAsync())[0].Version;
        await device.PublishStatusAsync(version);

        await device.PublishStatusAsync(version - 1);

        var snapshot = await device.WaitForSnapshotAsync(after: version);
        Assert.Equal(version + 1, snapshot[0].Version);
    }

    [Fact]
    public async Task VersionCheck_DeviceOneDeltaBehindWithoutKnowing_GetsSnapshotWithoutAnotherChange()
    {
        var scene = await SceneAsync();
        await using var device = await TestDevice.CreateAsync(app, scene.Org.Id, [scene.DoorId]);
        var version = (await device.ConnectAndSyncAsync())[0].Version;
        await device.PublishStatusAsync(version);
        await TestDevice.WaitUntilAsync(async () => (await StateAsync(device))?.SyncVersion == version, "the status stored");
        await (await scene.Org.Owner.PatchRawAsync($"/api/v1/credentials/{scene.CardId}", """{"status":"suspended"}"""))
            .AssertStatusAsync(HttpStatusCode.OK);
        await device.WaitForSyncAsync(s => s.Kind == SyncKind.Delta, "a delta");

        // The delta is lost on the way (the device keeps reporting the version before it) and nothing else changes:
        // no later delta shows the device the gap. The periodic check finds it still behind at its second look.
        var interval = TimeSpan.FromSeconds(app.Services.GetRequiredService<Microsoft.Extensions.Options.IOptions<MqttOptions>>().Value.VersionCheckSeconds);
        IReadOnlyList<SyncMessage>? snapshot = null;
        for (var check = 0; check < 3 && snapshot is null; check++)
        {
            app.Clock.Advance(interval);
            snapshot = await SnapshotWithinAsync(device, after: version + 1, TimeSpan.FromSeconds(2));
        }

        Assert.NotNull(snapshot);
        Assert.Equal(version + 2, snapshot[0].Version);
        Assert.Contains(snapshot.SelectMany(p => p.Data.Credentials ?? []), c => c.Id == Guid.Parse(scene.CardId) && c.Suspended);
    }

    [Fact]
    public async Task VersionCheck_DeviceInStep_GetsNothing()
    {
        var scene = await SceneAsync();
        await using var device = await TestDevice.CreateAsync(app, scene.Org.Id, [scene.DoorId]);
        var version = (await device.ConnectAndSyncAsync())[0].Version;
        await device.PublishStatusAsync(version);
        await TestDevice.WaitUntilAsync(async () => (await StateAsync(device))?.SyncVersion == version, "the status stored");
        var interval = TimeSpan.FromSeconds(app.Services.GetRequiredService<Microsoft.Extensions.Options.IOptions<MqttOptions>>().Value.VersionCheckSeconds);

        for (var check = 0; check < 3; check++)
        {
            app.Clock.Advance(interval);
            Assert.Null(await SnapshotWithinAsync(device, after: version, TimeSpan.FromSeconds(1)));
        }

        Assert.DoesNotContain(device.Syncs, s => s.Version > version);
    }

    [Fact]
    public async Task Reconnect_WithStaleVersion_GetsSnapshot_WithCurrentVersion_GetsNothing()
    {
        var scene = await SceneAsync();
        await using var device = await TestDevice.CreateAsync(app, scene.Org.Id, [scene.DoorId]);
        var version = (await device.ConnectAndSyncAsync())[0].Version;
        await device.PublishStatusAsync(version);

        await device.PublishStatusAsync(version, online: false);
        await WaitOnlineAsync(device, false);
        await device.PublishStatusAsync(version);
        await WaitOnlineAsync(device, true);
        await device.PublishStatusAsync(version, online: false);
        await WaitOnlineAsync(device, false);
        await device.PublishStatusAsync(0);

        var snapshot = await device.WaitForSnapshotAsync(after: version);
        Assert.Equal(version + 1, snapshot[0].Version);
        Assert.Equal(2, device.Syncs.Select(s => s.Version).Distinct().Count());
    }

    [Fact]
    public async Task ServerStartedAgain_OnlineDeviceIsOnlineOnlyWhereItsBrokerKeptIt()
    {
        var scene = await SceneAsync();
        await using var device = await TestDevice.CreateAsync(app, scene.Org.Id, [scene.DoorId]);
        await device.ConnectAndSyncAsync();
        await WaitOnlineAsync(device, true);

        // A second server on the same store: with its own broker nobody is connected to it yet; an external
        // broker still holds the device's retained "online".
        using var restarted = app.WithWebHostBuilder(_ => { });
        using var readiness = restarted.CreateClient();
        await TestDevice.WaitUntilAsync(async () => (await readiness.GetAsync("/health/ready")).IsSuccessStatusCode, "the second server to be ready");

        await WaitOnlineAsync(device, app.Broker.IsExternal);
    }

    [Fact]
    public async Task SyncRequest_GetsSnapshot()
    {
        var scene = await SceneAsync();
        await using var device = await TestDevice.CreateAsync(app, scene.Org.Id, [scene.DoorId]);
        var version = (await device.ConnectAndSyncAsync())[0].Version;

        await device.RequestSnapshotAsync(version, "gap");

        Assert.Equal(version + 1, (await device.WaitForSnapshotAsync(after: version))[0].Version);
    }

    [Fact]
    public async Task Status_StoredAsDeviceState()
    {
        var scene = await SceneAsync();
        await using var device = await TestDevice.CreateAsync(app, scene.Org.Id, [scene.DoorId]);
        await device.ConnectAndSyncAsync();

        await device.PublishStatusAsync(
            3, softwareVersion: "9.9.9", queuedEvents: 12,
            doors: [new DoorState(Guid.Parse(scene.DoorId), true), new DoorState(Guid.Parse(scene.OtherDoorId), true)]);

        await TestDevice.WaitUntilAsync(async () => (await StateAsync(device))?.SoftwareVersion == "9.9.9", "the status stored");
        var state = (await StateAsync(device))!;
        Assert.True(state.Online);
        Assert.Equal((3L, 12), (state.SyncVersion, state.QueuedEvents));

        // Only the device's own door; a door it does not control cannot be unlocked by it.
        Assert.Equal([Guid.Parse(scene.DoorId)], state.UnlockedDoorIds);
    }

    [Fact]
    public async Task Events_SameBatchTwice_StoredOnceAndAckedTwice()
    {
        var scene = await SceneAsync();
        await using var device = await TestDevice.CreateAsync(app, scene.Org.Id, [scene.DoorId]);
        await device.ConnectAndSyncAsync();
        var events = Enumerable.Range(0, 3).Select(i => Event(scene, scene.DoorId, granted: i != 1)).ToArray();

        await device.PublishEventsAsync(events);
        await device.PublishEventsAsync(events);

        await TestDevice.WaitForAsync(() => device.Acks.Count == 2 ? device.Acks : null, "two acks");
        Assert.All(device.Acks, a => Assert.Equal(events.Select(e => e.Id).Order(), a.Ids.Order()));
        var stored = await scene.Org.Owner.GetJsonAsync($"/api/v1/events?doorId={scene.DoorId}");
        Assert.Equal(3, stored.GetProperty("total").GetInt32());
        var first = stored.GetProperty("items").EnumerateArray().Single(e => e.Id() == events[0].Id.ToString());
        Assert.Equal("device", first.Str("source"));
        Assert.Equal(device.Id.ToString(), first.Str("deviceId"));
        Assert.Equal("Ana Lima", first.Str("userName"));
        Assert.Equal(scene.DoorName, first.Str("doorName"));
        Assert.Equal("card", first.Str("credentialType"));
    }

    [Fact]
    public async Task Events_BurstFromTwentyDevices_EachStoredOnceAndAcked()
    {
        var scene = await SceneAsync();
        var site = await scene.Org.Owner.NewSiteAsync();
        var devices = new List<TestDevice>();
        for (var i = 0; i < 20; i++)
        {
            var door = await scene.Org.Owner.NewDoorAsync(site.Id());
            var device = await TestDevice.CreateAsync(app, scene.Org.Id, [door.Id()]);
            Assert.Equal(MqttClientConnectResultCode.Success, await device.ConnectAsync());
            devices.Add(device);
        }

        try
        {
            // Every batch is sent twice, as a device does when its ack is late; both copies at once.
            var sent = await Task.WhenAll(devices.Select(async device =>
            {
                var door = await StateDoorAsync(device);
                var batches = Enumerable.Range(0, 5)
                    .Select(_ => Enumerable.Range(0, 100).Select(_ => Event(scene, door.ToString())).ToArray())
                    .ToList();
                foreach (var batch in batches.Concat(batches))
                {
                    await device.PublishEventsAsync(batch);
                }

                return (device, batches.SelectMany(b => b).Select(e => e.Id).ToHashSet());
            }));

            foreach (var (device, ids) in sent)
            {
                await TestDevice.WaitForAsync(
                    () => device.Acks.Count == 10 ? device.Acks : null, $"ten acks for device {device.Id}", TimeSpan.FromSeconds(60));
                Assert.True(ids.SetEquals(device.Acks.SelectMany(a => a.Ids)));
            }

            Assert.Equal(10_000, await scene.Org.Owner.TotalAsync("/api/v1/events?pageSize=1"));
        }
        finally
        {
            foreach (var device in devices)
            {
                await device.DisposeAsync();
            }
        }
    }

    [Fact]
    public async Task Event_DoorNotOfDevice_AckedNotStored()
    {
        var scene = await SceneAsync();
        await using var device = await TestDevice.CreateAsync(app, scene.Org.Id, [scene.DoorId]);
        await device.ConnectAndSyncAsync();
        var foreign = Event(scene, scene.OtherDoorId);
        var unknownReason = Event(scene, scene.DoorId) with { Granted = false, Reason = "magic" };
        var own = Event(scene, scene.DoorId);

        await device.PublishEventsAsync(foreign, unknownReason, own);

        var ack = await TestDevice.WaitForAsync(() => Head(device.Acks), "an ack");
        Assert.Equal(new[] { foreign.Id, unknownReason.Id, own.Id }.Order(), ack.Ids.Order());
        Assert.Equal(0, await scene.Org.Owner.TotalAsync($"/api/v1/events?doorId={scene.OtherDoorId}"));
        Assert.Equal([own.Id.ToString()], await scene.Org.Owner.ListIdsAsync($"/api/v1/events?doorId={scene.DoorId}"));
        Assert.True(app.Logs.Contains(LogLevel.Warning, $"Refused event {foreign.Id} of device {device.Id}"));
    }

    [Fact]
    public async Task Connect_WrongPassword_Refused()
    {
        var scene = await SceneAsync();
        await using var device = await TestDevice.CreateAsync(app, scene.Org.Id, [scene.DoorId]);

        var code = await device.ConnectAsync(password: "not-" + device.Password);

        Assert.NotEqual(MqttClientConnectResultCode.Success, code);
        Assert.False(device.IsConnected);
        Assert.DoesNotContain(app.Logs.Lines, l => l.Message.Contains(device.Password, StringComparison.Ordinal));
    }

    [Fact]
    public async Task Revoke_ConnectedDevice_DisconnectedAndCannotReconnect()
    {
        var scene = await SceneAsync();
        await using var device = await TestDevice.CreateAsync(app, scene.Org.Id, [scene.DoorId]);
        await device.ConnectAndSyncAsync();

        await Gateway.RevokeAsync(device.OrganizationId, device.Id, CancellationToken.None);

        await TestDevice.WaitUntilAsync(() => Task.FromResult(!device.IsConnected), "the device to be disconnected");
        Assert.NotEqual(MqttClientConnectResultCode.Success, await device.ConnectAsync());
    }

    [Fact]
    public async Task Device_OtherDevicesTopics_CannotSubscribeNorPublish()
    {
        var scene = await SceneAsync();
        await using var mine = await TestDevice.CreateAsync(app, scene.Org.Id, [scene.DoorId]);
        await using var theirs = await TestDevice.CreateAsync(app, scene.Org.Id, [scene.OtherDoorId]);
        await mine.ConnectAndSyncAsync();
        await theirs.ConnectAndSyncAsync();

        Assert.True(await mine.SubscribeAsync(theirs.Topic(DeviceTopics.Commands)) > MqttClientSubscribeResultCode.GrantedQoS2);
        Assert.True(await mine.SubscribeAsync(DeviceTopics.AllDevices(DeviceTopics.Commands)) > MqttClientSubscribeResultCode.GrantedQoS2);
        var forged = Event(scene, scene.OtherDoorId);
        var forgedTopic = theirs.Topic(DeviceTopics.Events);
        var forgedPayload = System.Text.Json.JsonSerializer.SerializeToUtf8Bytes(new EventBatch([forged]), DeviceProtocolJson.Default.EventBatch);
        await mine.PublishRawAsync(forgedTopic, forgedPayload);
        await mine.PublishRawAsync(theirs.Topic(DeviceTopics.Status), Encoding.UTF8.GetBytes("""{"online":false,"at":"2026-01-01T00:00:00Z"}"""), retain: true);

        // The real device's own message, and a command to it, come through after the forged ones.
        var real = Event(scene, scene.OtherDoorId);
        await theirs.PublishEventsAsync(real);
        var command = new UnlockCommand(Guid.NewGuid(), app.Clock.GetUtcNow(), Guid.Parse(scene.OtherDoorId));
        Assert.True(await Gateway.SendAsync(theirs.OrganizationId, theirs.Id, command, CancellationToken.None));
        await TestDevice.WaitForAsync(() => Head(theirs.Acks), "the real device's ack");
        await TestDevice.WaitForAsync(() => Head(theirs.Commands), "the real device's command");

        Assert.Equal([real.Id.ToString()], await scene.Org.Owner.ListIdsAsync($"/api/v1/events?doorId={scene.OtherDoorId}"));
        Assert.Empty(mine.Commands);
        Assert.DoesNotContain(mine.Received, m => m.Topic.Contains(theirs.Id.ToString(), StringComparison.Ordinal));
        Assert.True((await StateAsync(theirs))!.Online);
    }

    [Fact]
    public async Task Device_LastWillOnAnotherDevicesStatus_NeverReachesTheServer()
    {
        var scene = await SceneAsync();
        await using var mine = await TestDevice.CreateAsync(app, scene.Org.Id, [scene.DoorId]);
        await using var theirs = await TestDevice.CreateAsync(app, scene.Org.Id, [scene.OtherDoorId]);
        var version = (await theirs.ConnectAndSyncAsync())[0].Version;
        mine.WillTopic = theirs.Topic(DeviceTopics.Status);

        // Mosquitto refuses such a connection outright; the in-process broker refuses the will when it is published.
        if (await mine.ConnectAsync() == MqttClientConnectResultCode.Success)
        {
            mine.Drop();
            if (!app.Broker.IsExternal)
            {
                await app.Logs.WaitForAsync(LogLevel.Warning, $"Refused a publish of device {mine.Id} on {theirs.Topic(DeviceTopics.Status)}");
            }
        }

        // Handled after anything the will could have caused: the server answers it in the same order.
        await theirs.RequestSnapshotAsync(version, "after the will");
        await theirs.WaitForSnapshotAsync(after: version);
        Assert.True((await StateAsync(theirs))!.Online);
    }

    [Fact]
    public async Task MalformedAndOversizedPayloads_LoggedAndGatewayKeepsWorking()
    {
        var scene = await SceneAsync();
        await using var device = await TestDevice.CreateAsync(app, scene.Org.Id, [scene.DoorId]);
        await device.ConnectAndSyncAsync();
        var eventsTopic = device.Topic(DeviceTopics.Events);

        await device.PublishRawAsync(eventsTopic, Encoding.UTF8.GetBytes("{\"events\": [ {\"id\": 12"));
        await device.PublishRawAsync(device.Topic(DeviceTopics.Replies), Encoding.UTF8.GetBytes("""{"type":"selfDestruct","commandId":"x"}"""));
        await device.PublishRawAsync(eventsTopic, new byte[300 * 1024]);
        var valid = Event(scene, scene.DoorId);
        await device.PublishEventsAsync(valid);

        var ack = await TestDevice.WaitForAsync(() => Head(device.Acks), "the valid batch's ack");
        Assert.Equal([valid.Id], ack.Ids);
        Assert.Equal([valid.Id.ToString()], await scene.Org.Owner.ListIdsAsync($"/api/v1/events?doorId={scene.DoorId}"));
        Assert.True(app.Logs.Contains(LogLevel.Warning, $"Dropped a message on {eventsTopic} (22 bytes): not a valid event batch"));
        Assert.True(app.Logs.Contains(LogLevel.Warning, $"Dropped a message on {device.Topic(DeviceTopics.Replies)}"));
        Assert.Contains(app.Logs.Lines, l => l.Level == LogLevel.Warning && l.Message.Contains(eventsTopic, StringComparison.Ordinal) && l.Message.Contains("307200 bytes", StringComparison.Ordinal));
    }

    [Fact]
    public async Task SendAsync_CommandReachesDevice()
    {
        var scene = await SceneAsync();
        await using var device = await TestDevice.CreateAsync(app, scene.Org.Id, [scene.DoorId]);
        await device.ConnectAndSyncAsync();
        var command = new UnlockCommand(Guid.NewGuid(), app.Clock.GetUtcNow(), Guid.Parse(scene.DoorId));

        Assert.True(await Gateway.SendAsync(device.OrganizationId, device.Id, command, CancellationToken.None));

        var received = await TestDevice.WaitForAsync(() => Head(device.Commands), "the command");
        Assert.Equal(command, received);
    }

    [Fact]
    public async Task ServerClient_DroppedByBroker_ReconnectsAndKeepsWorking()
    {
        var scene = await SceneAsync();
        await using var device = await TestDevice.CreateAsync(app, scene.Org.Id, [scene.DoorId]);
        await device.ConnectAndSyncAsync();
        var drops = app.Logs.Lines.Count(l => l.Message.StartsWith("The device gateway lost the broker", StringComparison.Ordinal));

        await DropServerClientAsync();

        await TestDevice.WaitUntilAsync(
            () => Task.FromResult(app.Logs.Lines.Count(l => l.Message.StartsWith("The device gateway lost the broker", StringComparison.Ordinal)) > drops),
            "the gateway to notice");
        await Gateway.WaitConnectedAsync(new CancellationTokenSource(TimeSpan.FromSeconds(15)).Token);
        var valid = Event(scene, scene.DoorId);
        await device.PublishEventsAsync(valid);
        await TestDevice.WaitForAsync(() => Head(device.Acks), "an ack after the reconnect");
        Assert.Equal([valid.Id.ToString()], await scene.Org.Owner.ListIdsAsync($"/api/v1/events?doorId={scene.DoorId}"));
    }

    [Fact]
    public async Task DeviceDeletedWhileServerAway_CannotConnectAfterReconnect()
    {
        var scene = await SceneAsync();
        await using var device = await TestDevice.CreateAsync(app, scene.Org.Id, [scene.DoorId]);
        await using (var scope = app.Services.CreateAsyncScope())
        {
            // Straight from the store, as if removed by another server while this one was not connected.
            scope.ServiceProvider.GetRequiredService<CurrentOrganization>().Set(device.OrganizationId);
            await scope.ServiceProvider.GetRequiredService<GatehouseDbContext>().Devices.Where(d => d.Id == device.Id).ExecuteDeleteAsync();
        }

        await DropServerClientAsync();
        await TestDevice.WaitUntilAsync(
            () => Task.FromResult(app.Logs.Contains(LogLevel.Information, "Removed 1 broker accounts") || !app.Broker.IsExternal),
            "the reconcile");
        await Gateway.WaitConnectedAsync(new CancellationTokenSource(TimeSpan.FromSeconds(15)).Token);

        Assert.NotEqual(MqttClientConnectResultCode.Success, await device.ConnectAsync());
    }

    [Fact]
    public async Task Events_NullEventFromOneDevice_OtherDevicesEventsStoredAndItsValidOnesToo()
    {
        var scene = await SceneAsync();
        await using var bad = await TestDevice.CreateAsync(app, scene.Org.Id, [scene.DoorId]);
        await using var good = await TestDevice.CreateAsync(app, scene.Org.Id, [scene.OtherDoorId]);
        await bad.ConnectAndSyncAsync();
        await good.ConnectAndSyncAsync();
        var badsValid = Event(scene, scene.DoorId);
        var goods = Event(scene, scene.OtherDoorId) with { CredentialId = Guid.Parse(scene.OtherCardId), UserId = Guid.Parse(scene.OtherDoorUserId) };

        await bad.PublishRawAsync(bad.Topic(DeviceTopics.Events), Encoding.UTF8.GetBytes("""{"events":[null]}"""));
        await bad.PublishRawAsync(
            bad.Topic(DeviceTopics.Events),
            Encoding.UTF8.GetBytes($$"""{"events":[null,{{System.Text.Json.JsonSerializer.Serialize(badsValid, DeviceProtocolJson.Default.DeviceEvent)}}]}"""));
        await bad.PublishRawAsync(bad.Topic(DeviceTopics.Events), Encoding.UTF8.GetBytes("""{"events":null}"""));
        await good.PublishEventsAsync(goods);

        await TestDevice.WaitForAsync(() => good.Acks.FirstOrDefault(a => a.Ids.Contains(goods.Id)), "the good device's ack");
        await TestDevice.WaitForAsync(() => bad.Acks.FirstOrDefault(a => a.Ids.Contains(badsValid.Id)), "the bad device's ack of its valid event");
        Assert.Equal([goods.Id.ToString()], await scene.Org.Owner.ListIdsAsync($"/api/v1/events?doorId={scene.OtherDoorId}"));
        Assert.Equal([badsValid.Id.ToString()], await scene.Org.Owner.ListIdsAsync($"/api/v1/events?doorId={scene.DoorId}"));
        var shown = await scene.Org.Owner.GetJsonAsync($"/api/v1/devices/{bad.Id}");
        Assert.Equal(2, shown.GetProperty("rejectedEvents").GetInt64());
        Assert.Equal(0, (await scene.Org.Owner.GetJsonAsync($"/api/v1/devices/{good.Id}")).GetProperty("rejectedEvents").GetInt64());
        Assert.True(app.Logs.Contains(LogLevel.Warning, $"of device {bad.Id}: the event is empty"));
        Assert.DoesNotContain(app.Logs.Lines, l => l.Message.StartsWith("Storing", StringComparison.Ordinal) && l.Level == LogLevel.Error);
    }

    [Fact]
    public async Task Events_WhatTheDeviceCouldNotHaveSeen_RefusedCountedAndAcked()
    {
        var scene = await SceneAsync();
        var elsewhere = await SceneAsync();
        await using var device = await TestDevice.CreateAsync(app, scene.Org.Id, [scene.DoorId]);
        await device.ConnectAndSyncAsync();
        var now = app.Clock.GetUtcNow();
        var foreignUser = Event(scene, scene.DoorId) with { CredentialId = null, UserId = Guid.Parse(elsewhere.UserId) };
        var foreignCard = Event(scene, scene.DoorId) with { CredentialId = Guid.Parse(elsewhere.CardId), UserId = null };
        var someoneElsesCard = Event(scene, scene.DoorId) with { CredentialId = Guid.Parse(scene.OtherCardId) };
        var cardAsFace = Event(scene, scene.DoorId) with { CredentialType = "face" };
        var unlockNeverSent = new DeviceEvent(Guid.CreateVersion7(), now, Guid.Parse(scene.DoorId), DeviceEvent.RemoteUnlock, true, "granted");
        var cloudKeyNeverSent = unlockNeverSent with { Id = Guid.CreateVersion7(), CredentialType = "cloudKey" };
        var yearsAgo = Event(scene, scene.DoorId) with { OccurredAt = now.AddYears(-3) };
        var pastTheHorizon = Event(scene, scene.DoorId) with { OccurredAt = now.AddDays(-31) };
        var inTheFuture = Event(scene, scene.DoorId) with { OccurredAt = now.AddHours(1) };
        var lateButKept = Event(scene, scene.DoorId) with { OccurredAt = now.AddDays(-29) };
        var slightlyAhead = Event(scene, scene.DoorId) with { OccurredAt = now.AddMinutes(2) };
        var unknownCard = new DeviceEvent(Guid.CreateVersion7(), now, Guid.Parse(scene.DoorId), "card", false, "unknownCredential", Card: "H10301:1:xxx72");
        DeviceEvent[] refused = [foreignUser, foreignCard, someoneElsesCard, cardAsFace, unlockNeverSent, cloudKeyNeverSent, yearsAgo, pastTheHorizon, inTheFuture];
        DeviceEvent[] accepted = [lateButKept, slightlyAhead, unknownCard];

        await device.PublishEventsAsync([.. refused, .. accepted]);

        var ack = await TestDevice.WaitForAsync(() => Head(device.Acks), "the ack");
        Assert.Equal(refused.Concat(accepted).Select(e => e.Id).Order(), ack.Ids.Order());
        Assert.Equal(accepted.Select(e => e.Id.ToString()).Order(), (await scene.Org.Owner.ListIdsAsync($"/api/v1/events?doorId={scene.DoorId}")).Order());
        Assert.Equal(refused.Length, (await scene.Org.Owner.GetJsonAsync($"/api/v1/devices/{device.Id}")).GetProperty("rejectedEvents").GetInt64());
        Assert.Equal(0, await elsewhere.Org.Owner.TotalAsync("/api/v1/events"));
        Assert.True(app.Logs.Contains(LogLevel.Warning, $"Refused event {unlockNeverSent.Id} of device {device.Id}: no such unlock command"));
        Assert.True(app.Logs.Contains(LogLevel.Warning, $"Refused event {inTheFuture.Id} of device {device.Id}: it is dated"));
    }

    [Fact]
    public async Task Liveness_ConnectionKilledWithoutWill_ShownOffline()
    {
        if (app.Broker.IsExternal)
        {
            // Mosquitto has no event for the server: there the heartbeat (the next test) is what tells.
            return;
        }

        var scene = await SceneAsync();
        await using var device = await TestDevice.CreateAsync(app, scene.Org.Id, [scene.DoorId]);
        device.HasWill = false;
        await device.ConnectAndSyncAsync();
        await WaitOnlineAsync(device, true);

        device.Drop();

        await TestDevice.WaitUntilAsync(
            async () => !(await scene.Org.Owner.GetJsonAsync($"/api/v1/devices/{device.Id}")).GetProperty("online").GetBoolean(), "the device shown offline");
        await (await scene.Org.Owner.PostAsync($"/api/v1/doors/{scene.DoorId}/unlock", null)).AssertStatusAsync(HttpStatusCode.Conflict);
    }

    [Fact]
    public async Task Liveness_HeartbeatsStop_OfflineAfterThreeMissedOnEveryServer()
    {
        var scene = await SceneAsync();
        await using var device = await TestDevice.CreateAsync(app, scene.Org.Id, [scene.DoorId]);
        device.HasWill = false;
        await device.ConnectAsync();
        await device.PublishStatusAsync(0, heartbeatSeconds: 10);
        await WaitOnlineAsync(device, true);
        Assert.True((await scene.Org.Owner.GetJsonAsync($"/api/v1/devices/{device.Id}")).GetProperty("online").GetBoolean());

        // Still connected to the broker, but silent (a hung agent, or a broker that never publishes its will).
        app.Clock.Advance(TimeSpan.FromSeconds(31));

        Assert.False((await scene.Org.Owner.GetJsonAsync($"/api/v1/devices/{device.Id}")).GetProperty("online").GetBoolean());
        await (await scene.Org.Owner.PostAsync($"/api/v1/doors/{scene.DoorId}/unlock", null)).AssertStatusAsync(HttpStatusCode.Conflict);
        Assert.Empty(device.Commands);
    }

    [Fact]
    public async Task Connect_DeviceWithoutKeepAlive_Refused()
    {
        if (app.Broker.IsExternal)
        {
            return;
        }

        var scene = await SceneAsync();
        await using var device = await TestDevice.CreateAsync(app, scene.Org.Id, [scene.DoorId]);
        using var client = new MqttClientFactory().CreateMqttClient();

        MqttClientConnectResultCode code;
        try
        {
            code = (await client.ConnectAsync(new MqttClientOptionsBuilder()
            .WithTcpServer(app.Broker.Host, app.Broker.Port)
            .WithClientId(device.Id.ToString("D"))
            .WithCredentials(device.Id.ToString("D"), device.Password)
            .WithProtocolVersion(MQTTnet.Formatter.MqttProtocolVersion.V500)
            .WithKeepAlivePeriod(TimeSpan.Zero)
            .Build())).ResultCode;
        }
        catch (MQTTnet.Exceptions.MqttCommunicationException)
        {
            code = MqttClientConnectResultCode.NotAuthorized;
        }

        Assert.NotEqual(MqttClientConnectResultCode.Success, code);
        Assert.False(client.IsConnected);
        Assert.True(app.Logs.Contains(LogLevel.Warning, $"Refused the MQTT connection of {device.Id}: its keep-alive is 0 s"));
    }

    [Fact]
    public async Task Unlock_DoneAfterTheServerGaveUp_NotCountedTheCommandStaysExpired()
    {
        var scene = await SceneAsync();
        await using var device = await TestDevice.CreateAsync(app, scene.Org.Id, [scene.DoorId]);
        device.ConfirmsUnlocks = false;
        await device.ConnectAndSyncAsync();
        await WaitOnlineAsync(device, true);

        var answer = await (await scene.Org.Owner.PostAsync($"/api/v1/doors/{scene.DoorId}/unlock", null)).JsonAsync(HttpStatusCode.Accepted);

        Assert.Equal("doorDidNotAnswer", answer.Str("outcome"));
        var command = Assert.Single(device.Commands.OfType<UnlockCommand>());
        Assert.Equal(command.IssuedAt + TimeSpan.FromSeconds(2) + new DeviceOptions().UnlockExpiryMargin, command.ExpiresAt);

        // An agent that ignores expiresAt (older than the field, or its clock behind) opens the door after all and says so.
        await device.PublishReplyAsync(new CommandDoneReply(command.Id, app.Clock.GetUtcNow(), true));
        await app.Logs.WaitForAsync(LogLevel.Warning, $"Device {device.Id} answered unlock command {command.Id} after the server stopped waiting (succeeded: True");

        var record = await InStoreAsync(device.OrganizationId, db => db.RemoteUnlockCommands.AsNoTracking().SingleAsync(c => c.Id == command.Id));
        Assert.Equal((null, false), (record.AnsweredAt, record.Succeeded));
        Assert.NotNull(record.ExpiredAt);
        Assert.Equal(0, await scene.Org.Owner.TotalAsync($"/api/v1/events?doorId={scene.DoorId}"));
    }

    [Fact]
    public async Task UnlockCommands_ExpiredLongerThanTheEventHorizon_Pruned()
    {
        var scene = await SceneAsync();
        await using var device = await TestDevice.CreateAsync(app, scene.Org.Id, [scene.DoorId]);
        var now = app.Clock.GetUtcNow();
        RemoteUnlockCommand Sent(TimeSpan ago) => new()
        {
            Id = Guid.CreateVersion7(),
            OrganizationId = device.OrganizationId,
            DeviceId = device.Id,
            DoorId = Guid.Parse(scene.DoorId),
            DoorName = "Door",
            IssuedAt = now - ago,
            ExpiresAt = now - ago + TimeSpan.FromSeconds(7),
            Source = AccessEventSource.RemoteUnlock,
        };
        var old = Sent(TimeSpan.FromDays(31));
        var recent = Sent(TimeSpan.FromDays(29));
        await InStoreAsync(device.OrganizationId, db =>
        {
            db.RemoteUnlockCommands.AddRange(old, recent);
            return db.SaveChangesAsync();
        });

        app.Clock.Advance(UnlockCommandPruner.Period);

        await TestDevice.WaitUntilAsync(
            () => InStoreAsync(device.OrganizationId, async db => !await db.RemoteUnlockCommands.AnyAsync(c => c.Id == old.Id)), "the old command's record deleted");
        Assert.True(await InStoreAsync(device.OrganizationId, db => db.RemoteUnlockCommands.AnyAsync(c => c.Id == recent.Id)));
    }

    private DeviceGateway Gateway => app.Services.GetRequiredService<DeviceGateway>();

    private async Task<T> InStoreAsync<T>(Guid organizationId, Func<GatehouseDbContext, Task<T>> work)
    {
        await using var scope = app.Services.CreateAsyncScope();
        scope.ServiceProvider.GetRequiredService<CurrentOrganization>().Set(organizationId);
        return await work(scope.ServiceProvider.GetRequiredService<GatehouseDbContext>());
    }

    private static T? Head<T>(IReadOnlyList<T> list)
        where T : class => list.Count > 0 ? list[0] : null;

    private async Task DropServerClientAsync()
    {
        if (!app.Broker.IsExternal)
        {
            await app.Services.GetRequiredService<InProcessBroker>().DisconnectAsync(app.Broker.ServerClientId);
            return;
        }

        // Another connection with the server's client ID takes its session over: the broker drops the server.
        using var intruder = new MqttClientFactory().CreateMqttClient();
        await intruder.ConnectAsync(new MqttClientOptionsBuilder()
            .WithTcpServer(app.Broker.Host, app.Broker.Port)
            .WithClientId(app.Broker.ServerClientId)
            .WithCredentials(app.Broker.AdminUsername, app.Broker.AdminPassword)
            .WithProtocolVersion(MQTTnet.Formatter.MqttProtocolVersion.V500)
            .WithCleanStart(false)
            .WithSessionExpiryInterval(60)
            .Build());
        await intruder.DisconnectAsync(new MqttClientDisconnectOptions());
    }

    // A whole snapshot above the version, or null when none arrived in the time given.
    private static async Task<IReadOnlyList<SyncMessage>?> SnapshotWithinAsync(TestDevice device, long after, TimeSpan wait)
    {
        try
        {
            return await TestDevice.WaitForAsync(
                () =>
                {
                    var parts = device.Syncs.Where(s => s.Kind == SyncKind.Snapshot && s.Version > after).ToList();
                    return parts.Count > 0 && parts.Count == parts[0].Parts ? parts : null;
                },
                "a snapshot",
                wait);
        }
        catch (TimeoutException)
        {
            return null;
        }
    }

    private async Task WaitOnlineAsync(TestDevice device, bool online) =>
        await TestDevice.WaitUntilAsync(async () => (await StateAsync(device))?.Online == online, online ? "online" : "offline");

    private async Task<Gatehouse.Server.Features.Devices.DeviceState?> StateAsync(TestDevice device)
    {
        await using var scope = app.Services.CreateAsyncScope();
        scope.ServiceProvider.GetRequiredService<CurrentOrganization>().Set(device.OrganizationId);
        return await scope.ServiceProvider.GetRequiredService<GatehouseDbContext>().DeviceStates.AsNoTracking().SingleOrDefaultAsync(s => s.DeviceId == device.Id);
    }

    private async Task<Guid> StateDoorAsync(TestDevice device)
    {
        await using var scope = app.Services.CreateAsyncScope();
        scope.ServiceProvider.GetRequiredService<CurrentOrganization>().Set(device.OrganizationId);
        return await scope.ServiceProvider.GetRequiredService<GatehouseDbContext>().DeviceDoors.Where(d => d.DeviceId == device.Id).Select(d => d.DoorId).SingleAsync();
    }

    private async Task<long> PublishedVersionAsync(TestDevice device) => (await StateAsync(device))?.PublishedSyncVersion ?? 0;

    private DeviceEvent Event(Scene scene, string doorId, bool granted = true) => new(
        Guid.CreateVersion7(),
        app.Clock.GetUtcNow(),
        Guid.Parse(doorId),
        "card",
        granted,
        granted ? "granted" : "outsideSchedule",
        Guid.Parse(scene.CardId),
        Guid.Parse(scene.UserId));

    /// <summary>
    /// An organization with two doors of one site (London): a group of the first door, one of the second, one of
    /// both, a user with a card in each.
    /// </summary>
    private async Task<Scene> SceneAsync()
    {
        var org = await app.NewOrganizationAsync();
        var owner = org.Owner;
        var site = await owner.NewSiteAsync(timeZone: "Europe/London");
        var doorName = Api.Unique("Door");
        var door = await owner.NewDoorAsync(site.Id(), doorName);
        var otherDoor = await owner.NewDoorAsync(site.Id());
        var schedule = await owner.NewScheduleAsync();
        var otherSchedule = await owner.NewScheduleAsync();
        var group = await owner.NewAccessGroupAsync(schedule.Id(), [door.Id()]);
        var otherGroup = await owner.NewAccessGroupAsync(otherSchedule.Id(), [otherDoor.Id()]);
        var bothGroup = await owner.NewAccessGroupAsync(schedule.Id(), [door.Id(), otherDoor.Id()]);
        var user = await owner.NewUserAsync("Ana", "Lima", [group.Id()]);
        var otherUser = await owner.NewUserAsync("Bo", "Other", [otherGroup.Id()]);
        var bothUser = await owner.NewUserAsync("Cy", "Both", [bothGroup.Id()]);
        var number = Random.Shared.Next(1, 60000);
        var card = await owner.CreateAsync($"/api/v1/users/{user.Id()}/credentials/cards", new { format = "H10301", facilityCode = 1, cardNumber = number });
        var otherCard = await owner.CreateAsync($"/api/v1/users/{otherUser.Id()}/credentials/cards", new { format = "CSN", csn = "04A224B2C15E80" });
        var bothCard = await owner.CreateAsync($"/api/v1/users/{bothUser.Id()}/credentials/cards", new { format = "CSN", csn = "04A224B2C15E81" });
        return new Scene(
            org, door.Id(), doorName, otherDoor.Id(), schedule.Id(), group.Id(), bothGroup.Id(),
            user.Id(), otherUser.Id(), bothUser.Id(), card.Id(), number, otherCard.Id(), bothCard.Id());
    }

    private sealed record Scene(
        TestOrganization Org,
        string DoorId,
        string DoorName,
        string OtherDoorId,
        string ScheduleId,
        string GroupId,
        string BothDoorsGroupId,
        string UserId,
        string OtherDoorUserId,
        string BothDoorsUserId,
        string CardId,
        int CardNumber,
        string OtherCardId,
        string BothDoorsCardId);
}
