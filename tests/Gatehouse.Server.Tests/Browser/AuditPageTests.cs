using System.Net.Http.Json;
using Gatehouse.Server.Data;
using Gatehouse.Server.Tests.Features;
using Gatehouse.Server.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Gatehouse.Server.Tests.Browser;

[Trait("Category", "Browser")]
public sealed class AuditPageTests(ConsoleApp app) : IClassFixture<ConsoleApp>
{
    [Fact]
    public async Task Audit_AfterChangesInTheConsole_ShowsWhoChangedWhatAndAValidChain()
    {
        var org = await app.NewOrganizationAsync();
        await using var browser = await app.SignInAsync(org);
        var page = browser.Page;
        await page.GotoAsync("/users/new");
        await page.GetByLabel("First name").FillAsync("Ana");
        await page.GetByLabel("Last name").FillAsync("Lima");
        await page.GetByRole(AriaRole.Button, new() { Name = "Add user" }).ClickAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Suspend access" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Status)).ToContainTextAsync("is suspended");

        await page.GotoAsync("/audit");

        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Chain valid" })).ToBeVisibleAsync();
        var newest = page.Locator("tbody tr").First;
        await Expect(newest).ToContainTextAsync(org.OwnerEmail);
        await Expect(newest).ToContainTextAsync("Changed");
        await Expect(newest).ToContainTextAsync("Ana Lima");
        await Expect(newest.Locator(".changes")).ToContainTextAsync("Status");
        await Expect(newest.Locator(".change-before")).ToHaveTextAsync("active");
        await Expect(newest.Locator(".change-after")).ToHaveTextAsync("suspended");
        var created = page.Locator("tbody tr").Filter(new() { HasText = "Created" }).Filter(new() { HasText = "First name" });
        await Expect(created).ToContainTextAsync("Ana");
        await browser.ScreenshotAsync("audit");
        browser.AssertNoProblems();
    }

    [Fact]
    public async Task Audit_UserAndScheduleChanges_ShowFieldsAndValuesInWordsNotCodeOrJson()
    {
        var org = await app.NewOrganizationAsync();
        var user = await org.Owner.NewUserAsync("Ana", "Lima");
        (await org.Owner.PatchAsJsonAsync($"/api/v1/users/{user.Id()}", new { validUntil = "2031-01-01T00:00:00Z", phone = "+15555550123" })).EnsureSuccessStatusCode();
        (await org.Owner.PostAsJsonAsync("/api/v1/schedules", new
        {
            name = "Office hours",
            windows = new[] { new { days = new[] { "Monday", "Tuesday" }, start = "08:00", end = "18:00" } },
            holidays = Array.Empty<object>(),
        })).EnsureSuccessStatusCode();
        await using var browser = await app.SignInAsync(org);

        await browser.Page.GotoAsync("/audit");

        var changes = browser.Page.Locator(".changes");
        await Expect(changes.GetByText("Valid until", new() { Exact = true })).ToBeVisibleAsync();
        await Expect(changes.GetByText("First name", new() { Exact = true })).ToBeVisibleAsync();
        await Expect(browser.Page.Locator("tbody")).ToContainTextAsync("Days: Monday, Tuesday, Start: 08:00, End: 18:00");
        var text = string.Join("\n", await changes.AllInnerTextsAsync());
        Assert.DoesNotContain("validUntil", text, StringComparison.Ordinal);
        Assert.DoesNotContain("firstName", text, StringComparison.Ordinal);
        Assert.DoesNotContain("{", text, StringComparison.Ordinal);
        Assert.DoesNotContain("[", text, StringComparison.Ordinal);
        await browser.ScreenshotAsync("audit-words");
        browser.AssertNoProblems();
    }

    [Fact]
    public async Task Audit_EntryEditedInTheStore_ShowsTheChainBrokenThere()
    {
        var org = await app.NewOrganizationAsync();
        await org.Owner.NewUserAsync("Ana", "Lima");
        await org.Owner.NewUserAsync("Bo", "Berg");
        var organizationId = Guid.Parse(org.Id);
        await using (var scope = app.Services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<GatehouseDbContext>();
            var second = await db.AuditEntries.IgnoreQueryFilters()
                .Where(e => e.OrganizationId == organizationId).OrderBy(e => e.Sequence).Skip(1).Select(e => e.Sequence).FirstAsync();
            await db.AuditEntries.IgnoreQueryFilters()
                .Where(e => e.OrganizationId == organizationId && e.Sequence == second)
                .ExecuteUpdateAsync(s => s.SetProperty(e => e.Actor, "someone-else@example.com"));
        }

        await using var browser = await app.SignInAsync(org);
        await browser.Page.GotoAsync("/audit");

        await Expect(browser.Page.GetByRole(AriaRole.Heading, new() { Name = "Chain broken at entry 2" })).ToBeVisibleAsync();
        await browser.ScreenshotAsync("audit-broken");
    }

    [Fact]
    public async Task Audit_Viewer_SeesTheLogWithCardNumbersMasked()
    {
        var org = await app.NewOrganizationAsync();
        var user = await org.Owner.NewUserAsync();
        await ConsoleWorld.NewCardAsync(org.Owner, user.Id(), 12, 3456);
        var viewer = await app.AddAdminAsync(org, "viewer");
        await using var browser = await app.SignInAsync(viewer, GatehouseApp.OwnerPassword);

        await browser.Page.GotoAsync("/audit?entityType=cardCredential");

        var row = browser.Page.Locator("tbody tr");
        await Expect(row).ToHaveCountAsync(1);
        await Expect(row).ToContainTextAsync("•••56");
        await Expect(row).Not.ToContainTextAsync("3456");
    }
}
