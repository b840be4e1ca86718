using System.Net;
using System.Text.RegularExpressions;
using Gatehouse.Server.Tests.Infrastructure;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Gatehouse.Server.Tests.Browser;

[Trait("Category", "Browser")]
public sealed class SignInTests(ConsoleApp app) : IClassFixture<ConsoleApp>
{
    [Fact]
    public async Task SignIn_RightPassword_ShowsOverviewWithOrganizationAndAdmin()
    {
        var org = await app.NewOrganizationAsync();
        await using var browser = await app.OpenAsync();
        var page = browser.Page;

        await page.GotoAsync("/");
        await Expect(page).ToHaveURLAsync(new Regex("/account/sign-in"));
        await browser.ScreenshotAsync("sign-in");
        await page.GetByLabel("Email").FillAsync(org.OwnerEmail);
        await page.GetByLabel("Password").FillAsync(GatehouseApp.OwnerPassword);
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();

        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Overview", Level = 1 })).ToBeVisibleAsync();
        await Expect(page.Locator(".topbar")).ToContainTextAsync(org.OwnerEmail);
        await Expect(page.Locator(".org-name")).ToHaveTextAsync(new Regex(@"^Org \d+$"));
        await Expect(page.GetByRole(AriaRole.Navigation, new() { Name = "Main" }).GetByRole(AriaRole.Link, new() { Name = "Doors" })).ToBeVisibleAsync();
        await browser.ScreenshotAsync("overview");
        browser.AssertNoProblems();
    }

    [Fact]
    public async Task SignIn_WrongPassword_ShowsErrorAndStaysSignedOut()
    {
        var org = await app.NewOrganizationAsync();
        await using var browser = await app.OpenAsync();
        var page = browser.Page;

        await page.GotoAsync("/account/sign-in");
        await page.GetByLabel("Email").FillAsync(org.OwnerEmail);
        await page.GetByLabel("Password").FillAsync("not-the-password");
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();

        await Expect(page.GetByRole(AriaRole.Alert)).ToContainTextAsync("The email or password is wrong");
        await Expect(page.GetByLabel("Password")).ToHaveValueAsync("");
        await browser.ScreenshotAsync("sign-in-wrong-password");
        await page.GotoAsync("/doors");
        await Expect(page).ToHaveURLAsync(new Regex("/account/sign-in"));
    }

    [Fact]
    public async Task SignOut_FromMenu_EndsTheSession()
    {
        var org = await app.NewOrganizationAsync();
        await using var browser = await app.SignInAsync(org);
        var page = browser.Page;

        await page.GetByRole(AriaRole.Button, new() { Name = "Sign out" }).ClickAsync();

        await Expect(page).ToHaveURLAsync(new Regex("/account/sign-in"));
        await page.GotoAsync("/settings");
        await Expect(page).ToHaveURLAsync(new Regex("/account/sign-in"));
    }

    [Fact]
    public async Task ConsoleCookie_OnApiCall_DoesNotAuthenticate()
    {
        var org = await app.NewOrganizationAsync();
        await using var browser = await app.SignInAsync(org);

        var response = await browser.Request.GetAsync("/api/v1/sites");

        Assert.Equal((int)HttpStatusCode.Unauthorized, response.Status);
    }

    [Fact]
    public async Task ConsolePage_Response_CarriesStrictContentSecurityPolicy()
    {
        await using var browser = await app.OpenAsync();

        var response = await browser.Page.GotoAsync("/account/sign-in");

        var csp = await response!.HeaderValueAsync("content-security-policy");
        Assert.Contains("script-src 'self'", csp, StringComparison.Ordinal);
        Assert.Contains("frame-ancestors 'none'", csp, StringComparison.Ordinal);
        Assert.DoesNotContain("unsafe-inline", csp, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Form_PostedWithoutAntiforgeryToken_IsRefused()
    {
        var org = await app.NewOrganizationAsync();
        await using var browser = await app.SignInAsync(org);

        var response = await browser.Request.PostAsync("/settings/sites/new", new()
        {
            Form = browser.Request.CreateFormData().Set("_handler", "site").Set("Input.Name", "Forged").Set("Input.TimeZone", "UTC"),
        });

        Assert.Equal((int)HttpStatusCode.BadRequest, response.Status);
        using var api = org.Owner;
        var sites = await api.GetStringAsync("/api/v1/sites");
        Assert.DoesNotContain("Forged", sites, StringComparison.Ordinal);
    }
}
