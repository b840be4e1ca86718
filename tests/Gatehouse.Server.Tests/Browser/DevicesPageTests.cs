using System.Text.RegularExpressions;
using Gatehouse.Core.DeviceProtocol;
using Gatehouse.Server.Tests.Features;
using Gatehouse.Server.Tests.Infrastructure;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Gatehouse.Server.Tests.Browser;

/// <summary>The Devices pages: adding a device and its claim code, a device's page, and what a viewer sees.</summary>
[Trait("Category", "Browser")]
public sealed partial class DevicesPageTests(ConsoleApp app) : IClassFixture<ConsoleApp>
{
    [Fact]
    public async Task AddDevice_ShowsTheClaimCodeOnceWithTheAgentCommand()
    {
        var org = await app.NewOrganizationAsync();
        var world = await ConsoleWorld.CreateAsync(org.Owner);
        await using var browser = await app.SignInAsync(org);
        var page = browser.Page;

        await browser.MenuAsync("Devices");
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "No devices yet" })).ToBeVisibleAsync();
        await browser.ScreenshotAsync("devices-empty");
        await page.GetByRole(AriaRole.Main).GetByRole(AriaRole.Link, new() { Name = "Add device" }).ClickAsync();
        await page.GetByLabel("Name").FillAsync("Front entrance reader");
        await page.GetByLabel(world.DoorName).CheckAsync();
        await page.GetByLabel("Card format").SelectOptionAsync("H10301");
        await browser.ScreenshotAsync("device-add");
        await page.GetByRole(AriaRole.Button, new() { Name = "Add device" }).ClickAsync();

        var code = page.Locator("#claim-code");
        await Expect(code).ToHaveTextAsync(ClaimCodePattern());
        var claimCode = await code.TextContentAsync();
        await Expect(page.Locator("#claim-command")).ToHaveTextAsync(
            $"dotnet run --project src/Gatehouse.Device -- --server {app.BaseUrl} --claim-code {claimCode} --data-dir ./device-data");
        await Expect(page.Locator(".claim-panel")).ToContainTextAsync("shown only now");
        await browser.ScreenshotAsync("device-claim-code");

        await page.GetByRole(AriaRole.Link, new() { Name = "Go to the device" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Front entrance reader", Level = 1 })).ToBeVisibleAsync();
        await Expect(page.Locator("[data-live='status']")).ToHaveTextAsync("Not claimed");
        await Expect(page.GetByRole(AriaRole.Button, new() { Name = $"Unlock {world.DoorName}" })).ToBeDisabledAsync();
        await Expect(page.Locator("#unlock-note")).ToHaveTextAsync("The device is offline, so its doors cannot be unlocked remotely.");
        await Expect(page.Locator("body")).Not.ToContainTextAsync(claimCode!);
        await browser.ScreenshotAsync("device");

        await browser.MenuAsync("Devices");
        var row = page.GetByRole(AriaRole.Row).Filter(new() { HasText = "Front entrance reader" });
        await Expect(row).ToContainTextAsync("Not claimed");
        await Expect(row).ToContainTextAsync(world.DoorName);
        await browser.ScreenshotAsync("devices");
        browser.AssertNoProblems();
    }

    [Fact]
    public async Task DevicePage_DeviceSentAnEventOfAnotherDoor_ShowsOneRefusedEvent()
    {
        var org = await app.NewOrganizationAsync();
        var world = await ConsoleWorld.CreateAsync(org.Owner);
        await using var device = await TestDevice.CreateAsync(app, org.Id, [world.DoorId], "Side reader");
        await device.ConnectAndSyncAsync();
        var notItsDoor = new DeviceEvent(Guid.CreateVersion7(), app.Clock.GetUtcNow(), Guid.NewGuid(), "card", false, "unknownCredential");
        await device.PublishEventsAsync(notItsDoor);
        await TestDevice.WaitForAsync(() => device.Acks.FirstOrDefault(a => a.Ids.Contains(notItsDoor.Id)), "the ack of the refused event");
        await using var browser = await app.SignInAsync(org);
        var page = browser.Page;

        await page.GotoAsync($"/devices/{device.Id}");

        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Side reader", Level = 1 })).ToBeVisibleAsync();
        await Expect(page.Locator("dt:has-text('Refused events') + dd")).ToHaveTextAsync("1");
        await browser.ScreenshotAsync("device-refused-events");
        browser.AssertNoProblems();
    }

    [Fact]
    public async Task AddDevice_NameTaken_ShowsTheConflictAndKeepsTheForm()
    {
        var org = await app.NewOrganizationAsync();
        var world = await ConsoleWorld.CreateAsync(org.Owner);
        var site = (await org.Owner.GetJsonAsync("/api/v1/sites")).GetProperty("items")[0].Id();
        await org.Owner.CreateAsync("/api/v1/devices", new { name = "Lobby reader", model = "F3D100", siteId = site, doorIds = new[] { world.DoorId } });
        await using var browser = await app.SignInAsync(org);
        var page = browser.Page;

        await page.GotoAsync("/devices/new");
        await Expect(page.GetByLabel(world.DoorName)).ToBeDisabledAsync();
        await page.GetByLabel("Name").FillAsync("Lobby reader");
        await page.GetByRole(AriaRole.Button, new() { Name = "Add device" }).ClickAsync();

        await Expect(page.Locator("#error-summary")).ToContainTextAsync("already has a device named “Lobby reader”");
        await Expect(page.GetByLabel("Name")).ToHaveValueAsync("Lobby reader");
        Assert.Equal(1, await org.Owner.TotalAsync("/api/v1/devices"));
        browser.AssertNoProblems();
    }

    [Fact]
    public async Task DevicePage_NewClaimCodeAndRemove()
    {
        var org = await app.NewOrganizationAsync();
        var site = await org.Owner.NewSiteAsync("Depot", "UTC");
        var device = await org.Owner.CreateAsync("/api/v1/devices", new { name = "Depot reader", model = "F3D100", siteId = site.Id() });
        await using var browser = await app.SignInAsync(org);
        var page = browser.Page;

        await page.GotoAsync($"/devices/{device.Id()}");
        await page.GetByRole(AriaRole.Button, new() { Name = "New claim code" }).ClickAsync();
        await page.GetByRole(AriaRole.Dialog).GetByRole(AriaRole.Button, new() { Name = "Issue code" }).ClickAsync();
        await Expect(page.Locator("#claim-code")).ToHaveTextAsync(ClaimCodePattern());
        Assert.NotEqual(device.Str("claimCode"), await page.Locator("#claim-code").TextContentAsync());

        await page.GetByRole(AriaRole.Button, new() { Name = "Remove device" }).ClickAsync();
        await page.GetByRole(AriaRole.Dialog, new() { Name = "Remove this device?" }).GetByRole(AriaRole.Button, new() { Name = "Remove device" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Status)).ToContainTextAsync("Device “Depot reader” removed.");
        Assert.Equal(0, await org.Owner.TotalAsync("/api/v1/devices"));
        browser.AssertNoProblems();
    }

    [Fact]
    public async Task EditDevice_OtherSite_OffersOnlyItsDoorsAndSaves()
    {
        var org = await app.NewOrganizationAsync();
        var north = await org.Owner.NewSiteAsync("North", "UTC");
        var south = await org.Owner.NewSiteAsync("South", "UTC");
        await org.Owner.NewDoorAsync(north.Id(), "North gate");
        var southGate = await org.Owner.NewDoorAsync(south.Id(), "South gate");
        var device = await org.Owner.CreateAsync("/api/v1/devices", new { name = "Gate reader", model = "F3D100", siteId = north.Id() });
        await using var browser = await app.SignInAsync(org);
        var page = browser.Page;

        await page.GotoAsync($"/devices/{device.Id()}");
        await page.GetByRole(AriaRole.Link, new() { Name = "Edit" }).ClickAsync();
        await Expect(page.GetByLabel("North gate")).ToBeVisibleAsync();
        await Expect(page.GetByLabel("South gate")).ToBeHiddenAsync();
        await page.GetByLabel("Site").SelectOptionAsync(new SelectOptionValue { Label = "South" });
        await Expect(page.GetByLabel("North gate")).ToBeHiddenAsync();
        await page.GetByLabel("South gate").CheckAsync();
        await page.GetByLabel("Card format").SelectOptionAsync(new SelectOptionValue { Label = "CSN · card serial number (NFC, MIFARE)" });
        await page.GetByLabel("Name").FillAsync("South gate reader");
        await page.GetByRole(AriaRole.Button, new() { Name = "Save changes" }).ClickAsync();

        await Expect(page.GetByRole(AriaRole.Status)).ToContainTextAsync("Device “South gate reader” saved.");
        await Expect(page.Locator(".details")).ToContainTextAsync("Card serial number (CSN)");
        var saved = await org.Owner.GetJsonAsync($"/api/v1/devices/{device.Id()}");
        Assert.Equal(south.Id(), saved.Str("siteId"));
        Assert.Equal([southGate.Id()], saved.Strings("doorIds"));
        Assert.True(saved.IsNull("wiegandFormat"));
        browser.AssertNoProblems();
    }

    [Fact]
    public async Task Viewer_SeesDevicesButNoActions()
    {
        var org = await app.NewOrganizationAsync();
        var world = await ConsoleWorld.CreateAsync(org.Owner);
        var site = (await org.Owner.GetJsonAsync("/api/v1/sites")).GetProperty("items")[0].Id();
        var device = await org.Owner.CreateAsync("/api/v1/devices", new { name = "Lobby reader", model = "F3D100", siteId = site, doorIds = new[] { world.DoorId } });
        var viewer = await app.AddAdminAsync(org, "viewer");
        await using var browser = await app.SignInAsync(viewer, Infrastructure.GatehouseApp.OwnerPassword);
        var page = browser.Page;

        await browser.MenuAsync("Devices");
        await Expect(page.GetByRole(AriaRole.Row).Filter(new() { HasText = "Lobby reader" })).ToBeVisibleAsync();
        await Expect(page.GetByRole(AriaRole.Link, new() { Name = "Add device" })).ToHaveCountAsync(0);
        await page.GotoAsync($"/devices/{device.Id()}");
        await Expect(page.GetByRole(AriaRole.Button, new() { Name = $"Unlock {world.DoorName}" })).ToHaveCountAsync(0);
        await Expect(page.GetByRole(AriaRole.Button, new() { Name = "New claim code" })).ToHaveCountAsync(0);
        await Expect(page.GetByRole(AriaRole.Button, new() { Name = "Remove device" })).ToHaveCountAsync(0);
        await Expect(page.Locator(".readonly-note")).ToBeVisibleAsync();
        browser.AssertNoProblems();
    }

    [Fact]
    public async Task Pages_AtPhoneWidth_FitTheScreen()
    {
        var org = await app.NewOrganizationAsync();
        var world = await ConsoleWorld.CreateAsync(org.Owner);
        var site = (await org.Owner.GetJsonAsync("/api/v1/sites")).GetProperty("items")[0].Id();
        var device = await org.Owner.CreateAsync("/api/v1/devices", new { name = "Front entrance reader", model = "F3D100", siteId = site, doorIds = new[] { world.DoorId } });
        await using var browser = await app.SignInAsync(org, width: 360, height: 740);
        var page = browser.Page;

        foreach (var (path, name) in new[]
        {
            ("/devices", "devices-phone"),
            ($"/devices/{device.Id()}", "device-phone"),
            ("/devices/new", "device-add-phone"),
        })
        {
            await page.GotoAsync(path);
            await Expect(page.Locator("h1")).ToBeVisibleAsync();
            await browser.ScreenshotAsync(name);
            var overflow = await page.EvaluateAsync<int>("document.documentElement.scrollWidth - document.documentElement.clientWidth");
            Assert.True(overflow <= 0, $"{path} is {overflow}px wider than the phone's screen.");
        }

        await page.GotoAsync($"/devices/{device.Id()}");
        await page.GetByRole(AriaRole.Button, new() { Name = "New claim code" }).ClickAsync();
        await page.GetByRole(AriaRole.Dialog).GetByRole(AriaRole.Button, new() { Name = "Issue code" }).ClickAsync();
        await Expect(page.Locator("#claim-code")).ToBeVisibleAsync();
        await browser.ScreenshotAsync("device-claim-code-phone");
        var wide = await page.EvaluateAsync<int>("document.documentElement.scrollWidth - document.documentElement.clientWidth");
        Assert.True(wide <= 0, $"The claim code's page is {wide}px wider than the phone's screen.");
        browser.AssertNoProblems();
    }

    [Theory]
    [InlineData(1366, 768)]
    [InlineData(390, 844)]
    public async Task List_DeviceWithALongSoftwareVersion_FitsTheScreenWithoutScrollingSideways(int width, int height)
    {
        var org = await app.NewOrganizationAsync();
        var world = await ConsoleWorld.CreateAsync(org.Owner);
        await using var device = await Features.Devices.RemoteUnlockTests.OnlineDeviceAsync(org, world.DoorId);
        // What a build stamps on itself: a version and the whole commit it was built from.
        const string version = "1.4.0-preview.2+8f2a9c1d7e6b5a4f3e2d1c0b9a8f7e6d5c";
        await device.PublishStatusAsync(1, softwareVersion: version, doors: [new DoorState(Guid.Parse(world.DoorId), true)]);
        await TestDevice.WaitUntilAsync(
            async () => (await org.Owner.GetJsonAsync($"/api/v1/devices/{device.Id}")).Str("softwareVersion") == version, "the new version");
        await using var browser = await app.SignInAsync(org, width, height);
        var page = browser.Page;

        await page.GotoAsync("/devices");
        var row = page.GetByRole(AriaRole.Row).Filter(new() { HasText = "Online" });
        await Expect(row).ToBeVisibleAsync();
        await browser.ScreenshotAsync($"devices-long-version-{width}");

        var wider = await page.EvaluateAsync<int>("document.documentElement.scrollWidth - document.documentElement.clientWidth");
        Assert.True(wider <= 0, $"The page is {wider} px wider than a {width} px screen.");
        var table = await page.Locator(".table-wrap").EvaluateAsync<int>("e => e.scrollWidth - e.clientWidth");
        Assert.True(table <= 0, $"The devices table scrolls {table} px sideways at {width} px.");
        foreach (var cell in await row.Locator("td").AllAsync())
        {
            if (await cell.IsVisibleAsync())
            {
                var box = (await cell.BoundingBoxAsync())!;
                Assert.True(box.X + box.Width <= width, $"“{await cell.InnerTextAsync()}” ends at {box.X + box.Width:0} px on a {width} px screen.");
            }
        }

        if (width > 600)
        {
            await Expect(row.Locator("[data-live='softwareVersion']")).ToHaveTextAsync(version);
        }

        browser.AssertNoProblems();
    }

    [GeneratedRegex("^[A-HJ-NP-Z2-9]{4}(-[A-HJ-NP-Z2-9]{4}){3}$")]
    private static partial Regex ClaimCodePattern();
}
