using System.Text.RegularExpressions;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Gatehouse.Server.Tests.Browser;

/// <summary>An owner sets up access in the console: a site, its doors, a schedule and an access group.</summary>
[Trait("Category", "Browser")]
public sealed class SetupTests(ConsoleApp app) : IClassFixture<ConsoleApp>
{
    [Fact]
    public async Task Site_AddedInSettings_IsListedWithItsTimeZone()
    {
        var org = await app.NewOrganizationAsync();
        await using var browser = await app.SignInAsync(org);
        var page = browser.Page;

        await browser.MenuAsync("Settings");
        await page.GetByRole(AriaRole.Link, new() { Name = "Add site" }).First.ClickAsync();
        // Settings has a Name field of its own (the organization's): wait for the site editor before filling.
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Add a site" })).ToBeVisibleAsync();
        await page.GetByLabel("Name").FillAsync("Head office");
        await page.GetByLabel("Time zone").SelectOptionAsync("Europe/Berlin");
        await browser.ScreenshotAsync("site-editor");
        await page.GetByRole(AriaRole.Button, new() { Name = "Add site" }).ClickAsync();

        await Expect(page).ToHaveURLAsync(new Regex("/settings$"));
        await Expect(page.GetByRole(AriaRole.Status)).ToContainTextAsync("Site “Head office” added.");
        var row = page.GetByRole(AriaRole.Row).Filter(new() { HasText = "Head office" });
        await Expect(row).ToContainTextAsync("Europe/Berlin");
        await browser.ScreenshotAsync("settings");
        browser.AssertNoProblems();
        Assert.Equal(1, (await org.GetAsync("/api/v1/sites")).GetProperty("total").GetInt32());
    }

    [Fact]
    public async Task Door_AddedRenamedAndDeleted_ListFollows()
    {
        var org = await app.NewOrganizationAsync();
        await org.SiteAsync("Head office");
        await using var browser = await app.SignInAsync(org);
        var page = browser.Page;

        await browser.MenuAsync("Doors");
        await page.GetByRole(AriaRole.Link, new() { Name = "Add door" }).First.ClickAsync();
        await page.GetByLabel("Name").FillAsync("Main entrance");
        await Expect(page.GetByLabel("Site")).ToHaveValueAsync(new Regex("^[0-9a-f-]{36}$"));
        await page.GetByRole(AriaRole.Button, new() { Name = "Add door" }).ClickAsync();

        await Expect(page.GetByRole(AriaRole.Status)).ToContainTextAsync("Door “Main entrance” added.");
        await Expect(page.GetByRole(AriaRole.Row).Filter(new() { HasText = "Main entrance" })).ToContainTextAsync("Head office");
        await browser.ScreenshotAsync("doors");

        await page.GetByRole(AriaRole.Link, new() { Name = "Main entrance" }).ClickAsync();
        await page.GetByLabel("Name").FillAsync("Front door");
        await browser.ScreenshotAsync("door-editor");
        await page.GetByRole(AriaRole.Button, new() { Name = "Save changes" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Row).Filter(new() { HasText = "Front door" })).ToBeVisibleAsync();

        await page.GetByRole(AriaRole.Link, new() { Name = "Front door" }).ClickAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Delete door" }).ClickAsync();
        var dialog = page.GetByRole(AriaRole.Dialog);
        await Expect(dialog).ToContainTextAsync("“Front door” will be deleted");
        await browser.ScreenshotAsync("door-delete-confirmation");
        await dialog.GetByRole(AriaRole.Button, new() { Name = "Delete" }).ClickAsync();

        await Expect(page.GetByRole(AriaRole.Status)).ToContainTextAsync("Door “Front door” deleted.");
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "No doors yet" })).ToBeVisibleAsync();
        browser.AssertNoProblems();
        Assert.Equal(0, (await org.GetAsync("/api/v1/doors")).GetProperty("total").GetInt32());
    }

    [Fact]
    public async Task Schedule_StartAfterEnd_ShowsErrorAtTheFieldAndSavesNothing()
    {
        var org = await app.NewOrganizationAsync();
        await using var browser = await app.SignInAsync(org);
        var page = browser.Page;

        await page.GotoAsync("/schedules/new");
        await page.GetByLabel("Name", new() { Exact = true }).FillAsync("Office hours");
        await page.Locator("#windows-0-start").FillAsync("18:00");
        await page.Locator("#windows-0-end").FillAsync("08:00");
        await page.GetByRole(AriaRole.Button, new() { Name = "Add schedule" }).ClickAsync();

        await Expect(page.Locator("#windows-0-end-error")).ToContainTextAsync("End must be after start");
        await Expect(page.Locator("#windows-0-end")).ToHaveAttributeAsync("aria-describedby", "windows-0-end-error");
        await Expect(page.Locator("#windows-0-end")).ToHaveValueAsync("08:00");
        await browser.ScreenshotAsync("schedule-editor-error");
        Assert.Equal(0, (await org.GetAsync("/api/v1/schedules")).GetProperty("total").GetInt32());
    }

    [Fact]
    public async Task Schedule_WithTwoWindowsAndAHoliday_IsSavedAsTheApiShowsIt()
    {
        var org = await app.NewOrganizationAsync();
        await using var browser = await app.SignInAsync(org);
        var page = browser.Page;

        await browser.MenuAsync("Schedules");
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "No schedules yet" })).ToBeVisibleAsync();
        await page.GetByRole(AriaRole.Link, new() { Name = "Add schedule" }).First.ClickAsync();
        await page.GetByLabel("Name", new() { Exact = true }).FillAsync("Office hours");
        await page.GetByRole(AriaRole.Button, new() { Name = "Add window" }).ClickAsync();
        await page.Locator("input[name='windows[1].days'][value='Saturday']").CheckAsync();
        await page.Locator("#windows-1-start").FillAsync("09:00");
        await page.Locator("#windows-1-end").FillAsync("13:00");
        await page.GetByRole(AriaRole.Button, new() { Name = "Add holiday" }).ClickAsync();
        await page.Locator("#holidays-0-date").FillAsync("2026-12-25");
        await page.Locator("#holidays-0-name").FillAsync("Christmas Day");
        await browser.ScreenshotAsync("schedule-editor");
        await page.GetByRole(AriaRole.Button, new() { Name = "Add schedule" }).ClickAsync();

        await Expect(page.GetByRole(AriaRole.Status)).ToContainTextAsync("Schedule “Office hours” added.");
        var row = page.GetByRole(AriaRole.Row).Filter(new() { HasText = "Office hours" });
        await Expect(row).ToContainTextAsync("Mon–Fri 08:00–18:00; Sat 09:00–13:00");
        await Expect(row).ToContainTextAsync("1 day");
        await browser.ScreenshotAsync("schedules");
        browser.AssertNoProblems();

        var schedule = (await org.GetAsync("/api/v1/schedules")).GetProperty("items")[0];
        Assert.Equal(2, schedule.GetProperty("windows").GetArrayLength());
        Assert.Equal("2026-12-25", schedule.GetProperty("holidays")[0].GetProperty("date").GetString());
        Assert.Equal("Christmas Day", schedule.GetProperty("holidays")[0].GetProperty("name").GetString());
    }

    [Fact]
    public async Task AccessGroup_WithScheduleAndDoorsOfTwoSites_IsListed()
    {
        var org = await app.NewOrganizationAsync();
        var office = await org.SiteAsync("Head office", "Europe/Berlin");
        var depot = await org.SiteAsync("Depot", "America/New_York");
        await org.DoorAsync(office, "Main entrance");
        await org.DoorAsync(office, "Server room");
        await org.DoorAsync(depot, "Loading bay");
        await org.ScheduleAsync("Weekdays");
        await using var browser = await app.SignInAsync(org);
        var page = browser.Page;

        await browser.MenuAsync("Access groups");
        await page.GetByRole(AriaRole.Link, new() { Name = "Add access group" }).First.ClickAsync();
        await page.GetByLabel("Name", new() { Exact = true }).FillAsync("Staff");
        await page.GetByLabel("Schedule").SelectOptionAsync(new SelectOptionValue { Label = "Weekdays" });
        await page.GetByRole(AriaRole.Group, new() { Name = "Head office" }).GetByLabel("Main entrance").CheckAsync();
        await page.GetByRole(AriaRole.Group, new() { Name = "Depot" }).GetByLabel("Loading bay").CheckAsync();
        await browser.ScreenshotAsync("access-group-editor");
        await page.GetByRole(AriaRole.Button, new() { Name = "Add access group" }).ClickAsync();

        await Expect(page.GetByRole(AriaRole.Status)).ToContainTextAsync("Access group “Staff” added.");
        var row = page.GetByRole(AriaRole.Row).Filter(new() { HasText = "Staff" });
        await Expect(row).ToContainTextAsync("Weekdays");
        await Expect(row).ToContainTextAsync("Loading bay, Main entrance");
        await browser.ScreenshotAsync("access-groups");
        browser.AssertNoProblems();
    }

    [Fact]
    public async Task Door_OfAnotherOrganization_IsNotFound()
    {
        var other = await app.NewOrganizationAsync();
        var otherDoor = await other.DoorAsync(await other.SiteAsync("Elsewhere"), "Their door");
        var org = await app.NewOrganizationAsync();
        await using var browser = await app.SignInAsync(org);

        var response = await browser.Page.GotoAsync($"/doors/{otherDoor}");

        Assert.Equal(404, response!.Status);
        await Expect(browser.Page.GetByRole(AriaRole.Heading, new() { Name = "There is nothing here" })).ToBeVisibleAsync();
        await Expect(browser.Page.Locator("main")).Not.ToContainTextAsync("Their door");
    }
}
