using System.Net;
using System.Net.Http.Json;
using Gatehouse.Server.Tests.Infrastructure;

namespace Gatehouse.Server.Tests.Features.Sites;

public sealed class SiteTests(ManyOrganizationsApp app) : IClassFixture<ManyOrganizationsApp>
{
    private const string Sites = "/api/v1/sites";

    [Fact]
    public async Task Create_ValidSite_Returns201WithLocationAndFields()
    {
        var org = await app.NewOrganizationAsync();

        var response = await org.Owner.PostAsJsonAsync(Sites, new { name = "Head office", timeZone = "America/New_York" });

        var site = await response.JsonAsync(HttpStatusCode.Created);
        Assert.Equal($"{Sites}/{site.Id()}", response.Headers.Location?.OriginalString);
        Assert.Equal("Head office", site.Str("name"));
        Assert.Equal("America/New_York", site.Str("timeZone"));
        Assert.True(site.TryGetProperty("createdAt", out _));
        var fetched = await org.Owner.GetJsonAsync($"{Sites}/{site.Id()}");
        Assert.Equal("Head office", fetched.Str("name"));
    }

    [Fact]
    public async Task List_SecondPage_ReturnsRemainingItemsAndTotal()
    {
        var org = await app.NewOrganizationAsync();
        foreach (var name in new[] { "Charlie", "Alpha", "Bravo" })
        {
            await org.Owner.NewSiteAsync(name);
        }

        var page = await org.Owner.GetJsonAsync($"{Sites}?page=2&pageSize=2");

        Assert.Equal(3, page.GetProperty("total").GetInt32());
        Assert.Equal(2, page.GetProperty("page").GetInt32());
        Assert.Equal(2, page.GetProperty("pageSize").GetInt32());
        Assert.Equal(["Charlie"], page.GetProperty("items").EnumerateArray().Select(s => s.Str("name")));
    }

    [Fact]
    public async Task List_PageSizeZero_Is400NamingPageSize()
    {
        var org = await app.NewOrganizationAsync();

        await (await org.Owner.GetAsync($"{Sites}?pageSize=0")).AssertFieldErrorAsync("pageSize");
    }

    [Theory]
    [InlineData("Mars/Olympus_Mons")]
    [InlineData("Eastern Standard Time")]
    [InlineData("europe/berlin")]
    [InlineData("")]
    public async Task Create_NotAnIanaTimeZone_Is400NamingTimeZoneAndStoresNothing(string timeZone)
    {
        var org = await app.NewOrganizationAsync();

        var response = await org.Owner.PostAsJsonAsync(Sites, new { name = "Depot", timeZone });

        await response.AssertFieldErrorAsync("timeZone");
        Assert.Equal(0, await org.Owner.TotalAsync(Sites));
    }

    [Fact]
    public async Task Create_NameMissingAndOverlong_Is400NamingName()
    {
        var org = await app.NewOrganizationAsync();

        await (await org.Owner.PostAsJsonAsync(Sites, new { timeZone = "UTC" })).AssertFieldErrorAsync("name");
        await (await org.Owner.PostAsJsonAsync(Sites, new { name = new string('x', 201), timeZone = "UTC" })).AssertFieldErrorAsync("name");
        Assert.Equal(0, await org.Owner.TotalAsync(Sites));
    }

    [Fact]
    public async Task Create_NameOf200Characters_IsAccepted()
    {
        var org = await app.NewOrganizationAsync();

        var site = await org.Owner.NewSiteAsync(new string('x', 200));

        Assert.Equal(200, site.Str("name").Length);
    }

    [Fact]
    public async Task Create_DuplicateName_Is409AndStoresNothing()
    {
        var org = await app.NewOrganizationAsync();
        await org.Owner.NewSiteAsync("Warehouse");

        var response = await org.Owner.PostAsJsonAsync(Sites, new { name = "Warehouse", timeZone = "UTC" });

        await response.AssertStatusAsync(HttpStatusCode.Conflict);
        Assert.Equal(1, await org.Owner.TotalAsync(Sites));
    }

    [Fact]
    public async Task Create_SameNameConcurrently_CreatesOneAndAnswersTheRest409()
    {
        var org = await app.NewOrganizationAsync();

        var responses = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ =>
            org.Owner.PostAsJsonAsync(Sites, new { name = "Race", timeZone = "UTC" })));

        Assert.Single(responses, r => r.StatusCode == HttpStatusCode.Created);
        Assert.All(responses.Where(r => r.StatusCode != HttpStatusCode.Created), r => Assert.Equal(HttpStatusCode.Conflict, r.StatusCode));
        Assert.Equal(1, await org.Owner.TotalAsync(Sites));
    }

    [Fact]
    public async Task Create_MalformedJson_Is400()
    {
        var org = await app.NewOrganizationAsync();

        var response = await org.Owner.PostRawAsync(Sites, "{\"name\": \"Depot\", ");

        await response.AssertStatusAsync(HttpStatusCode.BadRequest);
        Assert.Equal(0, await org.Owner.TotalAsync(Sites));
    }

    [Fact]
    public async Task Create_UnknownField_Is400NamingIt()
    {
        var org = await app.NewOrganizationAsync();

        var response = await org.Owner.PostRawAsync(Sites, """{"name": "Depot", "timeZone": "UTC", "address": "Main St"}""");

        await response.AssertFieldErrorAsync("address");
    }

    [Fact]
    public async Task Patch_TimeZoneOnly_KeepsName()
    {
        var org = await app.NewOrganizationAsync();
        var site = await org.Owner.NewSiteAsync("Lab", "Europe/Berlin");

        var patched = await (await org.Owner.PatchAsJsonAsync($"{Sites}/{site.Id()}", new { timeZone = "Asia/Tokyo" })).JsonAsync();

        Assert.Equal("Lab", patched.Str("name"));
        Assert.Equal("Asia/Tokyo", patched.Str("timeZone"));
        Assert.Equal("Asia/Tokyo", (await org.Owner.GetJsonAsync($"{Sites}/{site.Id()}")).Str("timeZone"));
    }

    [Fact]
    public async Task Patch_NullNameOrBadTimeZone_Is400AndChangesNothing()
    {
        var org = await app.NewOrganizationAsync();
        var site = await org.Owner.NewSiteAsync("Lab", "Europe/Berlin");

        await (await org.Owner.PatchRawAsync($"{Sites}/{site.Id()}", """{"name": null}""")).AssertFieldErrorAsync("name");
        await (await org.Owner.PatchRawAsync($"{Sites}/{site.Id()}", """{"name": "New lab", "timeZone": "CET-ish"}""")).AssertFieldErrorAsync("timeZone");

        var stored = await org.Owner.GetJsonAsync($"{Sites}/{site.Id()}");
        Assert.Equal("Lab", stored.Str("name"));
        Assert.Equal("Europe/Berlin", stored.Str("timeZone"));
    }

    [Fact]
    public async Task Patch_NameOfAnotherSite_Is409()
    {
        var org = await app.NewOrganizationAsync();
        await org.Owner.NewSiteAsync("North");
        var south = await org.Owner.NewSiteAsync("South");

        var response = await org.Owner.PatchAsJsonAsync($"{Sites}/{south.Id()}", new { name = "North" });

        await response.AssertStatusAsync(HttpStatusCode.Conflict);
        Assert.Equal("South", (await org.Owner.GetJsonAsync($"{Sites}/{south.Id()}")).Str("name"));
    }

    [Fact]
    public async Task Delete_SiteWithoutDoors_RemovesIt()
    {
        var org = await app.NewOrganizationAsync();
        var site = await org.Owner.NewSiteAsync();

        await (await org.Owner.DeleteAsync($"{Sites}/{site.Id()}")).AssertStatusAsync(HttpStatusCode.NoContent);

        await (await org.Owner.GetAsync($"{Sites}/{site.Id()}")).AssertStatusAsync(HttpStatusCode.NotFound);
        Assert.Equal(0, await org.Owner.TotalAsync(Sites));
    }

    [Fact]
    public async Task Delete_SiteWithDoors_Is409SayingWhyAndKeepsIt()
    {
        var org = await app.NewOrganizationAsync();
        var site = await org.Owner.NewSiteAsync();
        await org.Owner.NewDoorAsync(site.Id());

        var response = await org.Owner.DeleteAsync($"{Sites}/{site.Id()}");

        var problem = await response.JsonAsync(HttpStatusCode.Conflict);
        Assert.Contains("door", problem.Str("detail"), StringComparison.OrdinalIgnoreCase);
        await (await org.Owner.GetAsync($"{Sites}/{site.Id()}")).AssertStatusAsync(HttpStatusCode.OK);
    }

    [Fact]
    public async Task AnotherOrganizationsSite_Is404ForEveryCallAndUnchanged()
    {
        var mine = await app.NewOrganizationAsync();
        var theirs = await app.NewOrganizationAsync();
        var site = await theirs.Owner.NewSiteAsync("Theirs");
        var url = $"{Sites}/{site.Id()}";

        await (await mine.Owner.GetAsync(url)).AssertStatusAsync(HttpStatusCode.NotFound);
        await (await mine.Owner.PatchAsJsonAsync(url, new { name = "Mine now" })).AssertStatusAsync(HttpStatusCode.NotFound);
        await (await mine.Owner.DeleteAsync(url)).AssertStatusAsync(HttpStatusCode.NotFound);

        Assert.Equal(0, await mine.Owner.TotalAsync(Sites));
        Assert.Equal("Theirs", (await theirs.Owner.GetJsonAsync(url)).Str("name"));
    }

    [Fact]
    public async Task Viewer_CanReadButGets403OnChanges()
    {
        var org = await app.NewOrganizationAsync();
        var site = await org.Owner.NewSiteAsync("Lab");
        var viewer = await org.MemberAsync("viewer");

        await (await viewer.GetAsync($"{Sites}/{site.Id()}")).AssertStatusAsync(HttpStatusCode.OK);
        await (await viewer.GetAsync(Sites)).AssertStatusAsync(HttpStatusCode.OK);
        await (await viewer.PostAsJsonAsync(Sites, new { name = "New", timeZone = "UTC" })).AssertStatusAsync(HttpStatusCode.Forbidden);
        await (await viewer.PatchAsJsonAsync($"{Sites}/{site.Id()}", new { name = "Renamed" })).AssertStatusAsync(HttpStatusCode.Forbidden);
        await (await viewer.DeleteAsync($"{Sites}/{site.Id()}")).AssertStatusAsync(HttpStatusCode.Forbidden);

        Assert.Equal(1, await org.Owner.TotalAsync(Sites));
        Assert.Equal("Lab", (await org.Owner.GetJsonAsync($"{Sites}/{site.Id()}")).Str("name"));
    }

    [Fact]
    public async Task Admin_CanCreateSites()
    {
        var org = await app.NewOrganizationAsync();
        var admin = await org.MemberAsync("admin");

        await admin.NewSiteAsync("By an admin");

        Assert.Equal(1, await org.Owner.TotalAsync(Sites));
    }
}
