using System.Net;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Gatehouse.Server.Tests.Browser;

/// <summary>Settings → Your sessions, as an administrator uses it at a desk and on a phone.</summary>
[Trait("Category", "Browser")]
public sealed class SessionsPageTests(ConsoleApp app) : IClassFixture<ConsoleApp>
{
    [Theory]
    [InlineData(1366, 768)]
    [InlineData(390, 844)]
    public async Task Sessions_SignOutOthers_EndsTheApiTokenAndKeepsThisBrowser(int width, int height)
    {
        // The organization's owner already holds an API token (org.Owner); the browser adds a console session.
        var org = await app.NewOrganizationAsync();
        Assert.Equal(HttpStatusCode.OK, (await org.Owner.GetAsync("/api/v1/users")).StatusCode);
        await using var browser = await app.SignInAsync(org, width, height);
        var page = browser.Page;

        await page.GotoAsync("/settings/sessions");
        var rows = page.Locator("tbody tr");
        await Expect(rows).ToHaveCountAsync(2);
        await Expect(rows.Filter(new() { HasText = "This session" })).ToContainTextAsync("Console");
        await Expect(rows.Filter(new() { HasText = "API token" }).GetByRole(AriaRole.Button, new() { Name = "End" })).ToBeVisibleAsync();
        await browser.ScreenshotAsync($"sessions-{width}");
        Assert.True(await page.EvaluateAsync<bool>("document.documentElement.scrollWidth <= window.innerWidth"), "The page scrolls sideways.");

        await page.GetByRole(AriaRole.Button, new() { Name = "Sign out other sessions" }).ClickAsync();

        await Expect(rows).ToHaveCountAsync(1);
        await Expect(rows).ToContainTextAsync("This session");
        Assert.Equal(HttpStatusCode.Unauthorized, (await org.Owner.GetAsync("/api/v1/users")).StatusCode);
        browser.AssertNoProblems();
    }
}
