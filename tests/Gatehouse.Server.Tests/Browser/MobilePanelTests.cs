using Gatehouse.Server.Tests.Features;
using Gatehouse.Server.Tests.Features.Mobile;
using Gatehouse.Server.Tests.Infrastructure;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Gatehouse.Server.Tests.Browser;

/// <summary>The Mobile Credentials panel of a user's page: Add asks first, the credential shows pending, then active with the phone.</summary>
[Trait("Category", "Browser")]
public sealed class MobilePanelTests(ConsoleApp app) : IClassFixture<ConsoleApp>
{
    [Theory]
    [InlineData(1366, 768)]
    [InlineData(390, 844)]
    public async Task Add_AskedAndAnsweredYes_ShowsPending_ThenActiveWithThePhonesNameOnceActivated(int width, int height)
    {
        var org = await app.NewOrganizationAsync();
        var world = await ConsoleWorld.CreateAsync(org.Owner);
        var user = await org.Owner.CreateAsync("/api/v1/users", new { firstName = "Ana", lastName = "Lima", email = "ana@example.com", accessGroupIds = new[] { world.GroupId } });
        await using var browser = await app.SignInAsync(org, width, height);
        var page = browser.Page;
        await page.GotoAsync($"/users/{user.Id()}");
        var panel = page.Locator(".mobile-panel");
        await Expect(panel).ToContainTextAsync("Ana has no mobile credential yet");

        await panel.GetByRole(AriaRole.Button, new() { Name = "Add" }).ClickAsync();
        var dialog = page.GetByRole(AriaRole.Dialog, new() { Name = "Add a mobile credential for Ana?" });
        await Expect(dialog.GetByLabel("Email")).ToBeCheckedAsync();
        await Expect(dialog.GetByLabel("Text")).ToBeDisabledAsync();
        await browser.ScreenshotAsync($"user-mobile-add-{width}");
        await dialog.GetByRole(AriaRole.Button, new() { Name = "Yes" }).ClickAsync();

        await Expect(page.GetByRole(AriaRole.Status)).ToContainTextAsync("the welcome message is on its way to Ana by email");
        var row = panel.Locator("tbody tr");
        await Expect(row.Locator("[data-mobile-state]")).ToHaveTextAsync("Pending");
        await Expect(row).ToContainTextAsync("Waiting for Ana's phone");

        var credential = Assert.Single((await org.Owner.GetJsonAsync($"/api/v1/users/{user.Id()}/credentials")).GetProperty("items").EnumerateArray());
        using var phone = new TestPhone(app.Anonymous());
        await phone.ActivatedAsync((await app.WelcomeAsync(credential.Id())).Code, "Ana's iPhone");
        await page.ReloadAsync();

        await Expect(row.Locator("[data-mobile-state]")).ToHaveTextAsync("Active");
        await Expect(row).ToContainTextAsync("Ana's iPhone");
        await Expect(row.Locator("[data-last-used]")).ToHaveTextAsync("Not used yet");
        await row.ScrollIntoViewIfNeededAsync();
        await browser.ScreenshotAsync($"user-mobile-active-{width}");
        var sideways = await page.EvaluateAsync<int>("document.documentElement.scrollWidth - document.documentElement.clientWidth");
        Assert.True(sideways <= 0, $"The user page scrolls {sideways} px sideways at {width} px.");
        browser.AssertNoProblems();
    }

    [Fact]
    public async Task Add_AnsweredNo_AddsNothing()
    {
        var org = await app.NewOrganizationAsync();
        var user = await org.Owner.CreateAsync("/api/v1/users", new { firstName = "Ana", lastName = "Lima", email = "ana@example.com" });
        await using var browser = await app.SignInAsync(org);
        var page = browser.Page;
        await page.GotoAsync($"/users/{user.Id()}");

        await page.Locator(".mobile-panel").GetByRole(AriaRole.Button, new() { Name = "Add" }).ClickAsync();
        await page.GetByRole(AriaRole.Dialog).GetByRole(AriaRole.Button, new() { Name = "No" }).ClickAsync();

        await Expect(page.GetByRole(AriaRole.Dialog)).ToBeHiddenAsync();
        Assert.Equal(0, await org.Owner.TotalAsync($"/api/v1/users/{user.Id()}/credentials"));
        browser.AssertNoProblems();
    }
}
