using System.Net;
using System.Net.Http.Json;
using Gatehouse.Server.Tests.Infrastructure;

namespace Gatehouse.Server.Tests.Features.Schedules;

public sealed class ScheduleTests(ManyOrganizationsApp app) : IClassFixture<ManyOrganizationsApp>
{
    private const string Schedules = "/api/v1/schedules";

    private static object Window(string start = "08:00", string end = "18:00", params string[] days) =>
        new { days = days.Length == 0 ? ["Monday"] : days, start, end };

    [Fact]
    public async Task Create_WindowsAndHolidays_ReturnsThemAsSent()
    {
        var org = await app.NewOrganizationAsync();

        var response = await org.Owner.PostAsJsonAsync(Schedules, new
        {
            name = "Office hours",
            windows = new[] { Window("08:00", "18:00", "Monday", "Tuesday", "Friday"), Window("20:00", "24:00", "Saturday") },
            holidays = new[] { new { date = "2026-12-25", name = "Christmas" } },
        });

        var schedule = await response.JsonAsync(HttpStatusCode.Created);
        Assert.Equal($"{Schedules}/{schedule.Id()}", response.Headers.Location?.OriginalString);
        var fetched = await org.Owner.GetJsonAsync($"{Schedules}/{schedule.Id()}");
        foreach (var s in new[] { schedule, fetched })
        {
            Assert.Equal("Office hours", s.Str("name"));
            var windows = s.GetProperty("windows").EnumerateArray().ToArray();
            Assert.Equal(2, windows.Length);
            Assert.Equal(["Monday", "Tuesday", "Friday"], windows[0].Strings("days"));
            Assert.Equal("08:00", windows[0].Str("start"));
            Assert.Equal("18:00", windows[0].Str("end"));
            Assert.Equal(["Saturday"], windows[1].Strings("days"));
            Assert.Equal("24:00", windows[1].Str("end"));
            var holiday = Assert.Single(s.GetProperty("holidays").EnumerateArray());
            Assert.Equal("2026-12-25", holiday.Str("date"));
            Assert.Equal("Christmas", holiday.Str("name"));
            Assert.True(s.TryGetProperty("createdAt", out _));
        }
    }

    [Fact]
    public async Task List_Paged_ReturnsPageAndTotal()
    {
        var org = await app.NewOrganizationAsync();
        var names = new[] { "B hours", "A hours", "C hours" };
        foreach (var name in names)
        {
            await org.Owner.NewScheduleAsync(name);
        }

        var page = await org.Owner.GetJsonAsync($"{Schedules}?page=1&pageSize=2");

        Assert.Equal(3, page.GetProperty("total").GetInt32());
        Assert.Equal(["A hours", "B hours"], page.GetProperty("items").EnumerateArray().Select(s => s.Str("name")));
    }

    public static TheoryData<object, string> BadWindows => new()
    {
        { Window("18:00", "08:00"), "windows[0].end" },
        { Window("09:00", "09:00"), "windows[0].end" },
        { Window("8:00", "18:00"), "windows[0].start" },
        { Window("08:00", "25:00"), "windows[0].end" },
        { Window("08:00", "18:00", "Monday", "Funday"), "windows[0].days" },
        { new { days = Array.Empty<string>(), start = "08:00", end = "18:00" }, "windows[0].days" },
    };

    [Theory]
    [MemberData(nameof(BadWindows))]
    public async Task Create_BadWindow_Is400NamingTheFieldAndStoresNothing(object window, string field)
    {
        var org = await app.NewOrganizationAsync();

        var response = await org.Owner.PostAsJsonAsync(Schedules, new { name = "Bad", windows = new[] { window } });

        await response.AssertFieldErrorAsync(field);
        Assert.Equal(0, await org.Owner.TotalAsync(Schedules));
    }

    [Fact]
    public async Task Create_BadWindowAfterAGoodOne_NamesItsIndex()
    {
        var org = await app.NewOrganizationAsync();

        var response = await org.Owner.PostAsJsonAsync(Schedules, new { name = "Bad", windows = new[] { Window(), Window("12:00", "11:00") } });

        await response.AssertFieldErrorAsync("windows[1].end");
    }

    [Fact]
    public async Task Create_WindowsMissing_Is400NamingWindows()
    {
        var org = await app.NewOrganizationAsync();

        await (await org.Owner.PostAsJsonAsync(Schedules, new { name = "No windows" })).AssertFieldErrorAsync("windows");
    }

    [Fact]
    public async Task Create_DaysNotAList_Is400NamingDays()
    {
        var org = await app.NewOrganizationAsync();

        var response = await org.Owner.PostRawAsync(Schedules, """{"name": "x", "windows": [{"days": "Monday", "start": "08:00", "end": "18:00"}]}""");

        await response.AssertFieldErrorAsync("windows[0].days");
    }

    [Fact]
    public async Task Create_DuplicateHolidayDate_Is400NamingTheSecond()
    {
        var org = await app.NewOrganizationAsync();

        var response = await org.Owner.PostAsJsonAsync(Schedules, new
        {
            name = "Holidays",
            windows = new[] { Window() },
            holidays = new[] { new { date = "2026-01-01", name = "New year" }, new { date = "2026-01-01", name = "Again" } },
        });

        await response.AssertFieldErrorAsync("holidays[1].date");
        Assert.Equal(0, await org.Owner.TotalAsync(Schedules));
    }

    [Fact]
    public async Task Create_BadHolidayDateOrOverlongName_Is400NamingTheField()
    {
        var org = await app.NewOrganizationAsync();

        await (await org.Owner.PostAsJsonAsync(Schedules, new { name = "H", windows = new[] { Window() }, holidays = new[] { new { date = "2026-02-30", name = "x" } } }))
            .AssertFieldErrorAsync("holidays[0].date");
        await (await org.Owner.PostAsJsonAsync(Schedules, new { name = "H", windows = new[] { Window() }, holidays = new[] { new { date = "2026-02-03", name = new string('h', 201) } } }))
            .AssertFieldErrorAsync("holidays[0].name");
        Assert.Equal(0, await org.Owner.TotalAsync(Schedules));
    }

    [Fact]
    public async Task Create_OverlongOrDuplicateName_Is400Or409()
    {
        var org = await app.NewOrganizationAsync();
        await org.Owner.NewScheduleAsync("Night shift");

        await (await org.Owner.PostAsJsonAsync(Schedules, new { name = new string('n', 201), windows = new[] { Window() } })).AssertFieldErrorAsync("name");
        await (await org.Owner.PostAsJsonAsync(Schedules, new { name = "Night shift", windows = new[] { Window() } })).AssertStatusAsync(HttpStatusCode.Conflict);
        Assert.Equal(1, await org.Owner.TotalAsync(Schedules));
    }

    [Fact]
    public async Task Patch_NameOnly_KeepsWindowsAndHolidays()
    {
        var org = await app.NewOrganizationAsync();
        var schedule = await org.Owner.CreateAsync(Schedules, new
        {
            name = "Before",
            windows = new[] { Window("07:00", "19:00", "Sunday") },
            holidays = new[] { new { date = "2026-05-01", name = "Labour day" } },
        });

        var patched = await (await org.Owner.PatchAsJsonAsync($"{Schedules}/{schedule.Id()}", new { name = "After" })).JsonAsync();

        Assert.Equal("After", patched.Str("name"));
        Assert.Equal(schedule.GetProperty("windows").GetRawText(), patched.GetProperty("windows").GetRawText());
        Assert.Equal(schedule.GetProperty("holidays").GetRawText(), patched.GetProperty("holidays").GetRawText());
    }

    [Fact]
    public async Task Patch_WindowsReplacedAndHolidaysNull_ReplacesAndClears()
    {
        var org = await app.NewOrganizationAsync();
        var schedule = await org.Owner.CreateAsync(Schedules, new
        {
            name = "Shop",
            windows = new[] { Window("07:00", "19:00", "Sunday") },
            holidays = new[] { new { date = "2026-05-01", name = "Labour day" } },
        });

        await (await org.Owner.PatchAsJsonAsync($"{Schedules}/{schedule.Id()}", new
        {
            windows = new[] { Window("10:00", "14:00", "Wednesday", "Thursday") },
            holidays = (object?)null,
        })).AssertStatusAsync(HttpStatusCode.OK);

        var stored = await org.Owner.GetJsonAsync($"{Schedules}/{schedule.Id()}");
        var window = Assert.Single(stored.GetProperty("windows").EnumerateArray());
        Assert.Equal(["Wednesday", "Thursday"], window.Strings("days"));
        Assert.Equal("10:00", window.Str("start"));
        Assert.Empty(stored.GetProperty("holidays").EnumerateArray());
        Assert.Equal("Shop", stored.Str("name"));
    }

    [Fact]
    public async Task Patch_BadWindow_Is400AndChangesNothing()
    {
        var org = await app.NewOrganizationAsync();
        var schedule = await org.Owner.NewScheduleAsync("Keep");

        var response = await org.Owner.PatchAsJsonAsync($"{Schedules}/{schedule.Id()}", new { name = "Changed", windows = new[] { Window("18:00", "17:00") } });

        await response.AssertFieldErrorAsync("windows[0].end");
        var stored = await org.Owner.GetJsonAsync($"{Schedules}/{schedule.Id()}");
        Assert.Equal("Keep", stored.Str("name"));
        Assert.Equal(schedule.GetProperty("windows").GetRawText(), stored.GetProperty("windows").GetRawText());
    }

    [Fact]
    public async Task Delete_UnusedSchedule_RemovesIt()
    {
        var org = await app.NewOrganizationAsync();
        var schedule = await org.Owner.NewScheduleAsync();

        await (await org.Owner.DeleteAsync($"{Schedules}/{schedule.Id()}")).AssertStatusAsync(HttpStatusCode.NoContent);

        await (await org.Owner.GetAsync($"{Schedules}/{schedule.Id()}")).AssertStatusAsync(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task Delete_ScheduleUsedByAccessGroup_Is409AndKeepsIt()
    {
        var org = await app.NewOrganizationAsync();
        var schedule = await org.Owner.NewScheduleAsync();
        await org.Owner.NewAccessGroupAsync(schedule.Id(), name: "Cleaners");

        var response = await org.Owner.DeleteAsync($"{Schedules}/{schedule.Id()}");

        var problem = await response.JsonAsync(HttpStatusCode.Conflict);
        Assert.Contains("Cleaners", problem.Str("detail"), StringComparison.Ordinal);
        await (await org.Owner.GetAsync($"{Schedules}/{schedule.Id()}")).AssertStatusAsync(HttpStatusCode.OK);
    }

    [Fact]
    public async Task AnotherOrganizationsSchedule_Is404ForEveryCallAndUnchanged()
    {
        var mine = await app.NewOrganizationAsync();
        var theirs = await app.NewOrganizationAsync();
        var schedule = await theirs.Owner.NewScheduleAsync("Theirs");
        var url = $"{Schedules}/{schedule.Id()}";

        await (await mine.Owner.GetAsync(url)).AssertStatusAsync(HttpStatusCode.NotFound);
        await (await mine.Owner.PatchAsJsonAsync(url, new { name = "Mine" })).AssertStatusAsync(HttpStatusCode.NotFound);
        await (await mine.Owner.DeleteAsync(url)).AssertStatusAsync(HttpStatusCode.NotFound);

        Assert.Equal(0, await mine.Owner.TotalAsync(Schedules));
        Assert.Equal("Theirs", (await theirs.Owner.GetJsonAsync(url)).Str("name"));
    }

    [Fact]
    public async Task Viewer_CanReadButGets403OnChanges()
    {
        var org = await app.NewOrganizationAsync();
        var schedule = await org.Owner.NewScheduleAsync("Keep");
        var viewer = await org.MemberAsync("viewer");

        await (await viewer.GetAsync($"{Schedules}/{schedule.Id()}")).AssertStatusAsync(HttpStatusCode.OK);
        await (await viewer.PostAsJsonAsync(Schedules, new { name = "New", windows = new[] { Window() } })).AssertStatusAsync(HttpStatusCode.Forbidden);
        await (await viewer.PatchAsJsonAsync($"{Schedules}/{schedule.Id()}", new { name = "Renamed" })).AssertStatusAsync(HttpStatusCode.Forbidden);
        await (await viewer.DeleteAsync($"{Schedules}/{schedule.Id()}")).AssertStatusAsync(HttpStatusCode.Forbidden);

        Assert.Equal(1, await org.Owner.TotalAsync(Schedules));
        Assert.Equal("Keep", (await org.Owner.GetJsonAsync($"{Schedules}/{schedule.Id()}")).Str("name"));
    }
}
