using System.Text.RegularExpressions;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Gatehouse.Server.Tests.Browser;

/// <summary>A viewer sees everything and can change nothing: no buttons, and a crafted post is refused.</summary>
[Trait("Category", "Browser")]
public sealed class ViewerTests(ConsoleApp app) : IClassFixture<ConsoleApp>
{
    [Fact]
    public async Task Viewer_Lists_ShowNoChangeControls()
    {
        var org = await app.NewOrganizationAsync();
        var site = await org.SiteAsync("Head office");
        await org.DoorAsync(site, "Main entrance");
        await org.ScheduleAsync("Weekdays");
        var viewer = await app.AddAdminAsync(org, "viewer");
        await using var browser = await app.SignInAsync(viewer, Infrastructure.GatehouseApp.OwnerPassword);
        var page = browser.Page;

        foreach (var (path, add) in new[] { ("/doors", "Add door"), ("/schedules", "Add schedule"), ("/access-groups", "Add access group"), ("/settings", "Add site") })
        {
            await page.GotoAsync(path);
            await Expect(page.GetByRole(AriaRole.Heading, new() { Level = 1 })).ToBeVisibleAsync();
            await Expect(page.GetByRole(AriaRole.Link, new() { Name = add })).ToHaveCountAsync(0);
        }

        await page.GotoAsync("/doors");
        await Expect(page.GetByRole(AriaRole.Row).Filter(new() { HasText = "Main entrance" })).ToBeVisibleAsync();
        await browser.ScreenshotAsync("doors-viewer");
        await page.GetByRole(AriaRole.Link, new() { Name = "Main entrance" }).ClickAsync();
        await Expect(page.GetByLabel("Name")).ToBeDisabledAsync();
        await Expect(page.GetByRole(AriaRole.Button, new() { Name = "Save changes" })).ToHaveCountAsync(0);
        await Expect(page.GetByRole(AriaRole.Button, new() { Name = "Delete door" })).ToHaveCountAsync(0);
        await Expect(page.GetByText("Your role can view but not change this.")).ToBeVisibleAsync();
        browser.AssertNoProblems();
    }

    [Fact]
    public async Task Viewer_CraftedPosts_AreRefusedAndChangeNothing()
    {
        var org = await app.NewOrganizationAsync();
        var site = await org.SiteAsync("Head office");
        var door = await org.DoorAsync(site, "Main entrance");
        var viewer = await app.AddAdminAsync(org, "viewer");
        await using var browser = await app.SignInAsync(viewer, Infrastructure.GatehouseApp.OwnerPassword);
        await browser.Page.GotoAsync($"/doors/{door}");
        var token = await browser.Page.Locator("input[name='__RequestVerificationToken']").First.GetAttributeAsync("value");

        var rename = await browser.Request.PostAsync($"/doors/{door}", new()
        {
            Form = browser.Request.CreateFormData()
                .Set("_handler", "door").Set("__RequestVerificationToken", token!)
                .Set("Input.Name", "Renamed by a viewer").Set("Input.SiteId", site),
        });
        var delete = await browser.Request.PostAsync($"/doors/{door}", new()
        {
            Form = browser.Request.CreateFormData().Set("_handler", "delete-door").Set("__RequestVerificationToken", token!),
        });
        var create = await browser.Request.PostAsync("/settings/sites/new", new()
        {
            Form = browser.Request.CreateFormData()
                .Set("_handler", "site").Set("__RequestVerificationToken", token!)
                .Set("Input.Name", "Viewer's site").Set("Input.TimeZone", "UTC"),
        });

        Assert.Equal(403, rename.Status);
        Assert.Equal(403, delete.Status);
        Assert.Equal(403, create.Status);
        Assert.Equal("Main entrance", (await org.GetAsync($"/api/v1/doors/{door}")).GetProperty("name").GetString());
        Assert.Equal(1, (await org.GetAsync("/api/v1/sites")).GetProperty("total").GetInt32());
    }

    [Fact]
    public async Task Admin_CraftedPostWithSameToken_IsAccepted()
    {
        // The other side of the viewer test: the same post by an admin goes through, so the refusal above is the role's.
        var org = await app.NewOrganizationAsync();
        var site = await org.SiteAsync("Head office");
        var door = await org.DoorAsync(site, "Main entrance");
        var admin = await app.AddAdminAsync(org, "admin");
        await using var browser = await app.SignInAsync(admin, Infrastructure.GatehouseApp.OwnerPassword);
        await browser.Page.GotoAsync($"/doors/{door}");
        var token = await browser.Page.Locator("input[name='__RequestVerificationToken']").First.GetAttributeAsync("value");

        var rename = await browser.Request.PostAsync($"/doors/{door}", new()
        {
            Form = browser.Request.CreateFormData()
                .Set("_handler", "door").Set("__RequestVerificationToken", token!)
                .Set("Input.Name", "Renamed by an admin").Set("Input.SiteId", site),
            MaxRedirects = 0,
        });

        Assert.InRange(rename.Status, 300, 399);
        Assert.Equal("Renamed by an admin", (await org.GetAsync($"/api/v1/doors/{door}")).GetProperty("name").GetString());
    }
}
