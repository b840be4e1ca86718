using System.Text.Json;
using Gatehouse.Server.Tests.Infrastructure;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Gatehouse.Server.Tests.Browser;

/// <summary>Settings → Administrators: add, change the role of and remove administrators, by the roles' rules.</summary>
[Trait("Category", "Browser")]
public sealed class AdministratorsTests(ConsoleApp app) : IClassFixture<ConsoleApp>
{
    [Fact]
    public async Task Administrator_AddedChangedAndRemovedByOwner_ListFollows()
    {
        var org = await app.NewOrganizationAsync();
        var email = $"dana-{Guid.NewGuid():N}@example.com";
        await using var browser = await app.SignInAsync(org);
        var page = browser.Page;

        await browser.MenuAsync("Settings");
        await page.GetByRole(AriaRole.Link, new() { Name = "Add administrator" }).ClickAsync();
        await page.GetByLabel("Email").FillAsync(email);
        await page.GetByLabel("Role").SelectOptionAsync("Viewer");
        await page.GetByLabel("Password").FillAsync("Viewer-password-1");
        await page.GetByRole(AriaRole.Button, new() { Name = "Add administrator" }).ClickAsync();

        await Expect(page.GetByRole(AriaRole.Status)).ToContainTextAsync($"Administrator {email} added.");
        await Expect(page.GetByRole(AriaRole.Row).Filter(new() { HasText = email })).ToContainTextAsync("Viewer");
        await using (var viewer = await app.SignInAsync(email, "Viewer-password-1"))
        {
            await viewer.Page.GotoAsync("/settings");
            await Expect(viewer.Page.GetByRole(AriaRole.Link, new() { Name = "Add administrator" })).ToHaveCountAsync(0);
        }

        await page.GetByRole(AriaRole.Link, new() { Name = email }).ClickAsync();
        await page.GetByLabel("Role").SelectOptionAsync("Admin");
        await page.GetByRole(AriaRole.Button, new() { Name = "Save changes" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Row).Filter(new() { HasText = email })).ToContainTextAsync("Admin");

        await page.GetByRole(AriaRole.Link, new() { Name = email }).ClickAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Remove administrator" }).ClickAsync();
        await page.GetByRole(AriaRole.Dialog).GetByRole(AriaRole.Button, new() { Name = "Remove" }).ClickAsync();

        await Expect(page.GetByRole(AriaRole.Status)).ToContainTextAsync($"Administrator {email} removed.");
        await Expect(page.GetByRole(AriaRole.Row).Filter(new() { HasText = email })).ToHaveCountAsync(0);
        browser.AssertNoProblems();
    }

    [Fact]
    public async Task Admin_ChangingAnOwner_IsRefusedAndTheOwnerStaysOwner()
    {
        var org = await app.NewOrganizationAsync();
        var ownerId = (await org.GetAsync("/api/v1/admins")).GetProperty("items").EnumerateArray()
            .Single(a => a.GetProperty("email").GetString() == org.OwnerEmail).GetProperty("id").GetString();
        var adminEmail = await app.AddAdminAsync(org, "admin");
        await using var browser = await app.SignInAsync(adminEmail, GatehouseApp.OwnerPassword);
        var page = browser.Page;

        await page.GotoAsync($"/settings/admins/{ownerId}");
        await Expect(page.GetByText("Only an owner can change or remove an owner.")).ToBeVisibleAsync();
        await Expect(page.GetByLabel("Role")).ToBeDisabledAsync();
        await Expect(page.GetByRole(AriaRole.Button, new() { Name = "Remove administrator" })).ToHaveCountAsync(0);
        var token = await page.Locator("input[name='__RequestVerificationToken']").First.GetAttributeAsync("value");

        var response = await browser.Request.PostAsync($"/settings/admins/{ownerId}", new()
        {
            Form = browser.Request.CreateFormData()
                .Set("_handler", "admin").Set("__RequestVerificationToken", token!)
                .Set("Input.Email", org.OwnerEmail).Set("Input.Role", "Viewer"),
        });

        Assert.Contains("Only an owner may", await response.TextAsync(), StringComparison.Ordinal);
        var owner = await org.GetAsync($"/api/v1/admins/{ownerId}");
        Assert.Equal("owner", owner.GetProperty("role").GetString());
    }
}
