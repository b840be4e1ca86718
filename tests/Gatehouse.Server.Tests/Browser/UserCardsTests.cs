using System.Text.RegularExpressions;
using Gatehouse.Server.Tests.Features;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Gatehouse.Server.Tests.Browser;

/// <summary>The Card panel of a user's page, and what the access explorer says about the card.</summary>
[Trait("Category", "Browser")]
public sealed class UserCardsTests(ConsoleApp app) : IClassFixture<ConsoleApp>
{
    [Fact]
    public async Task AddManually_FacilityCodeOutOfRange_ShowsTheErrorAtTheFieldThenAddsTheCard()
    {
        var org = await app.NewOrganizationAsync();
        var world = await ConsoleWorld.CreateAsync(org.Owner);
        var user = await world.NewUserAsync(org.Owner);
        await using var browser = await app.SignInAsync(org);
        var page = browser.Page;

        await page.GotoAsync($"/users/{user.Id()}");
        await Expect(page.GetByLabel("Format")).ToHaveValueAsync("H10301");
        await Expect(page.Locator("#card-facilityCode-hint")).ToHaveTextAsync("Between 0 and 255.");
        await page.GetByLabel("Facility code").FillAsync("300");
        await Expect(page.Locator("#card-facilityCode-live")).ToHaveTextAsync("Facility code must be between 0 and 255 for H10301.");
        await page.GetByLabel("Card number").FillAsync("3456");
        await page.GetByRole(AriaRole.Button, new() { Name = "Add card" }).ClickAsync();

        // The server's answer after the post, beside the field, with what was typed kept.
        await Expect(page.Locator("#card-facilityCode-error")).ToContainTextAsync("Facility code must be between 0 and 255 for H10301.");
        await Expect(page.GetByLabel("Facility code")).ToHaveValueAsync("300");
        await Expect(page.Locator(".card-panel")).ToContainTextAsync("Ana has no card yet");
        await browser.ScreenshotAsync("user-card-error");
        Assert.Equal(0, await org.Owner.TotalAsync($"/api/v1/users/{user.Id()}/credentials"));

        await page.GetByLabel("Facility code").FillAsync("12");
        await Expect(page.Locator("#card-facilityCode-error")).ToBeHiddenAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Add card" }).ClickAsync();

        await Expect(page.GetByRole(AriaRole.Status)).ToContainTextAsync("Card FC 12 · No. 3456 added");
        var row = page.Locator(".card-panel tbody tr");
        await Expect(row).ToHaveCountAsync(1);
        await Expect(row).ToContainTextAsync("H10301");
        await Expect(row).ToContainTextAsync("FC 12 · No. 3456");
        await Expect(row).ToContainTextAsync("Active");
        await Expect(row).ToContainTextAsync("Always");
        await browser.ScreenshotAsync("user");
        browser.AssertNoProblems();
    }

    [Fact]
    public async Task AddManually_CsnFormat_ShowsOnlyTheCsnFieldAndAcceptsSeparators()
    {
        var org = await app.NewOrganizationAsync();
        var user = await org.Owner.NewUserAsync();
        await using var browser = await app.SignInAsync(org);
        var page = browser.Page;

        await page.GotoAsync($"/users/{user.Id()}");
        await page.GetByLabel("Format").SelectOptionAsync("CSN");

        await Expect(page.GetByLabel("Facility code")).ToBeHiddenAsync();
        await Expect(page.GetByLabel("Card number")).ToBeHiddenAsync();
        await page.GetByLabel("CSN").FillAsync("04:A2:24");
        await Expect(page.Locator("#card-csn-live")).ToContainTextAsync("8, 14 or 20 hex digits; this has 6");
        await page.GetByLabel("CSN").FillAsync("04:a2:24:b2:c1:5e:80");
        await Expect(page.Locator("#card-csn-live")).ToBeHiddenAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Add card" }).ClickAsync();

        await Expect(page.Locator(".card-panel tbody tr")).ToContainTextAsync("04A224B2C15E80");
        browser.AssertNoProblems();
    }

    [Fact]
    public async Task SuspendThenDelete_Card_AccessExplorerDecisionFollows()
    {
        var org = await app.NewOrganizationAsync();
        var world = await ConsoleWorld.CreateAsync(org.Owner);
        var user = await world.NewUserAsync(org.Owner);
        await ConsoleWorld.NewCardAsync(org.Owner, user.Id(), 12, 3456);
        await using var browser = await app.SignInAsync(org);
        var page = browser.Page;

        var door = await TryCardAsync(page);
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "This card is Ana Lima's" })).ToBeVisibleAsync();
        await Expect(door).ToContainTextAsync("Granted");
        await Expect(door).ToContainTextAsync(world.GroupName);
        await browser.ScreenshotAsync("explorer-card");

        await page.GotoAsync($"/users/{user.Id()}");
        await page.GetByRole(AriaRole.Link, new() { Name = "Modify card FC 12 · No. 3456" }).ClickAsync();
        await page.GetByRole(AriaRole.Radio, new() { Name = "Suspended" }).CheckAsync();
        await browser.ScreenshotAsync("credential-modify");
        await page.GetByRole(AriaRole.Button, new() { Name = "Save changes" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Status)).ToContainTextAsync("Card suspended");
        await Expect(page.Locator(".card-panel tbody tr")).ToContainTextAsync("Suspended");

        door = await TryCardAsync(page);
        await Expect(door).ToContainTextAsync("Denied");
        await Expect(door).ToContainTextAsync("Credential suspended");

        await page.GotoAsync($"/users/{user.Id()}");
        await page.Locator(".card-panel").GetByRole(AriaRole.Button, new() { Name = "Delete" }).ClickAsync();
        var dialog = page.GetByRole(AriaRole.Dialog, new() { Name = "Delete this card?" });
        await dialog.GetByRole(AriaRole.Button, new() { Name = "Delete card" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Status)).ToContainTextAsync("deleted");
        await Expect(page.Locator(".card-panel")).ToContainTextAsync("Ana has no card yet");

        door = await TryCardAsync(page);
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "No credential matches this card" })).ToBeVisibleAsync();
        await Expect(door).ToContainTextAsync("Unknown credential");
        browser.AssertNoProblems();
    }

    [Fact]
    public async Task ExplorerByDoor_UserSuspended_ShowsWhoCanOpenAndWhyNot()
    {
        var org = await app.NewOrganizationAsync();
        var world = await ConsoleWorld.CreateAsync(org.Owner);
        var ana = await world.NewUserAsync(org.Owner, "Ana", "Lima");
        var bo = await world.NewUserAsync(org.Owner, "Bo", "Berg");
        await ConsoleWorld.NewCardAsync(org.Owner, ana.Id(), 12, 1);
        await ConsoleWorld.NewCardAsync(org.Owner, bo.Id(), 12, 2);
        await org.Owner.PatchRawAsync($"/api/v1/users/{bo.Id()}", """{"status":"suspended"}""");
        await using var browser = await app.SignInAsync(org);
        var page = browser.Page;

        await page.GotoAsync("/explorer");
        await page.GetByLabel("Door", new() { Exact = true }).SelectOptionAsync(new SelectOptionValue { Label = world.DoorName });
        await page.GetByRole(AriaRole.Button, new() { Name = "Who can open it?" }).ClickAsync();

        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "1 credential opens Front door" })).ToBeVisibleAsync();
        await Expect(page.GetByRole(AriaRole.Row).Filter(new() { HasText = "Ana Lima" })).ToContainTextAsync("Granted");
        await Expect(page.GetByRole(AriaRole.Row).Filter(new() { HasText = "Bo Berg" })).ToContainTextAsync("User suspended");
        await browser.ScreenshotAsync("explorer-door");

        await page.GotoAsync($"/explorer/user?userId={ana.Id()}");
        var door = page.GetByRole(AriaRole.Row).Filter(new() { HasText = world.DoorName });
        await Expect(door).ToContainTextAsync(world.GroupName);
        await Expect(door).ToContainTextAsync("Every day 00:00–24:00");
        await Expect(door).ToContainTextAsync("Granted");
        await browser.ScreenshotAsync("explorer-user");
        browser.AssertNoProblems();
    }

    [Fact]
    public async Task ExplorerByCard_FacilityCodeOutOfRange_ShowsTheErrorAtTheField()
    {
        var org = await app.NewOrganizationAsync();
        await ConsoleWorld.CreateAsync(org.Owner);
        var viewer = await app.AddAdminAsync(org, "viewer");
        await using var browser = await app.SignInAsync(viewer, Infrastructure.GatehouseApp.OwnerPassword);
        var page = browser.Page;

        await page.GotoAsync("/explorer/card");
        await page.GetByLabel("Facility code").FillAsync("256");
        await page.GetByLabel("Card number").FillAsync("1");
        await page.GetByRole(AriaRole.Button, new() { Name = "What does each door decide?" }).ClickAsync();

        // A viewer may ask: the question changes nothing.
        await Expect(page.Locator("#card-facilityCode-error")).ToContainTextAsync("between 0 and 255");
        await Expect(page.Locator(".answer")).ToHaveCountAsync(0);
    }

    /// <summary>Asks the explorer about card H10301 12/3456; returns the row of the door.</summary>
    private static async Task<ILocator> TryCardAsync(IPage page)
    {
        await page.GotoAsync("/explorer/card");
        await page.GetByLabel("Format").SelectOptionAsync("H10301");
        await page.GetByLabel("Facility code").FillAsync("12");
        await page.GetByLabel("Card number").FillAsync("3456");
        await page.GetByRole(AriaRole.Button, new() { Name = "What does each door decide?" }).ClickAsync();
        await Expect(page).ToHaveURLAsync(new Regex("/explorer/card$"));
        return page.GetByRole(AriaRole.Row).Filter(new() { HasText = "Front door" });
    }
}
