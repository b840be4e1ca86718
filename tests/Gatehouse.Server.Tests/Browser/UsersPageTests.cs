using System.Net;
using System.Text;
using System.Text.RegularExpressions;
using Gatehouse.Server.Tests.Features;
using Gatehouse.Server.Tests.Infrastructure;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Gatehouse.Server.Tests.Browser;

[Trait("Category", "Browser")]
public sealed class UsersPageTests(ConsoleApp app) : IClassFixture<ConsoleApp>
{
    [Fact]
    public async Task AddUser_WithAccessGroup_ShowsTheirPageAndTheList()
    {
        var org = await app.NewOrganizationAsync();
        var world = await ConsoleWorld.CreateAsync(org.Owner);
        await using var browser = await app.SignInAsync(org);
        var page = browser.Page;

        await page.GotoAsync("/users");
        await browser.ScreenshotAsync("users-empty");
        await page.GetByRole(AriaRole.Link, new() { Name = "Add user" }).First.ClickAsync();
        await page.GetByLabel("First name").FillAsync("Ana");
        await page.GetByLabel("Last name").FillAsync("Lima");
        await page.GetByLabel("Email").FillAsync("ana@example.com");
        await page.GetByRole(AriaRole.Checkbox, new() { Name = world.GroupName }).CheckAsync();
        await browser.ScreenshotAsync("user-new");
        await page.GetByRole(AriaRole.Button, new() { Name = "Add user" }).ClickAsync();

        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Ana Lima", Level = 1 })).ToBeVisibleAsync();
        await Expect(page.GetByRole(AriaRole.Status)).ToContainTextAsync("Ana Lima added");
        await Expect(page.Locator("section[aria-labelledby=groups-title]")).ToContainTextAsync(world.GroupName);
        await page.GotoAsync("/users");
        var row = page.GetByRole(AriaRole.Row).Filter(new() { HasText = "Ana Lima" });
        await Expect(row).ToContainTextAsync("ana@example.com");
        await Expect(row).ToContainTextAsync(world.GroupName);
        await Expect(row).ToContainTextAsync("Active");
        browser.AssertNoProblems();
    }

    [Fact]
    public async Task List_UsersWithGroupsAndCards_ShowsThemAsBadges()
    {
        var org = await app.NewOrganizationAsync();
        var world = await ConsoleWorld.CreateAsync(org.Owner);
        var ana = await world.NewUserAsync(org.Owner, "Ana", "Lima");
        await ConsoleWorld.NewCardAsync(org.Owner, ana.Id(), 12, 1);
        await ConsoleWorld.NewCardAsync(org.Owner, ana.Id(), 12, 2);
        await org.Owner.CreateAsync("/api/v1/users", new { firstName = "Bo", lastName = "Berg", email = "bo@example.com", status = "suspended" });
        await org.Owner.CreateAsync("/api/v1/users", new { firstName = "Cy", lastName = "Dunn", validUntil = "2020-01-01T00:00:00Z" });
        await using var browser = await app.SignInAsync(org);
        var page = browser.Page;

        await page.GotoAsync("/users");

        var anaRow = page.GetByRole(AriaRole.Row).Filter(new() { HasText = "Ana Lima" });
        await Expect(anaRow).ToContainTextAsync(world.GroupName);
        await Expect(anaRow).ToContainTextAsync("2 cards");
        await Expect(page.GetByRole(AriaRole.Row).Filter(new() { HasText = "Bo Berg" })).ToContainTextAsync("Suspended");
        await Expect(page.GetByRole(AriaRole.Row).Filter(new() { HasText = "Cy Dunn" })).ToContainTextAsync("Expired");
        await browser.ScreenshotAsync("users");
    }

    [Fact]
    public async Task Search_ByPartOfTheName_ListsOnlyMatches()
    {
        var org = await app.NewOrganizationAsync();
        await org.Owner.NewUserAsync("Ana", "Lima");
        await org.Owner.NewUserAsync("Bo", "Berg");
        await using var browser = await app.SignInAsync(org);
        var page = browser.Page;

        await page.GotoAsync("/users");
        await page.GetByLabel("Search users").FillAsync("lim");
        await page.GetByRole(AriaRole.Button, new() { Name = "Search" }).ClickAsync();

        await Expect(page.GetByRole(AriaRole.Link, new() { Name = "Ana Lima" })).ToBeVisibleAsync();
        await Expect(page.GetByRole(AriaRole.Link, new() { Name = "Bo Berg" })).ToHaveCountAsync(0);
        await Expect(page.Locator("tbody tr")).ToHaveCountAsync(1);
    }

    [Fact]
    public async Task EditUser_SuspendAndValidity_ShowsOnTheirPage()
    {
        var org = await app.NewOrganizationAsync();
        var world = await ConsoleWorld.CreateAsync(org.Owner);
        var user = await world.NewUserAsync(org.Owner);
        await using var browser = await app.SignInAsync(org);
        var page = browser.Page;

        await page.GotoAsync($"/users/{user.Id()}/edit");
        await page.GetByLabel("Valid until").FillAsync("2031-06-30T18:00");
        await page.GetByRole(AriaRole.Checkbox, new() { Name = world.GroupName }).UncheckAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Save changes" }).ClickAsync();

        await Expect(page.GetByRole(AriaRole.Status)).ToContainTextAsync("Changes saved");
        await Expect(page.Locator(".details")).ToContainTextAsync("30 Jun 2031, 18:00");
        await Expect(page.Locator("section[aria-labelledby=groups-title]")).ToContainTextAsync("In no access group yet");

        await page.GetByRole(AriaRole.Button, new() { Name = "Suspend access" }).ClickAsync();

        await Expect(page.GetByRole(AriaRole.Status)).ToContainTextAsync("is suspended");
        await Expect(page.Locator("section[aria-labelledby=profile-title] .badge")).ToHaveTextAsync("Suspended");
        var stored = await org.Owner.GetJsonAsync($"/api/v1/users/{user.Id()}");
        Assert.Equal("suspended", stored.Str("status"));
        Assert.Equal(new DateTimeOffset(2031, 6, 30, 18, 0, 0, TimeSpan.Zero), stored.GetProperty("validUntil").GetDateTimeOffset());
        browser.AssertNoProblems();
    }

    [Fact]
    public async Task EditUser_EndBeforeStart_ShowsErrorAtTheFieldAndChangesNothing()
    {
        var org = await app.NewOrganizationAsync();
        var user = await org.Owner.NewUserAsync();
        await using var browser = await app.SignInAsync(org);
        var page = browser.Page;

        await page.GotoAsync($"/users/{user.Id()}/edit");
        await page.GetByLabel("First name").FillAsync("Changed");
        await page.GetByLabel("Valid from").FillAsync("2031-06-30T18:00");
        await page.GetByLabel("Valid until").FillAsync("2031-06-01T08:00");
        await page.GetByRole(AriaRole.Button, new() { Name = "Save changes" }).ClickAsync();

        await Expect(page.Locator("#validUntil-error")).ToContainTextAsync("Must be after validFrom");
        await Expect(page.GetByLabel("First name")).ToHaveValueAsync("Changed");
        Assert.Equal("Ana", (await org.Owner.GetJsonAsync($"/api/v1/users/{user.Id()}")).Str("firstName"));
    }

    [Fact]
    public async Task DeleteUser_AfterConfirming_IsGone()
    {
        var org = await app.NewOrganizationAsync();
        var user = await org.Owner.NewUserAsync("Ana", "Lima");
        await using var browser = await app.SignInAsync(org);
        var page = browser.Page;

        await page.GotoAsync($"/users/{user.Id()}");
        await page.GetByRole(AriaRole.Button, new() { Name = "Delete user" }).ClickAsync();
        var dialog = page.GetByRole(AriaRole.Dialog, new() { Name = "Delete this user?" });
        await Expect(dialog).ToContainTextAsync("Ana Lima and all of their credentials");
        await dialog.GetByRole(AriaRole.Button, new() { Name = "Delete" }).ClickAsync();

        await Expect(page).ToHaveURLAsync(new Regex("/users$"));
        await Expect(page.GetByRole(AriaRole.Status)).ToContainTextAsync("Ana Lima deleted");
        Assert.Equal(0, await org.Owner.TotalAsync("/api/v1/users"));
    }

    [Fact]
    public async Task UserPage_OfAnotherOrganization_IsNotFound()
    {
        var org = await app.NewOrganizationAsync();
        var other = await app.NewOrganizationAsync();
        var theirs = await other.Owner.NewUserAsync("Secret", "Person");
        await using var browser = await app.SignInAsync(org);

        var response = await browser.Page.GotoAsync($"/users/{theirs.Id()}");

        Assert.Equal((int)HttpStatusCode.NotFound, response!.Status);
        await Expect(browser.Page.Locator("main")).Not.ToContainTextAsync("Secret");
    }

    [Fact]
    public async Task Import_FileWithABadRow_ReportsTheRowAndImportsNothing()
    {
        var org = await app.NewOrganizationAsync();
        await ConsoleWorld.CreateAsync(org.Owner);
        await using var browser = await app.SignInAsync(org);
        var page = browser.Page;

        await page.GotoAsync("/users");
        await page.GetByRole(AriaRole.Link, new() { Name = "Import" }).First.ClickAsync();
        await UploadAsync(page, "firstName,lastName,email,accessGroups\nAna,Lima,ana@example.com,Staff\nBo,Berg,bo@example,Cleaners\n");

        var alert = page.GetByRole(AriaRole.Alert);
        await Expect(alert).ToContainTextAsync("Nothing was imported: 1 row has problems");
        var row = page.GetByRole(AriaRole.Row).Filter(new() { HasText = "Bo Berg" });
        await Expect(row.GetByRole(AriaRole.Cell).First).ToHaveTextAsync("3");
        await Expect(row).ToContainTextAsync("No access group is named “Cleaners”");
        await Expect(row).ToContainTextAsync("email: Must be an email address");
        await Expect(page.GetByRole(AriaRole.Button, new() { NameRegex = new Regex("^Import") })).ToHaveCountAsync(0);
        await browser.ScreenshotAsync("users-import-errors");
        Assert.Equal(0, await org.Owner.TotalAsync("/api/v1/users"));
        browser.AssertNoProblems();
    }

    [Fact]
    public async Task Import_FileOverTheLimit_IsRefusedAtTheField()
    {
        var org = await app.NewOrganizationAsync();
        await using var browser = await app.SignInAsync(org);
        var page = browser.Page;

        await page.GotoAsync("/users/import");
        var rows = string.Concat(Enumerable.Repeat("Ana,Lima,ana@example.com\n", 50_000));
        await UploadAsync(page, "firstName,lastName,email\n" + rows);

        await Expect(page.Locator("#file-error")).ToContainTextAsync("it may be at most 1,024 KB");
        Assert.Equal(0, await org.Owner.TotalAsync("/api/v1/users"));
        browser.AssertNoProblems();
    }

    [Fact]
    public async Task Import_GoodFile_PreviewsThenImportsEveryUser()
    {
        var org = await app.NewOrganizationAsync();
        await ConsoleWorld.CreateAsync(org.Owner);
        await using var browser = await app.SignInAsync(org);
        var page = browser.Page;

        await page.GotoAsync("/users/import");
        await browser.ScreenshotAsync("users-import");
        await UploadAsync(page, "firstName,lastName,status,accessGroups\r\nAna,Lima,,Staff\r\nBo,Berg,suspended,\r\n");

        await Expect(page.GetByRole(AriaRole.Status).Filter(new() { HasText = "ready to import" })).ToContainTextAsync("2 users are ready to import");
        Assert.Equal(0, await org.Owner.TotalAsync("/api/v1/users"));
        await browser.ScreenshotAsync("users-import-preview");
        await page.GetByRole(AriaRole.Button, new() { Name = "Import 2 users" }).ClickAsync();

        await Expect(page).ToHaveURLAsync(new Regex("/users$"));
        await Expect(page.GetByRole(AriaRole.Status)).ToContainTextAsync("Imported 2 users");
        await Expect(page.GetByRole(AriaRole.Row).Filter(new() { HasText = "Bo Berg" })).ToContainTextAsync("Suspended");
        await Expect(page.GetByRole(AriaRole.Row).Filter(new() { HasText = "Ana Lima" })).ToContainTextAsync("Staff");
        Assert.Equal(2, await org.Owner.TotalAsync("/api/v1/users"));
    }

    [Fact]
    public async Task Export_Users_DownloadsCsvWithFormulasDefused()
    {
        var org = await app.NewOrganizationAsync();
        var world = await ConsoleWorld.CreateAsync(org.Owner);
        await world.NewUserAsync(org.Owner, "=cmd|' /C calc'!A0", "Lima");
        await using var browser = await app.SignInAsync(org);
        var page = browser.Page;

        await page.GotoAsync("/users");
        var download = await page.RunAndWaitForDownloadAsync(() => page.GetByRole(AriaRole.Link, new() { Name = "Export CSV" }).ClickAsync());

        Assert.Equal("users.csv", download.SuggestedFilename);
        var text = await File.ReadAllTextAsync((await download.PathAsync())!, Encoding.UTF8);
        var lines = text.Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal("firstName,lastName,email,phone,status,validFrom,validUntil,accessGroups", lines[0]);
        Assert.Equal("\"'=cmd|' /C calc'!A0\",Lima,,,active,,,Staff", lines[1]);
    }

    [Fact]
    public async Task Viewer_SeesUsersReadOnlyAndCannotPostChanges()
    {
        var org = await app.NewOrganizationAsync();
        var world = await ConsoleWorld.CreateAsync(org.Owner);
        var user = await world.NewUserAsync(org.Owner);
        await ConsoleWorld.NewCardAsync(org.Owner, user.Id(), 12, 3456);
        var viewer = await app.AddAdminAsync(org, "viewer");
        await using var browser = await app.SignInAsync(viewer, GatehouseApp.OwnerPassword);
        var page = browser.Page;

        await page.GotoAsync("/users");
        await Expect(page.GetByRole(AriaRole.Link, new() { Name = "Ana Lima" })).ToBeVisibleAsync();
        await Expect(page.GetByRole(AriaRole.Link, new() { Name = "Add user" })).ToHaveCountAsync(0);
        await Expect(page.GetByRole(AriaRole.Link, new() { Name = "Import" })).ToHaveCountAsync(0);
        await page.GetByRole(AriaRole.Link, new() { Name = "Ana Lima" }).ClickAsync();
        await Expect(page.Locator(".card-panel")).ToContainTextAsync("No. •••56");
        await Expect(page.Locator(".card-panel")).Not.ToContainTextAsync("3456");
        await Expect(page.GetByText("Add Manually")).ToHaveCountAsync(0);
        await Expect(page.GetByRole(AriaRole.Button, new() { Name = "Suspend access" })).ToHaveCountAsync(0);

        var token = await page.Locator("input[name=__RequestVerificationToken]").First.GetAttributeAsync("value");
        var response = await browser.Request.PostAsync($"/users/{user.Id()}", new()
        {
            Form = browser.Request.CreateFormData().Set("_handler", "suspend-user").Set("__RequestVerificationToken", token!),
        });

        Assert.Equal((int)HttpStatusCode.Forbidden, response.Status);
        Assert.Equal("active", (await org.Owner.GetJsonAsync($"/api/v1/users/{user.Id()}")).Str("status"));
    }

    private static async Task UploadAsync(IPage page, string csv)
    {
        await page.GetByLabel("CSV file").SetInputFilesAsync(new FilePayload
        {
            Name = "users.csv",
            MimeType = "text/csv",
            Buffer = Encoding.UTF8.GetBytes(csv),
        });
        await page.GetByRole(AriaRole.Button, new() { Name = "Check file" }).ClickAsync();
    }
}
