using System.Net;
using System.Net.Http.Json;
using System.Text;
using Gatehouse.Server.Features.AccessGroups;
using Gatehouse.Server.Features.Devices;
using Gatehouse.Server.Features.Schedules;
using Gatehouse.Server.Features.Users;
using Gatehouse.Server.Infrastructure;
using Gatehouse.Server.Tests.Features;
using Gatehouse.Server.Tests.Infrastructure;

namespace Gatehouse.Server.Tests.Api;

/// <summary>
/// Every list in a request has a maximum, every body a size limit, every answer a bounded size, and names
/// hold no control or invisible formatting characters.
/// </summary>
public sealed class InputBoundsTests(ManyOrganizationsApp app) : IClassFixture<ManyOrganizationsApp>
{
    private const int UserCsvMaxFileBytes = (int)Gatehouse.Server.Features.Users.UserCsv.MaxFileBytes;

    private static readonly object Window = new { days = new[] { "Monday" }, start = "08:00", end = "18:00" };

    [Fact]
    public async Task Schedule_MoreWindowsThanTheMaximum_Is400NamingWindows()
    {
        var org = await app.NewOrganizationAsync();
        var windows = Enumerable.Repeat(Window, Schedule.MaxWindows + 1).ToArray();

        await (await org.Owner.PostAsJsonAsync("/api/v1/schedules", new { name = "Many", windows })).AssertFieldErrorAsync("windows");
        var schedule = await org.Owner.NewScheduleAsync();
        await (await org.Owner.PatchJsonAsync($"/api/v1/schedules/{schedule.Id()}", new { windows })).AssertFieldErrorAsync("windows");

        // The maximum itself is fine.
        await org.Owner.CreateAsync("/api/v1/schedules", new { name = "Just enough", windows = windows[1..] });
    }

    [Fact]
    public async Task Schedule_WindowNamingMoreThanSevenDays_Is400NamingItsDays()
    {
        var org = await app.NewOrganizationAsync();
        var days = Enumerable.Repeat("Monday", 100_000).ToArray();

        var response = await org.Owner.PostAsJsonAsync("/api/v1/schedules", new { name = "Mondays", windows = new[] { new { days, start = "08:00", end = "09:00" } } });

        await response.AssertFieldErrorAsync("windows[0].days");
        Assert.True((await response.Content.ReadAsByteArrayAsync()).Length < 4096);
    }

    [Fact]
    public async Task Schedule_MoreHolidaysThanTheMaximum_Is400NamingHolidays()
    {
        var org = await app.NewOrganizationAsync();
        var holidays = Enumerable.Range(0, Schedule.MaxHolidays + 1)
            .Select(i => new { date = new DateOnly(2026, 1, 1).AddDays(i).ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture), name = "Off" })
            .ToArray();

        await (await org.Owner.PostAsJsonAsync("/api/v1/schedules", new { name = "Holidays", windows = new[] { Window }, holidays }))
            .AssertFieldErrorAsync("holidays");
    }

    [Fact]
    public async Task AccessGroup_MoreDoorsThanTheMaximum_Is400NamingDoorIds()
    {
        var org = await app.NewOrganizationAsync();
        var group = await org.Owner.NewAccessGroupAsync();
        var doorIds = NewIds(AccessGroup.MaxDoors + 1);

        await (await org.Owner.PostAsJsonAsync("/api/v1/access-groups", new { name = "Many", scheduleId = group.Str("scheduleId"), doorIds }))
            .AssertFieldErrorAsync("doorIds");
        await (await org.Owner.PatchJsonAsync($"/api/v1/access-groups/{group.Id()}", new { doorIds })).AssertFieldErrorAsync("doorIds");
    }

    [Fact]
    public async Task User_MoreAccessGroupsThanTheMaximum_Is400NamingAccessGroupIds()
    {
        var org = await app.NewOrganizationAsync();
        var user = await org.Owner.NewUserAsync();
        var accessGroupIds = NewIds(User.MaxAccessGroups + 1);

        await (await org.Owner.PostAsJsonAsync("/api/v1/users", new { firstName = "Ana", lastName = "Lima", accessGroupIds }))
            .AssertFieldErrorAsync("accessGroupIds");
        await (await org.Owner.PatchJsonAsync($"/api/v1/users/{user.Id()}", new { accessGroupIds })).AssertFieldErrorAsync("accessGroupIds");
        Assert.Equal(1, await org.Owner.TotalAsync("/api/v1/users"));
    }

    [Fact]
    public async Task Device_MoreDoorsThanTheMaximum_Is400NamingDoorIds()
    {
        var org = await app.NewOrganizationAsync();
        var site = await org.Owner.NewSiteAsync();
        var doorIds = NewIds(Device.MaxDoors + 1);

        await (await org.Owner.PostAsJsonAsync("/api/v1/devices", new { name = "Reader", model = "F3D100", siteId = site.Id(), doorIds }))
            .AssertFieldErrorAsync("doorIds");
        var device = await org.Owner.CreateAsync("/api/v1/devices", new { name = "Reader", model = "F3D100", siteId = site.Id() });
        await (await org.Owner.PatchJsonAsync($"/api/v1/devices/{device.Id()}", new { doorIds })).AssertFieldErrorAsync("doorIds");
    }

    [Fact]
    public async Task UnknownIds_ManyOfThem_AnswerNamesAFewAndCountsTheRest()
    {
        var org = await app.NewOrganizationAsync();
        var schedule = await org.Owner.NewScheduleAsync();

        var response = await org.Owner.PostAsJsonAsync("/api/v1/access-groups",
            new { name = "Ghost doors", scheduleId = schedule.Id(), doorIds = NewIds(AccessGroup.MaxDoors) });

        var messages = await response.AssertFieldErrorAsync("doorIds");
        Assert.Contains($"{AccessGroup.MaxDoors - Validation.MaxListedIds} more", messages.Single(), StringComparison.Ordinal);
        await response.AssertFieldErrorAsync($"doorIds[{Validation.MaxListedIds - 1}]");
        Assert.True((await response.Content.ReadAsByteArrayAsync()).Length < 8 * 1024);
    }

    [Fact]
    public async Task UnknownIds_TwoHundredThousand_AreASmallRefusal()
    {
        var org = await app.NewOrganizationAsync();
        var user = await org.Owner.NewUserAsync();

        var response = await org.Owner.PatchJsonAsync($"/api/v1/users/{user.Id()}", new { accessGroupIds = NewIds(200_000) });

        Assert.True(response.StatusCode is HttpStatusCode.BadRequest or HttpStatusCode.RequestEntityTooLarge, $"Got {(int)response.StatusCode}");
        Assert.True((await response.Content.ReadAsByteArrayAsync()).Length < 8 * 1024);
    }

    [Fact]
    public async Task Body_OverTheLimit_Is413AndStoresNothing()
    {
        var org = await app.NewOrganizationAsync();
        var name = new string('a', (int)RequestBodyLimit.MaxBytes);

        var response = await org.Owner.PostAsJsonAsync("/api/v1/sites", new { name, timeZone = "Europe/Berlin" });

        await response.AssertStatusAsync(HttpStatusCode.RequestEntityTooLarge);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal(0, await org.Owner.TotalAsync("/api/v1/sites"));
    }

    [Fact]
    public async Task Body_DeclaredOrStreamedOverTheLimit_Is413()
    {
        var org = await app.NewOrganizationAsync();
        var json = Encoding.UTF8.GetBytes($"{{\"name\":\"{new string('a', (int)RequestBodyLimit.MaxBytes)}\",\"timeZone\":\"Europe/Berlin\"}}");

        using var declared = new ByteArrayContent(json);
        declared.Headers.ContentType = new("application/json");
        var withLength = await org.Owner.PostAsync("/api/v1/sites", declared);

        using var streamed = new StreamContent(new NoLengthStream(json));
        streamed.Headers.ContentType = new("application/json");
        var chunked = await org.Owner.PostAsync("/api/v1/sites", streamed);

        await withLength.AssertStatusAsync(HttpStatusCode.RequestEntityTooLarge);
        await chunked.AssertStatusAsync(HttpStatusCode.RequestEntityTooLarge);
        Assert.Equal(0, await org.Owner.TotalAsync("/api/v1/sites"));
    }

    [Fact]
    public async Task ImportPage_HasItsOwnLargerLimit()
    {
        using var client = app.CreateClient(new() { AllowAutoRedirect = false });

        var underItsLimit = await client.PostAsync("/users/import", new ByteArrayContent(new byte[2 * UserCsvMaxFileBytes]));
        var overItsLimit = await client.PostAsync("/users/import", new ByteArrayContent(new byte[(3 * UserCsvMaxFileBytes) + 1]));

        Assert.NotEqual(HttpStatusCode.RequestEntityTooLarge, underItsLimit.StatusCode);
        await overItsLimit.AssertStatusAsync(HttpStatusCode.RequestEntityTooLarge);
    }

    [Fact]
    public async Task Body_JustUnderTheLimit_IsReadAndJudgedOnItsFields()
    {
        var org = await app.NewOrganizationAsync();
        var name = new string('a', (int)RequestBodyLimit.MaxBytes - 100);

        await (await org.Owner.PostAsJsonAsync("/api/v1/sites", new { name, timeZone = "Europe/Berlin" })).AssertFieldErrorAsync("name");
    }

    [Theory]
    [InlineData("/api/v1/sites")]
    [InlineData("/api/v1/doors")]
    [InlineData("/api/v1/schedules")]
    [InlineData("/api/v1/access-groups")]
    [InlineData("/api/v1/users")]
    [InlineData("/api/v1/devices")]
    [InlineData("/api/v1/events")]
    [InlineData("/api/v1/audit")]
    [InlineData("/api/v1/admins")]
    public async Task List_HugePageNumber_Is400NamingPageNotTheFirstPage(string list)
    {
        var org = await app.NewOrganizationAsync();
        await org.Owner.NewAccessGroupAsync();

        await (await org.Owner.GetAsync($"{list}?page={int.MaxValue}")).AssertFieldErrorAsync("page");
        await (await org.Owner.GetAsync($"{list}?page={int.MaxValue}&pageSize={Paging.MaxPageSize}")).AssertFieldErrorAsync("page");
        await (await org.Owner.GetAsync($"{list}?pageSize={int.MaxValue}")).AssertFieldErrorAsync("pageSize");
    }

    [Fact]
    public async Task List_LastAllowedPage_IsEmpty()
    {
        var org = await app.NewOrganizationAsync();
        await org.Owner.NewSiteAsync();

        var page = await org.Owner.GetJsonAsync($"/api/v1/sites?page={Paging.MaxPage}&pageSize={Paging.MaxPageSize}");

        Assert.Empty(page.GetProperty("items").EnumerateArray());
        Assert.Equal(1, page.GetProperty("total").GetInt32());
    }

    public static TheoryData<string> BadNames => new()
    {
        "Front\0door",
        "Front\r\nINFO forged log line",
        "Front\ndoor",
        "Invoice\u202Etxt.exe",
        "Left\u2066to\u2069right",
        "Marked\u200Fname",
        "Zero\uFEFFwidth",
        "Bell\u0007",
        "Line\u2028separator",
    };

    [Theory]
    [MemberData(nameof(BadNames))]
    public async Task Create_NameWithControlOrBidiCharacters_Is400NamingTheField(string bad)
    {
        var org = await app.NewOrganizationAsync();
        var owner = org.Owner;
        var site = await owner.NewSiteAsync();
        var schedule = await owner.NewScheduleAsync();

        await (await owner.PostAsJsonAsync("/api/v1/sites", new { name = bad, timeZone = "Europe/Berlin" })).AssertFieldErrorAsync("name");
        await (await owner.PostAsJsonAsync("/api/v1/doors", new { siteId = site.Id(), name = bad })).AssertFieldErrorAsync("name");
        await (await owner.PostAsJsonAsync("/api/v1/schedules", new { name = bad, windows = new[] { Window } })).AssertFieldErrorAsync("name");
        await (await owner.PostAsJsonAsync("/api/v1/schedules", new { name = "Closed days", windows = new[] { Window }, holidays = new[] { new { date = "2026-12-25", name = bad } } }))
            .AssertFieldErrorAsync("holidays[0].name");
        await (await owner.PostAsJsonAsync("/api/v1/access-groups", new { name = bad, scheduleId = schedule.Id(), doorIds = Array.Empty<string>() }))
            .AssertFieldErrorAsync("name");
        await (await owner.PostAsJsonAsync("/api/v1/users", new { firstName = bad, lastName = "Lima" })).AssertFieldErrorAsync("firstName");
        await (await owner.PostAsJsonAsync("/api/v1/users", new { firstName = "Ana", lastName = bad })).AssertFieldErrorAsync("lastName");
        await (await owner.PostAsJsonAsync("/api/v1/users", new { firstName = "Ana", lastName = "Lima", email = $"ana{bad}@example.com" })).AssertFieldErrorAsync("email");
        await (await owner.PostAsJsonAsync("/api/v1/devices", new { name = bad, model = "F3D100", siteId = site.Id() })).AssertFieldErrorAsync("name");
        await (await owner.PostAsJsonAsync("/api/v1/admins", new { email = $"admin{bad}@example.com", password = GatehouseApp.OwnerPassword, role = "admin" }))
            .AssertFieldErrorAsync("email");
        using var root = await app.SystemAdminAsync();
        await (await root.PostAsJsonAsync("/api/v1/organizations", new { name = bad, ownerEmail = $"o{Guid.NewGuid():N}@example.com", ownerPassword = GatehouseApp.OwnerPassword }))
            .AssertFieldErrorAsync("name");

        Assert.Equal(1, await owner.TotalAsync("/api/v1/sites"));
        Assert.Equal(0, await owner.TotalAsync("/api/v1/users"));
    }

    [Theory]
    [MemberData(nameof(BadNames))]
    public async Task Update_NameWithControlOrBidiCharacters_Is400NamingTheFieldAndKeepsTheName(string bad)
    {
        var org = await app.NewOrganizationAsync();
        var owner = org.Owner;
        var group = await owner.NewAccessGroupAsync(name: "Staff");
        var door = await owner.NewDoorAsync(name: "Front");
        var user = await owner.NewUserAsync();

        await (await owner.PatchJsonAsync($"/api/v1/access-groups/{group.Id()}", new { name = bad })).AssertFieldErrorAsync("name");
        await (await owner.PatchJsonAsync($"/api/v1/doors/{door.Id()}", new { name = bad })).AssertFieldErrorAsync("name");
        await (await owner.PatchJsonAsync($"/api/v1/sites/{door.Str("siteId")}", new { name = bad })).AssertFieldErrorAsync("name");
        await (await owner.PatchJsonAsync($"/api/v1/schedules/{group.Str("scheduleId")}", new { name = bad })).AssertFieldErrorAsync("name");
        await (await owner.PatchJsonAsync($"/api/v1/users/{user.Id()}", new { firstName = bad })).AssertFieldErrorAsync("firstName");

        Assert.Equal("Staff", (await owner.GetJsonAsync($"/api/v1/access-groups/{group.Id()}")).Str("name"));
        Assert.Equal("Front", (await owner.GetJsonAsync($"/api/v1/doors/{door.Id()}")).Str("name"));
    }

    [Theory]
    [InlineData("Zoë Ångström")]
    [InlineData("محمد\u200Cرضا")]
    [InlineData("👩\u200D🔧 Workshop")]
    [InlineData("שלום עליכם")]
    public async Task Create_NamesOfAnyScript_AreKept(string name)
    {
        var org = await app.NewOrganizationAsync();

        var site = await org.Owner.NewSiteAsync(name);

        Assert.Equal(name, site.Str("name"));
    }

    [Fact]
    public async Task SignIn_PasswordWithUnusualCharacters_IsJudgedOnlyAsAPassword()
    {
        var response = await app.CreateClient().PostAsJsonAsync("/api/v1/auth/token", new { email = "nobody@example.com", password = "pass\u0007word\u202E" });

        await response.AssertStatusAsync(HttpStatusCode.Unauthorized);
    }

    [Fact]
    public void LogText_LineBreaksAndOverrides_CannotForgeALogLine()
    {
        var logged = new LogText("v1.2\r\n2026-01-01 INFO: admin signed in\u202E\0").ToString();

        Assert.DoesNotContain('\n', logged);
        Assert.DoesNotContain('\r', logged);
        Assert.DoesNotContain('\0', logged);
        Assert.Equal("v1.2\\r\\n2026-01-01 INFO: admin signed in\\u202E\\u0000", logged);
        Assert.Equal(201, new LogText(new string('x', 1000)).ToString().Length);
    }

    /// <summary>A body whose length is not known up front, so it goes without Content-Length.</summary>
    private sealed class NoLengthStream(byte[] bytes) : MemoryStream(bytes)
    {
        public override bool CanSeek => false;
    }

    private static string[] NewIds(int count) => [.. Enumerable.Range(0, count).Select(_ => Guid.NewGuid().ToString())];
}
