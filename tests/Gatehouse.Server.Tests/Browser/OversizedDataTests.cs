using Gatehouse.Server.Data;
using Gatehouse.Server.Features.Schedules;
using Gatehouse.Server.Infrastructure;
using Gatehouse.Server.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Gatehouse.Server.Tests.Browser;

/// <summary>
/// Data stored before the limits existed may be far larger than a request may now send; a viewer opening
/// it still gets a page of ordinary size.
/// </summary>
[Trait("Category", "Browser")]
public sealed class OversizedDataTests(ConsoleApp app) : IClassFixture<ConsoleApp>
{
    private const int StoredWindows = 20_000;

    [Fact]
    public async Task Viewer_ScheduleWithThousandsOfWindows_GetsBoundedPages()
    {
        var org = await app.NewOrganizationAsync();
        var id = await StoreOversizedScheduleAsync(org);
        var viewer = await app.AddAdminAsync(org, "viewer");
        await using var browser = await app.SignInAsync(viewer, GatehouseApp.OwnerPassword);
        var page = browser.Page;

        var list = await page.GotoAsync("/schedules");
        Assert.True((await list!.BodyAsync()).Length < 200_000);
        await Expect(page.GetByRole(AriaRole.Row).Filter(new() { HasText = "Legacy" }))
            .ToContainTextAsync($"and {StoredWindows - 10} more windows");

        var edit = await page.GotoAsync($"/schedules/{id}");
        Assert.True((await edit!.BodyAsync()).Length < 2_000_000);
        await Expect(page.Locator("[data-over-limit]")).ToContainTextAsync($"{StoredWindows} windows");
        await Expect(page.Locator(".window-row")).ToHaveCountAsync(Schedule.MaxWindows);
    }

    [Fact]
    public async Task Owner_AuditOfAScheduleWithThousandsOfWindows_IsABoundedPage()
    {
        var org = await app.NewOrganizationAsync();
        await StoreOversizedScheduleAsync(org);
        await using var browser = await app.SignInAsync(org);
        var page = browser.Page;

        var audit = await page.GotoAsync("/audit");

        Assert.True((await audit!.BodyAsync()).Length < 200_000);
        await Expect(page.GetByText("more characters)").First).ToBeVisibleAsync();
    }

    private async Task<Guid> StoreOversizedScheduleAsync(TestOrganization org)
    {
        await using var scope = app.Services.CreateAsyncScope();
        scope.ServiceProvider.GetRequiredService<CurrentOrganization>().Set(Guid.Parse(org.Id));
        var db = scope.ServiceProvider.GetRequiredService<GatehouseDbContext>();
        var schedule = new Schedule
        {
            Name = "Legacy",
            Windows = [.. Enumerable.Range(0, StoredWindows).Select(i => new ScheduleWindow([DayOfWeek.Monday], new TimeOnly(8, 0), new TimeOnly(9, i % 60)))],
            CreatedAt = app.Clock.GetUtcNow(),
        };
        db.Schedules.Add(schedule);
        await db.SaveChangesAsync();
        return schedule.Id;
    }
}
