using Gatehouse.Server.Tests.Features;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Gatehouse.Server.Tests.Browser;

/// <summary>The users, explorer and events pages on a 360 px phone: everything reachable without sideways scrolling of the page.</summary>
[Trait("Category", "Browser")]
public sealed class PeoplePagesPhoneTests(ConsoleApp app) : IClassFixture<ConsoleApp>
{
    [Fact]
    public async Task Pages_AtPhoneWidth_FitTheScreen()
    {
        var org = await app.NewOrganizationAsync();
        var world = await ConsoleWorld.CreateAsync(org.Owner);
        var user = await world.NewUserAsync(org.Owner, "Ana", "Lima");
        await world.NewUserAsync(org.Owner, "Bo", "Berg");
        await ConsoleWorld.NewCardAsync(org.Owner, user.Id(), 12, 3456);
        await using var browser = await app.SignInAsync(org, width: 360, height: 740);
        var page = browser.Page;

        foreach (var (path, name) in new[]
        {
            ("/users", "users-phone"),
            ($"/users/{user.Id()}", "user-phone"),
            ("/users/import", "users-import-phone"),
            ($"/explorer?doorId={world.DoorId}", "explorer-door-phone"),
            ($"/explorer/user?userId={user.Id()}", "explorer-user-phone"),
            ("/explorer/card", "explorer-card-phone"),
            ("/events", "events-phone"),
            ("/audit", "audit-phone"),
        })
        {
            await page.GotoAsync(path);
            await Expect(page.Locator("h1")).ToBeVisibleAsync();
            await browser.ScreenshotAsync(name);
            var overflow = await page.EvaluateAsync<int>("document.documentElement.scrollWidth - document.documentElement.clientWidth");
            Assert.True(overflow <= 0, $"{path} is {overflow}px wider than the phone's screen.");
        }

        browser.AssertNoProblems();
    }
}
