using System.Text;
using Gatehouse.Core.Decisions;
using Gatehouse.Server.Features.Credentials;
using Gatehouse.Server.Features.Events;
using Gatehouse.Server.Infrastructure;
using Gatehouse.Server.Tests.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Gatehouse.Server.Tests.Browser;

[Trait("Category", "Browser")]
public sealed class EventsPageTests(ConsoleApp app) : IClassFixture<ConsoleApp>
{
    private static readonly DateTimeOffset T0 = new(2026, 3, 9, 12, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task Filter_DeniedOnOneDay_ListsOnlyThoseAndExportsTheSame()
    {
        var org = await app.NewOrganizationAsync();
        var world = await ConsoleWorld.CreateAsync(org.Owner);
        var user = await world.NewUserAsync(org.Owner);
        var doorId = Guid.Parse(world.DoorId);
        var userId = Guid.Parse(user.Id());
        await InsertAsync(org,
            Event(doorId, userId, T0, AccessReason.Granted),
            Event(doorId, userId, T0.AddMinutes(5), AccessReason.OutsideSchedule),
            Event(doorId, null, T0.AddMinutes(7), AccessReason.UnknownCredential),
            Event(doorId, userId, T0.AddDays(2), AccessReason.CredentialSuspended));
        await using var browser = await app.SignInAsync(org);
        var page = browser.Page;

        await page.GotoAsync("/events");
        await Expect(page.Locator("tbody tr")).ToHaveCountAsync(4);
        await page.GetByLabel("Result").SelectOptionAsync("denied");
        await page.GetByLabel("From").FillAsync("2026-03-09T00:00");
        await page.GetByLabel("To").FillAsync("2026-03-10T00:00");
        await page.GetByRole(AriaRole.Button, new() { Name = "Show events" }).ClickAsync();

        var rows = page.Locator("tbody tr");
        await Expect(rows).ToHaveCountAsync(2);
        await Expect(rows.Nth(0)).ToContainTextAsync("9 Mar 2026, 12:07:00");
        await Expect(rows.Nth(0)).ToContainTextAsync("Unknown credential");
        await Expect(rows.Nth(1)).ToContainTextAsync("Ana Lima");
        await Expect(rows.Nth(1)).ToContainTextAsync("Outside the schedule");
        await browser.ScreenshotAsync("events");

        var download = await page.RunAndWaitForDownloadAsync(() => page.GetByRole(AriaRole.Link, new() { Name = "Export CSV" }).ClickAsync());
        var lines = (await File.ReadAllTextAsync((await download.PathAsync())!, Encoding.UTF8)).Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(3, lines.Length);
        Assert.StartsWith("id,occurredAt,result,reason", lines[0], StringComparison.Ordinal);
        Assert.Contains(",2026-03-09T12:07:00Z,denied,unknownCredential,", lines[1], StringComparison.Ordinal);
        Assert.Contains(",2026-03-09T12:05:00Z,denied,outsideSchedule,", lines[2], StringComparison.Ordinal);
        browser.AssertNoProblems();
    }

    [Fact]
    public async Task Filter_ByUserFromTheirPage_ListsOnlyTheirEvents()
    {
        var org = await app.NewOrganizationAsync();
        var world = await ConsoleWorld.CreateAsync(org.Owner);
        var ana = await world.NewUserAsync(org.Owner, "Ana", "Lima");
        var bo = await world.NewUserAsync(org.Owner, "Bo", "Berg");
        var doorId = Guid.Parse(world.DoorId);
        await InsertAsync(org,
            Event(doorId, Guid.Parse(ana.Id()), T0, AccessReason.Granted),
            Event(doorId, Guid.Parse(bo.Id()), T0.AddMinutes(1), AccessReason.Granted, "Bo Berg"));
        await using var browser = await app.SignInAsync(org);
        var page = browser.Page;

        await page.GotoAsync($"/users/{bo.Id()}");
        await page.GetByRole(AriaRole.Main).GetByRole(AriaRole.Link, new() { Name = "Events" }).ClickAsync();

        await Expect(page.GetByLabel("User")).ToHaveValueAsync(bo.Id());
        await Expect(page.Locator("tbody tr")).ToHaveCountAsync(1);
        await Expect(page.Locator("tbody tr")).ToContainTextAsync("Bo Berg");
    }

    [Fact]
    public async Task Events_None_SaysWhereTheyComeFrom()
    {
        var org = await app.NewOrganizationAsync();
        await using var browser = await app.SignInAsync(org);

        await browser.Page.GotoAsync("/events");

        await Expect(browser.Page.GetByRole(AriaRole.Heading, new() { Name = "No events yet" })).ToBeVisibleAsync();
    }

    private static AccessEvent Event(Guid doorId, Guid? userId, DateTimeOffset at, AccessReason reason, string userName = "Ana Lima") => new()
    {
        DoorId = doorId,
        DoorName = "Front door",
        UserId = userId,
        UserName = userId is null ? null : userName,
        CredentialId = userId is null ? null : Guid.NewGuid(),
        CredentialType = CredentialType.Card,
        OccurredAt = at,
        Granted = reason == AccessReason.Granted,
        Reason = reason,
        Source = AccessEventSource.Device,
    };

    private async Task InsertAsync(Infrastructure.TestOrganization org, params AccessEvent[] events)
    {
        await using var scope = app.Services.CreateAsyncScope();
        scope.ServiceProvider.GetRequiredService<CurrentOrganization>().Set(Guid.Parse(org.Id));
        await scope.ServiceProvider.GetRequiredService<AccessEventWriter>().AppendAsync(events, default);
    }
}
