using System.Net;
using System.Net.Http.Json;
using Gatehouse.Server.Tests.Infrastructure;

namespace Gatehouse.Server.Tests.Features.Doors;

public sealed class DoorTests(ManyOrganizationsApp app) : IClassFixture<ManyOrganizationsApp>
{
    private const string Doors = "/api/v1/doors";

    [Fact]
    public async Task Create_AtASite_Returns201WithLocationAndFields()
    {
        var org = await app.NewOrganizationAsync();
        var site = await org.Owner.NewSiteAsync();

        var response = await org.Owner.PostAsJsonAsync(Doors, new { siteId = site.Id(), name = "Front door" });

        var door = await response.JsonAsync(HttpStatusCode.Created);
        Assert.Equal($"{Doors}/{door.Id()}", response.Headers.Location?.OriginalString);
        Assert.Equal(site.Id(), door.Str("siteId"));
        Assert.Equal("Front door", door.Str("name"));
        Assert.True(door.TryGetProperty("createdAt", out _));
        Assert.Equal("Front door", (await org.Owner.GetJsonAsync($"{Doors}/{door.Id()}")).Str("name"));
    }

    [Fact]
    public async Task List_BySite_ReturnsOnlyThatSitesDoorsPaged()
    {
        var org = await app.NewOrganizationAsync();
        var north = await org.Owner.NewSiteAsync();
        var south = await org.Owner.NewSiteAsync();
        var a = await org.Owner.NewDoorAsync(north.Id(), "A");
        var b = await org.Owner.NewDoorAsync(north.Id(), "B");
        await org.Owner.NewDoorAsync(south.Id(), "C");

        var all = await org.Owner.GetJsonAsync($"{Doors}?siteId={north.Id()}");
        var second = await org.Owner.GetJsonAsync($"{Doors}?siteId={north.Id()}&page=2&pageSize=1");

        Assert.Equal(2, all.GetProperty("total").GetInt32());
        Assert.Equal([a.Id(), b.Id()], all.GetProperty("items").EnumerateArray().Select(d => d.Id()));
        Assert.Equal([b.Id()], second.GetProperty("items").EnumerateArray().Select(d => d.Id()));
        Assert.Equal(3, await org.Owner.TotalAsync(Doors));
    }

    [Fact]
    public async Task List_MalformedSiteId_Is400NamingSiteId()
    {
        var org = await app.NewOrganizationAsync();

        await (await org.Owner.GetAsync($"{Doors}?siteId=not-an-id")).AssertFieldErrorAsync("siteId");
    }

    [Fact]
    public async Task Create_UnknownOrMissingSite_Is400NamingSiteIdAndStoresNothing()
    {
        var org = await app.NewOrganizationAsync();

        await (await org.Owner.PostAsJsonAsync(Doors, new { siteId = Guid.NewGuid(), name = "Gate" })).AssertFieldErrorAsync("siteId");
        await (await org.Owner.PostAsJsonAsync(Doors, new { name = "Gate" })).AssertFieldErrorAsync("siteId");
        await (await org.Owner.PostRawAsync(Doors, """{"siteId": "nope", "name": "Gate"}""")).AssertFieldErrorAsync("siteId");

        Assert.Equal(0, await org.Owner.TotalAsync(Doors));
    }

    [Fact]
    public async Task Create_SiteOfAnotherOrganization_Is400NamingSiteIdAndStoresNothing()
    {
        var mine = await app.NewOrganizationAsync();
        var theirs = await app.NewOrganizationAsync();
        var theirSite = await theirs.Owner.NewSiteAsync();

        var response = await mine.Owner.PostAsJsonAsync(Doors, new { siteId = theirSite.Id(), name = "Sneaky" });

        var messages = await response.AssertFieldErrorAsync("siteId");
        Assert.Contains(messages, m => m.Contains("not found", StringComparison.OrdinalIgnoreCase));
        Assert.Equal(0, await mine.Owner.TotalAsync(Doors));
        Assert.Equal(0, await theirs.Owner.TotalAsync($"{Doors}?siteId={theirSite.Id()}"));
    }

    [Fact]
    public async Task Create_NameMissingOrOverlong_Is400NamingName()
    {
        var org = await app.NewOrganizationAsync();
        var site = await org.Owner.NewSiteAsync();

        await (await org.Owner.PostAsJsonAsync(Doors, new { siteId = site.Id(), name = " " })).AssertFieldErrorAsync("name");
        await (await org.Owner.PostAsJsonAsync(Doors, new { siteId = site.Id(), name = new string('d', 201) })).AssertFieldErrorAsync("name");

        Assert.Equal(0, await org.Owner.TotalAsync(Doors));
    }

    [Fact]
    public async Task Create_SameNameAtSameSite_Is409ButAtAnotherSiteIsFine()
    {
        var org = await app.NewOrganizationAsync();
        var north = await org.Owner.NewSiteAsync();
        var south = await org.Owner.NewSiteAsync();
        await org.Owner.NewDoorAsync(north.Id(), "Front door");

        var duplicate = await org.Owner.PostAsJsonAsync(Doors, new { siteId = north.Id(), name = "Front door" });
        await org.Owner.NewDoorAsync(south.Id(), "Front door");

        await duplicate.AssertStatusAsync(HttpStatusCode.Conflict);
        Assert.Equal(2, await org.Owner.TotalAsync(Doors));
    }

    [Fact]
    public async Task Patch_MoveToAnotherSite_KeepsName()
    {
        var org = await app.NewOrganizationAsync();
        var north = await org.Owner.NewSiteAsync();
        var south = await org.Owner.NewSiteAsync();
        var door = await org.Owner.NewDoorAsync(north.Id(), "Loading bay");

        var moved = await (await org.Owner.PatchAsJsonAsync($"{Doors}/{door.Id()}", new { siteId = south.Id() })).JsonAsync();

        Assert.Equal(south.Id(), moved.Str("siteId"));
        Assert.Equal("Loading bay", moved.Str("name"));
        Assert.Equal([door.Id()], await org.Owner.ListIdsAsync($"{Doors}?siteId={south.Id()}"));
    }

    [Fact]
    public async Task Patch_MoveDoorOfADeviceToAnotherSite_Is409AndChangesNothing()
    {
        var org = await app.NewOrganizationAsync();
        var north = await org.Owner.NewSiteAsync();
        var south = await org.Owner.NewSiteAsync();
        var door = await org.Owner.NewDoorAsync(north.Id(), "Reception");
        (await org.Owner.PostAsJsonAsync("/api/v1/devices", new { name = "Reception reader", model = "F3D100", siteId = north.Id(), doorIds = new[] { door.Id() } }))
            .EnsureSuccessStatusCode();

        var response = await org.Owner.PatchAsJsonAsync($"{Doors}/{door.Id()}", new { siteId = south.Id(), name = "Moved" });

        await response.AssertStatusAsync(HttpStatusCode.Conflict);
        Assert.Contains("Reception reader", await response.Content.ReadAsStringAsync());
        var unchanged = await org.Owner.GetOkJsonAsync($"{Doors}/{door.Id()}");
        Assert.Equal((north.Id(), "Reception"), (unchanged.Str("siteId"), unchanged.Str("name")));
    }

    [Fact]
    public async Task Patch_SiteOfAnotherOrganizationOrNullName_Is400AndChangesNothing()
    {
        var mine = await app.NewOrganizationAsync();
        var theirs = await app.NewOrganizationAsync();
        var theirSite = await theirs.Owner.NewSiteAsync();
        var site = await mine.Owner.NewSiteAsync();
        var door = await mine.Owner.NewDoorAsync(site.Id(), "Gate");
        var url = $"{Doors}/{door.Id()}";

        await (await mine.Owner.PatchAsJsonAsync(url, new { siteId = theirSite.Id(), name = "Moved" })).AssertFieldErrorAsync("siteId");
        await (await mine.Owner.PatchRawAsync(url, """{"name": null}""")).AssertFieldErrorAsync("name");

        var stored = await mine.Owner.GetJsonAsync(url);
        Assert.Equal(site.Id(), stored.Str("siteId"));
        Assert.Equal("Gate", stored.Str("name"));
    }

    [Fact]
    public async Task Delete_DoorInAccessGroups_RemovesItFromTheGroups()
    {
        var org = await app.NewOrganizationAsync();
        var site = await org.Owner.NewSiteAsync();
        var kept = await org.Owner.NewDoorAsync(site.Id());
        var deleted = await org.Owner.NewDoorAsync(site.Id());
        var group = await org.Owner.NewAccessGroupAsync(doorIds: [kept.Id(), deleted.Id()]);

        await (await org.Owner.DeleteAsync($"{Doors}/{deleted.Id()}")).AssertStatusAsync(HttpStatusCode.NoContent);

        await (await org.Owner.GetAsync($"{Doors}/{deleted.Id()}")).AssertStatusAsync(HttpStatusCode.NotFound);
        var stored = await org.Owner.GetJsonAsync($"/api/v1/access-groups/{group.Id()}");
        Assert.Equal([kept.Id()], stored.Strings("doorIds"));
    }

    [Fact]
    public async Task AnotherOrganizationsDoor_Is404ForEveryCallAndUnchanged()
    {
        var mine = await app.NewOrganizationAsync();
        var theirs = await app.NewOrganizationAsync();
        var door = await theirs.Owner.NewDoorAsync(name: "Theirs");
        var url = $"{Doors}/{door.Id()}";

        await (await mine.Owner.GetAsync(url)).AssertStatusAsync(HttpStatusCode.NotFound);
        await (await mine.Owner.PatchAsJsonAsync(url, new { name = "Mine" })).AssertStatusAsync(HttpStatusCode.NotFound);
        await (await mine.Owner.DeleteAsync(url)).AssertStatusAsync(HttpStatusCode.NotFound);

        Assert.Equal(0, await mine.Owner.TotalAsync(Doors));
        Assert.Equal("Theirs", (await theirs.Owner.GetJsonAsync(url)).Str("name"));
    }

    [Fact]
    public async Task Viewer_CanReadButGets403OnChanges()
    {
        var org = await app.NewOrganizationAsync();
        var site = await org.Owner.NewSiteAsync();
        var door = await org.Owner.NewDoorAsync(site.Id(), "Gate");
        var viewer = await org.MemberAsync("viewer");

        await (await viewer.GetAsync($"{Doors}/{door.Id()}")).AssertStatusAsync(HttpStatusCode.OK);
        await (await viewer.PostAsJsonAsync(Doors, new { siteId = site.Id(), name = "New" })).AssertStatusAsync(HttpStatusCode.Forbidden);
        await (await viewer.PatchAsJsonAsync($"{Doors}/{door.Id()}", new { name = "Renamed" })).AssertStatusAsync(HttpStatusCode.Forbidden);
        await (await viewer.DeleteAsync($"{Doors}/{door.Id()}")).AssertStatusAsync(HttpStatusCode.Forbidden);

        Assert.Equal(1, await org.Owner.TotalAsync(Doors));
        Assert.Equal("Gate", (await org.Owner.GetJsonAsync($"{Doors}/{door.Id()}")).Str("name"));
    }
}
