using Gatehouse.Server.Tests.Infrastructure;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Gatehouse.Server.Tests.Browser;

/// <summary>Settings → Organization: owners rename the organization; everyone else sees its name read-only.</summary>
[Trait("Category", "Browser")]
public sealed class OrganizationSettingsTests(ConsoleApp app) : IClassFixture<ConsoleApp>
{
    [Fact]
    public async Task Owner_RenamesTheOrganization_HeaderShowsTheNewName()
    {
        var org = await app.NewOrganizationAsync();
        await using var browser = await app.SignInAsync(org);
        var page = browser.Page;
        var header = page.GetByRole(AriaRole.Banner).GetByTitle("Organization");
        var oldName = (await org.GetAsync("/api/v1/organization")).GetProperty("name").GetString()!;
        await Expect(header).ToHaveTextAsync(oldName);

        await browser.MenuAsync("Settings");
        var name = page.GetByLabel("Name", new() { Exact = true });
        await name.FillAsync("   ");
        await page.GetByRole(AriaRole.Button, new() { Name = "Rename organization" }).ClickAsync();
        await Expect(page.Locator("#organization-name-error")).ToContainTextAsync("This field is required.");
        await Expect(name).ToHaveAttributeAsync("aria-describedby", "organization-name-hint organization-name-error");
        await Expect(header).ToHaveTextAsync(oldName);

        await name.FillAsync("Harbour Office");
        await page.GetByRole(AriaRole.Button, new() { Name = "Rename organization" }).ClickAsync();

        await Expect(page.GetByRole(AriaRole.Status)).ToContainTextAsync("Organization renamed to “Harbour Office”.");
        await Expect(header).ToHaveTextAsync("Harbour Office");
        await Expect(name).ToHaveValueAsync("Harbour Office");
        await browser.ScreenshotAsync("settings-organization");
        await browser.MenuAsync("Doors");
        await Expect(header).ToHaveTextAsync("Harbour Office");
        browser.AssertNoProblems();
        Assert.Equal("Harbour Office", (await org.GetAsync("/api/v1/organization")).GetProperty("name").GetString());
    }

    [Fact]
    public async Task Admin_SeesTheNameReadOnly_AndACraftedRenameIsRefused()
    {
        var org = await app.NewOrganizationAsync();
        var oldName = (await org.GetAsync("/api/v1/organization")).GetProperty("name").GetString()!;
        var adminEmail = await app.AddAdminAsync(org, "admin");
        await using var browser = await app.SignInAsync(adminEmail, GatehouseApp.OwnerPassword);
        var page = browser.Page;

        await page.GotoAsync("/settings");
        await Expect(page.GetByRole(AriaRole.Button, new() { Name = "Rename organization" })).ToHaveCountAsync(0);
        await Expect(page.Locator("#organization-name")).ToHaveCountAsync(0);
        await Expect(page.Locator("section[aria-labelledby='org-title'] dd").First).ToHaveTextAsync(oldName);
        var token = await page.Locator("input[name='__RequestVerificationToken']").First.GetAttributeAsync("value");

        var response = await browser.Request.PostAsync("/settings", new()
        {
            Form = browser.Request.CreateFormData()
                .Set("_handler", "organization").Set("__RequestVerificationToken", token!).Set("Input.Name", "Taken over"),
        });

        // The page renders no rename form for an admin, so the post has nothing to submit to (400); the service would refuse it too.
        Assert.Equal(400, response.Status);
        Assert.Equal(oldName, (await org.GetAsync("/api/v1/organization")).GetProperty("name").GetString());
        browser.AssertNoProblems();
    }
}
