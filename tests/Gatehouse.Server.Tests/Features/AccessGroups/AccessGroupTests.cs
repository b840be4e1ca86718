using System.Net;
using System.Net.Http.Json;
using Gatehouse.Server.Tests.Infrastructure;

namespace Gatehouse.Server.Tests.Features.AccessGroups;

public sealed class AccessGroupTests(ManyOrganizationsApp app) : IClassFixture<ManyOrganizationsApp>
{
    private const string Groups = "/api/v1/access-groups";

    [Fact]
    public async Task Create_WithScheduleAndDoors_Returns201WithFields()
    {
        var org = await app.NewOrganizationAsync();
        var schedule = await org.Owner.NewScheduleAsync();
        var site = await org.Owner.NewSiteAsync();
        var front = await org.Owner.NewDoorAsync(site.Id());
        var back = await org.Owner.NewDoorAsync(site.Id());

        var response = await org.Owner.PostAsJsonAsync(Groups, new { name = "Staff", scheduleId = schedule.Id(), doorIds = new[] { front.Id(), back.Id() } });

        var group = await response.JsonAsync(HttpStatusCode.Created);
        Assert.Equal($"{Groups}/{group.Id()}", response.Headers.Location?.OriginalString);
        var fetched = await org.Owner.GetJsonAsync($"{Groups}/{group.Id()}");
        foreach (var g in new[] { group, fetched })
        {
            Assert.Equal("Staff", g.Str("name"));
            Assert.Equal(schedule.Id(), g.Str("scheduleId"));
            Assert.Equal(new[] { front.Id(), back.Id() }.Order(), g.Strings("doorIds").Order());
            Assert.True(g.TryGetProperty("createdAt", out _));
        }
    }

    [Fact]
    public async Task Create_SameDoorTwice_KeepsItOnce()
    {
        var org = await app.NewOrganizationAsync();
        var door = await org.Owner.NewDoorAsync();

        var group = await org.Owner.NewAccessGroupAsync(doorIds: [door.Id(), door.Id()]);

        Assert.Equal([door.Id()], group.Strings("doorIds"));
    }

    [Fact]
    public async Task List_Paged_ReturnsPageAndTotal()
    {
        var org = await app.NewOrganizationAsync();
        var schedule = await org.Owner.NewScheduleAsync();
        foreach (var name in new[] { "Zeta", "Alpha", "Mu" })
        {
            await org.Owner.NewAccessGroupAsync(schedule.Id(), name: name);
        }

        var page = await org.Owner.GetJsonAsync($"{Groups}?page=2&pageSize=2");

        Assert.Equal(3, page.GetProperty("total").GetInt32());
        Assert.Equal(["Zeta"], page.GetProperty("items").EnumerateArray().Select(g => g.Str("name")));
    }

    [Fact]
    public async Task Create_UnknownScheduleOrDoor_Is400NamingTheFieldAndStoresNothing()
    {
        var org = await app.NewOrganizationAsync();
        var schedule = await org.Owner.NewScheduleAsync();
        var door = await org.Owner.NewDoorAsync();

        await (await org.Owner.PostAsJsonAsync(Groups, new { name = "G", scheduleId = Guid.NewGuid(), doorIds = Array.Empty<string>() }))
            .AssertFieldErrorAsync("scheduleId");
        await (await org.Owner.PostAsJsonAsync(Groups, new { name = "G", doorIds = Array.Empty<string>() }))
            .AssertFieldErrorAsync("scheduleId");
        await (await org.Owner.PostAsJsonAsync(Groups, new { name = "G", scheduleId = schedule.Id(), doorIds = new[] { door.Id(), Guid.NewGuid().ToString() } }))
            .AssertFieldErrorAsync("doorIds[1]");

        Assert.Equal(0, await org.Owner.TotalAsync(Groups));
    }

    [Fact]
    public async Task Create_ScheduleAndDoorOfAnotherOrganization_Is400NamingBothAndStoresNothing()
    {
        var mine = await app.NewOrganizationAsync();
        var theirs = await app.NewOrganizationAsync();
        var theirSchedule = await theirs.Owner.NewScheduleAsync();
        var theirDoor = await theirs.Owner.NewDoorAsync();
        var myDoor = await mine.Owner.NewDoorAsync();

        var response = await mine.Owner.PostAsJsonAsync(Groups, new { name = "G", scheduleId = theirSchedule.Id(), doorIds = new[] { myDoor.Id(), theirDoor.Id() } });

        Assert.Contains(await response.AssertFieldErrorAsync("scheduleId"), m => m.Contains("not found", StringComparison.OrdinalIgnoreCase));
        await response.AssertFieldErrorAsync("doorIds[1]");
        Assert.Equal(0, await mine.Owner.TotalAsync(Groups));
        Assert.Equal(0, await theirs.Owner.TotalAsync(Groups));
    }

    [Fact]
    public async Task Create_OverlongOrDuplicateName_Is400Or409()
    {
        var org = await app.NewOrganizationAsync();
        var schedule = await org.Owner.NewScheduleAsync();
        await org.Owner.NewAccessGroupAsync(schedule.Id(), name: "Night staff");

        await (await org.Owner.PostAsJsonAsync(Groups, new { name = new string('g', 201), scheduleId = schedule.Id(), doorIds = Array.Empty<string>() }))
            .AssertFieldErrorAsync("name");
        await (await org.Owner.PostAsJsonAsync(Groups, new { name = "Night staff", scheduleId = schedule.Id(), doorIds = Array.Empty<string>() }))
            .AssertStatusAsync(HttpStatusCode.Conflict);

        Assert.Equal(1, await org.Owner.TotalAsync(Groups));
    }

    [Fact]
    public async Task Patch_DoorIds_ReplacesTheDoorsAndKeepsTheRest()
    {
        var org = await app.NewOrganizationAsync();
        var site = await org.Owner.NewSiteAsync();
        var a = await org.Owner.NewDoorAsync(site.Id());
        var b = await org.Owner.NewDoorAsync(site.Id());
        var c = await org.Owner.NewDoorAsync(site.Id());
        var group = await org.Owner.NewAccessGroupAsync(doorIds: [a.Id(), b.Id()], name: "Staff");

        var patched = await (await org.Owner.PatchAsJsonAsync($"{Groups}/{group.Id()}", new { doorIds = new[] { b.Id(), c.Id() } })).JsonAsync();

        Assert.Equal(new[] { b.Id(), c.Id() }.Order(), patched.Strings("doorIds").Order());
        var stored = await org.Owner.GetJsonAsync($"{Groups}/{group.Id()}");
        Assert.Equal(new[] { b.Id(), c.Id() }.Order(), stored.Strings("doorIds").Order());
        Assert.Equal("Staff", stored.Str("name"));
        Assert.Equal(group.Str("scheduleId"), stored.Str("scheduleId"));
    }

    [Fact]
    public async Task Patch_Schedule_ChangesOnlyTheSchedule()
    {
        var org = await app.NewOrganizationAsync();
        var door = await org.Owner.NewDoorAsync();
        var group = await org.Owner.NewAccessGroupAsync(doorIds: [door.Id()]);
        var other = await org.Owner.NewScheduleAsync();

        var patched = await (await org.Owner.PatchAsJsonAsync($"{Groups}/{group.Id()}", new { scheduleId = other.Id() })).JsonAsync();

        Assert.Equal(other.Id(), patched.Str("scheduleId"));
        Assert.Equal([door.Id()], patched.Strings("doorIds"));
    }

    [Fact]
    public async Task Patch_BadDoorOrNullSchedule_Is400AndChangesNothing()
    {
        var org = await app.NewOrganizationAsync();
        var door = await org.Owner.NewDoorAsync();
        var group = await org.Owner.NewAccessGroupAsync(doorIds: [door.Id()], name: "Keep");
        var url = $"{Groups}/{group.Id()}";

        await (await org.Owner.PatchAsJsonAsync(url, new { name = "Changed", doorIds = new[] { Guid.NewGuid() } })).AssertFieldErrorAsync("doorIds[0]");
        await (await org.Owner.PatchRawAsync(url, """{"scheduleId": null}""")).AssertFieldErrorAsync("scheduleId");
        await (await org.Owner.PatchRawAsync(url, """{"doorIds": null}""")).AssertFieldErrorAsync("doorIds");

        var stored = await org.Owner.GetJsonAsync(url);
        Assert.Equal("Keep", stored.Str("name"));
        Assert.Equal([door.Id()], stored.Strings("doorIds"));
        Assert.Equal(group.Str("scheduleId"), stored.Str("scheduleId"));
    }

    [Fact]
    public async Task Delete_GroupWithMembers_RemovesItFromTheirUsers()
    {
        var org = await app.NewOrganizationAsync();
        var kept = await org.Owner.NewAccessGroupAsync();
        var deleted = await org.Owner.NewAccessGroupAsync();
        var user = await org.Owner.NewUserAsync(accessGroupIds: [kept.Id(), deleted.Id()]);

        await (await org.Owner.DeleteAsync($"{Groups}/{deleted.Id()}")).AssertStatusAsync(HttpStatusCode.NoContent);

        await (await org.Owner.GetAsync($"{Groups}/{deleted.Id()}")).AssertStatusAsync(HttpStatusCode.NotFound);
        Assert.Equal([kept.Id()], (await org.Owner.GetJsonAsync($"/api/v1/users/{user.Id()}")).Strings("accessGroupIds"));
    }

    [Fact]
    public async Task AnotherOrganizationsGroup_Is404ForEveryCallAndUnchanged()
    {
        var mine = await app.NewOrganizationAsync();
        var theirs = await app.NewOrganizationAsync();
        var group = await theirs.Owner.NewAccessGroupAsync(name: "Theirs");
        var url = $"{Groups}/{group.Id()}";

        await (await mine.Owner.GetAsync(url)).AssertStatusAsync(HttpStatusCode.NotFound);
        await (await mine.Owner.PatchAsJsonAsync(url, new { name = "Mine" })).AssertStatusAsync(HttpStatusCode.NotFound);
        await (await mine.Owner.DeleteAsync(url)).AssertStatusAsync(HttpStatusCode.NotFound);

        Assert.Equal(0, await mine.Owner.TotalAsync(Groups));
        Assert.Equal("Theirs", (await theirs.Owner.GetJsonAsync(url)).Str("name"));
    }

    [Fact]
    public async Task Viewer_CanReadButGets403OnChanges()
    {
        var org = await app.NewOrganizationAsync();
        var schedule = await org.Owner.NewScheduleAsync();
        var group = await org.Owner.NewAccessGroupAsync(schedule.Id(), name: "Keep");
        var viewer = await org.MemberAsync("viewer");

        await (await viewer.GetAsync($"{Groups}/{group.Id()}")).AssertStatusAsync(HttpStatusCode.OK);
        await (await viewer.PostAsJsonAsync(Groups, new { name = "New", scheduleId = schedule.Id(), doorIds = Array.Empty<string>() })).AssertStatusAsync(HttpStatusCode.Forbidden);
        await (await viewer.PatchAsJsonAsync($"{Groups}/{group.Id()}", new { name = "Renamed" })).AssertStatusAsync(HttpStatusCode.Forbidden);
        await (await viewer.DeleteAsync($"{Groups}/{group.Id()}")).AssertStatusAsync(HttpStatusCode.Forbidden);

        Assert.Equal(1, await org.Owner.TotalAsync(Groups));
        Assert.Equal("Keep", (await org.Owner.GetJsonAsync($"{Groups}/{group.Id()}")).Str("name"));
    }
}
