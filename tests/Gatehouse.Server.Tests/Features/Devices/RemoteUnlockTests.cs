using System.Net;
using Gatehouse.Core.DeviceProtocol;
using Gatehouse.Server.Tests.Infrastructure;

namespace Gatehouse.Server.Tests.Features.Devices;

/// <summary><c>POST /doors/{id}/unlock</c>.</summary>
public sealed class RemoteUnlockTests(DevicesApp app) : IClassFixture<DevicesApp>
{
    [Fact]
    public async Task Unlock_DeviceOnline_Is202AndSendsTheCommandWritesTheEventAndAuditsTheAdmin()
    {
        var org = await app.NewOrganizationAsync();
        var site = await org.Owner.NewSiteAsync();
        var door = await org.Owner.NewDoorAsync(site.Id(), "Front door");
        await using var device = await OnlineDeviceAsync(org, door.Id());

        var response = await org.Owner.PostAsync($"/api/v1/doors/{door.Id()}/unlock", null);

        var accepted = await response.JsonAsync(HttpStatusCode.Accepted);
        Assert.Equal(door.Id(), accepted.Str("doorId"));
        Assert.Equal(device.Id.ToString(), accepted.Str("deviceId"));
        Assert.True(accepted.GetProperty("confirmed").GetBoolean());
        Assert.Equal("unlocked", accepted.Str("outcome"));
        var command = await TestDevice.WaitForAsync(() => device.Commands.OfType<UnlockCommand>().FirstOrDefault(), "the unlock command");
        Assert.Equal(Guid.Parse(door.Id()), command.DoorId);
        Assert.Equal(accepted.Str("commandId"), command.Id.ToString());

        var accessEvent = Assert.Single((await org.Owner.GetJsonAsync($"/api/v1/events?doorId={door.Id()}")).GetProperty("items").EnumerateArray());
        Assert.Equal(accepted.Str("eventId"), accessEvent.Id());
        Assert.Equal("remoteUnlock", accessEvent.Str("source"));
        Assert.True(accessEvent.GetProperty("granted").GetBoolean());
        Assert.Equal("granted", accessEvent.Str("reason"));
        Assert.Equal("Front door", accessEvent.Str("doorName"));
        Assert.Equal(device.Id.ToString(), accessEvent.Str("deviceId"));

        var audit = await org.Owner.GetJsonAsync($"/api/v1/audit?entityType=door&entityId={door.Id()}");
        var unlocked = Assert.Single(audit.GetProperty("items").EnumerateArray(), e => e.Str("action") == "unlocked");
        Assert.Equal(org.OwnerEmail, unlocked.Str("actor"));
        Assert.Contains(unlocked.GetProperty("changes").EnumerateArray(), c => c.Str("field") == "deviceId" && c.Str("after") == device.Id.ToString());
    }

    [Fact]
    public async Task Unlock_DeviceReportsTheUnlockItCarriedOut_StoredOnceAsTheRemoteUnlock()
    {
        var org = await app.NewOrganizationAsync();
        var door = await org.Owner.NewDoorAsync();
        await using var device = await OnlineDeviceAsync(org, door.Id());
        var accepted = await (await org.Owner.PostAsync($"/api/v1/doors/{door.Id()}/unlock", null)).JsonAsync(HttpStatusCode.Accepted);
        var command = await TestDevice.WaitForAsync(() => device.Commands.OfType<UnlockCommand>().FirstOrDefault(), "the unlock command");

        await device.PublishEventsAsync(new DeviceEvent(command.Id, command.IssuedAt.AddMilliseconds(40), command.DoorId, DeviceEvent.RemoteUnlock, true, "granted"));

        await TestDevice.WaitForAsync(() => device.Acks.FirstOrDefault(a => a.Ids.Contains(command.Id)), "the ack of the device's report");
        var accessEvent = Assert.Single((await org.Owner.GetJsonAsync($"/api/v1/events?doorId={door.Id()}")).GetProperty("items").EnumerateArray());
        Assert.Equal((accepted.Str("eventId"), "remoteUnlock"), (accessEvent.Id(), accessEvent.Str("source")));
        Assert.Equal(command.Id.ToString(), accessEvent.Id());
    }

    [Fact]
    public async Task Unlock_DeviceNeverConfirms_202DoorDidNotAnswerAndNoGrantedEventUntilTheDeviceReportsIt()
    {
        var org = await app.NewOrganizationAsync();
        var door = await org.Owner.NewDoorAsync();
        await using var device = await OnlineDeviceAsync(org, door.Id());
        device.ConfirmsUnlocks = false;

        var accepted = await (await org.Owner.PostAsync($"/api/v1/doors/{door.Id()}/unlock", null)).JsonAsync(HttpStatusCode.Accepted);

        Assert.False(accepted.GetProperty("confirmed").GetBoolean());
        Assert.Equal("doorDidNotAnswer", accepted.Str("outcome"));
        Assert.Equal(0, await org.Owner.TotalAsync("/api/v1/events"));

        // The command reached it after all and it opened the door: its own report is the record.
        var command = Assert.Single(device.Commands.OfType<UnlockCommand>());
        await device.PublishEventsAsync(new DeviceEvent(command.Id, command.IssuedAt.AddSeconds(9), command.DoorId, DeviceEvent.RemoteUnlock, true, "granted"));
        await TestDevice.WaitForAsync(() => device.Acks.FirstOrDefault(a => a.Ids.Contains(command.Id)), "the ack of the device's report");
        var accessEvent = Assert.Single((await org.Owner.GetJsonAsync($"/api/v1/events?doorId={door.Id()}")).GetProperty("items").EnumerateArray());
        Assert.Equal((command.Id.ToString(), "remoteUnlock"), (accessEvent.Id(), accessEvent.Str("source")));
    }

    [Fact]
    public async Task Unlock_DeviceRefuses_202RefusedAndNoEvent()
    {
        var org = await app.NewOrganizationAsync();
        var door = await org.Owner.NewDoorAsync();
        await using var device = await OnlineDeviceAsync(org, door.Id());
        device.ConfirmsUnlocks = false;

        var sending = org.Owner.PostAsync($"/api/v1/doors/{door.Id()}/unlock", null);
        var command = await TestDevice.WaitForAsync(() => device.Commands.OfType<UnlockCommand>().FirstOrDefault(), "the unlock command");
        await device.PublishReplyAsync(new CommandDoneReply(command.Id, app.Clock.GetUtcNow(), false, "This device does not control that door"));
        var accepted = await (await sending).JsonAsync(HttpStatusCode.Accepted);

        Assert.Equal("refused", accepted.Str("outcome"));
        Assert.Equal(0, await org.Owner.TotalAsync("/api/v1/events"));
    }

    [Fact]
    public async Task Unlock_DeviceWentOffline_Is409()
    {
        var org = await app.NewOrganizationAsync();
        var door = await org.Owner.NewDoorAsync();
        await using var device = await OnlineDeviceAsync(org, door.Id());
        await device.PublishStatusAsync(0, online: false);
        await TestDevice.WaitUntilAsync(
            async () => !(await org.Owner.GetJsonAsync($"/api/v1/devices/{device.Id}")).GetProperty("online").GetBoolean(), "the device to be offline");

        await (await org.Owner.PostAsync($"/api/v1/doors/{door.Id()}/unlock", null)).AssertStatusAsync(HttpStatusCode.Conflict);

        Assert.Empty(device.Commands.OfType<UnlockCommand>());
        Assert.Equal(0, await org.Owner.TotalAsync("/api/v1/events"));
    }

    [Fact]
    public async Task Unlock_DoorWithoutDevice_Is409SayingSoAndWritesNoEvent()
    {
        var org = await app.NewOrganizationAsync();
        var door = await org.Owner.NewDoorAsync(name: "Back door");

        var response = await org.Owner.PostAsync($"/api/v1/doors/{door.Id()}/unlock", null);

        await response.AssertStatusAsync(HttpStatusCode.Conflict);
        Assert.Contains("No device controls", (await response.ReadJsonAsync()).Text("detail"), StringComparison.Ordinal);
        Assert.Equal(0, await org.Owner.TotalAsync("/api/v1/events"));
    }

    [Fact]
    public async Task Unlock_DeviceOffline_Is409NamingTheDeviceAndWritesNoEvent()
    {
        var org = await app.NewOrganizationAsync();
        var site = await org.Owner.NewSiteAsync();
        var door = await org.Owner.NewDoorAsync(site.Id(), "Front door");
        await org.Owner.CreateAsync("/api/v1/devices", new { name = "Front reader", model = "F3D100", siteId = site.Id(), doorIds = new[] { door.Id() } });

        var response = await org.Owner.PostAsync($"/api/v1/doors/{door.Id()}/unlock", null);

        await response.AssertStatusAsync(HttpStatusCode.Conflict);
        var detail = (await response.ReadJsonAsync()).Text("detail");
        Assert.Contains("Front reader", detail, StringComparison.Ordinal);
        Assert.Contains("offline", detail, StringComparison.Ordinal);
        Assert.Equal(0, await org.Owner.TotalAsync("/api/v1/events"));
    }

    [Fact]
    public async Task Unlock_DoorOfAnotherOrganization_Is404()
    {
        var mine = await app.NewOrganizationAsync();
        var theirs = await app.NewOrganizationAsync();
        var door = await theirs.Owner.NewDoorAsync();

        await (await mine.Owner.PostAsync($"/api/v1/doors/{door.Id()}/unlock", null)).AssertStatusAsync(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task Unlock_ByAViewer_Is403()
    {
        var org = await app.NewOrganizationAsync();
        var door = await org.Owner.NewDoorAsync();
        var viewer = await org.MemberAsync("viewer");

        await (await viewer.PostAsync($"/api/v1/doors/{door.Id()}/unlock", null)).AssertStatusAsync(HttpStatusCode.Forbidden);
    }

    /// <summary>A connected device for the door that has reported itself online.</summary>
    internal static async Task<TestDevice> OnlineDeviceAsync(TestOrganization org, string doorId, string? wiegandFormat = null)
    {
        var device = await TestDevice.CreateAsync(org.App, org.Id, [doorId], wiegandFormat: wiegandFormat);
        await device.ConnectAndSyncAsync();
        await TestDevice.WaitUntilAsync(
            async () => (await org.Owner.GetJsonAsync($"/api/v1/devices/{device.Id}")).GetProperty("online").GetBoolean(), "the device to be online");
        return device;
    }
}
