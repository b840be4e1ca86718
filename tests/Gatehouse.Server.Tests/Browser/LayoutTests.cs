using System.Text.RegularExpressions;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Gatehouse.Server.Tests.Browser;

/// <summary>The shell at phone width, and keyboard use.</summary>
[Trait("Category", "Browser")]
public sealed class LayoutTests(ConsoleApp app) : IClassFixture<ConsoleApp>
{
    [Fact]
    public async Task Menu_AtPhoneWidth_FoldsBehindAToggle()
    {
        var org = await app.NewOrganizationAsync();
        await org.DoorAsync(await org.SiteAsync("Head office"), "Main entrance");
        await using var browser = await app.SignInAsync(org, width: 360, height: 740);
        var page = browser.Page;
        var menu = page.GetByRole(AriaRole.Navigation, new() { Name = "Main" });

        await Expect(menu).ToBeHiddenAsync();
        await browser.ScreenshotAsync("overview-phone");
        await page.GetByText("Menu", new() { Exact = true }).ClickAsync();
        await Expect(menu).ToBeVisibleAsync();
        await browser.ScreenshotAsync("menu-phone");
        await menu.GetByRole(AriaRole.Link, new() { Name = "Doors" }).ClickAsync();

        await Expect(page).ToHaveURLAsync(new Regex("/doors$"));
        await Expect(menu).ToBeHiddenAsync();
        await Expect(page.GetByRole(AriaRole.Row).Filter(new() { HasText = "Main entrance" })).ToBeVisibleAsync();
        var overflow = await page.EvaluateAsync<bool>("document.documentElement.scrollWidth > window.innerWidth");
        Assert.False(overflow, "The page scrolls sideways at 360 px.");
        await browser.ScreenshotAsync("doors-phone");
        browser.AssertNoProblems();
    }

    [Fact]
    public async Task SkipLink_FirstTab_JumpsToMainContent()
    {
        var org = await app.NewOrganizationAsync();
        await using var browser = await app.SignInAsync(org);
        var page = browser.Page;

        await page.Keyboard.PressAsync("Tab");
        await Expect(page.GetByRole(AriaRole.Link, new() { Name = "Skip to main content" })).ToBeFocusedAsync();
        await page.Keyboard.PressAsync("Enter");

        await Expect(page.Locator("#main")).ToBeFocusedAsync();
    }
}
