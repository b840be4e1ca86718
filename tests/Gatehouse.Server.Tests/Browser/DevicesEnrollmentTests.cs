using Gatehouse.Core.DeviceProtocol;
using Gatehouse.Server.Tests.Features;
using Gatehouse.Server.Tests.Infrastructure;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Gatehouse.Server.Tests.Browser;

/// <summary>
/// "Add using a device" on a user's Card panel, with a fake device connected over MQTT that answers the
/// enroll command with a card, as a person holding it up to the reader would; and a device's live status.
/// </summary>
[Trait("Category", "Browser")]
public sealed class DevicesEnrollmentTests(ConsoleApp app) : IClassFixture<ConsoleApp>
{
    [Fact]
    public async Task AddUsingADevice_CardPresented_CardAddedAppearsLive()
    {
        var org = await app.NewOrganizationAsync();
        var world = await ConsoleWorld.CreateAsync(org.Owner);
        var user = await world.NewUserAsync(org.Owner, "Ana", "Lima");
        await using var device = await OnlineDeviceAsync(org, world.DoorId, "Front reader");
        await using var browser = await app.SignInAsync(org);
        var page = browser.Page;

        await page.GotoAsync($"/users/{user.Id()}");
        await page.Locator(".card-panel").GetByText("Add using a device").ClickAsync();
        await Expect(page.Locator(".card-panel").GetByLabel("Device", new() { Exact = true })).ToHaveValueAsync(device.Id.ToString());
        await browser.ScreenshotAsync("user-card-enroll-choose");
        await page.Locator(".card-panel").GetByRole(AriaRole.Button, new() { Name = "Select" }).ClickAsync();

        var panel = page.Locator(".card-panel");
        await Expect(panel.Locator(".enrollment")).ToContainTextAsync("Waiting for a card at Front reader… Hold the card up to the device.");
        await Expect(panel.GetByRole(AriaRole.Button, new() { Name = "Cancel" })).ToBeVisibleAsync();
        await browser.ScreenshotAsync("user-card-enroll-waiting");
        var command = await TestDevice.WaitForAsync(() => device.Commands.OfType<EnrollCommand>().LastOrDefault(), "the enroll command");
        await device.PublishReplyAsync(new EnrollmentCapturedReply(command.Id, app.Clock.GetUtcNow(), command.EnrollmentId, EnrollmentKind.Card, "H10301:1:11572"));

        await Expect(panel.Locator(".enrollment")).ToContainTextAsync("Card added: H10301 1:11572");
        var row = panel.Locator("tbody tr");
        await Expect(row).ToHaveCountAsync(1);
        await Expect(row).ToContainTextAsync("FC 1 · No. 11572");
        await browser.ScreenshotAsync("user-card-enroll-added");
        browser.AssertNoProblems();
    }

    [Fact]
    public async Task AddUsingADevice_CardOfSomeoneElse_ShowsWhoseItIs()
    {
        var org = await app.NewOrganizationAsync();
        var world = await ConsoleWorld.CreateAsync(org.Owner);
        var ana = await world.NewUserAsync(org.Owner, "Ana", "Lima");
        var bo = await world.NewUserAsync(org.Owner, "Bo", "Berg");
        await ConsoleWorld.NewCardAsync(org.Owner, bo.Id(), 1, 11572);
        await using var device = await OnlineDeviceAsync(org, world.DoorId, "Front reader");
        await using var browser = await app.SignInAsync(org, width: 360, height: 740);
        var page = browser.Page;

        await page.GotoAsync($"/users/{ana.Id()}");
        await page.Locator(".card-panel").GetByText("Add using a device").ClickAsync();
        await page.Locator(".card-panel").GetByRole(AriaRole.Button, new() { Name = "Select" }).ClickAsync();
        var command = await TestDevice.WaitForAsync(() => device.Commands.OfType<EnrollCommand>().LastOrDefault(), "the enroll command");
        await Expect(page.Locator(".enrollment")).ToContainTextAsync("Waiting for a card at Front reader");
        await browser.ScreenshotAsync("user-card-enroll-waiting-phone");
        await device.PublishReplyAsync(new EnrollmentCapturedReply(command.Id, app.Clock.GetUtcNow(), command.EnrollmentId, EnrollmentKind.Card, "H10301:1:11572"));

        await Expect(page.Locator(".enrollment")).ToContainTextAsync("This card already belongs to Bo Berg.");
        await Expect(page.Locator(".card-panel")).ToContainTextAsync("Ana has no card yet");
        await browser.ScreenshotAsync("user-card-enroll-taken-phone");
        var overflow = await page.EvaluateAsync<int>("document.documentElement.scrollWidth - document.documentElement.clientWidth");
        Assert.True(overflow <= 0, $"The user page is {overflow}px wider than the phone's screen.");
        browser.AssertNoProblems();
    }

    [Fact]
    public async Task AddUsingADevice_Cancel_ShowsCancelledAndTheDeviceStopsWaiting()
    {
        var org = await app.NewOrganizationAsync();
        var world = await ConsoleWorld.CreateAsync(org.Owner);
        var user = await world.NewUserAsync(org.Owner, "Ana", "Lima");
        await using var device = await OnlineDeviceAsync(org, world.DoorId, "Front reader");
        await using var browser = await app.SignInAsync(org);
        var page = browser.Page;

        await page.GotoAsync($"/users/{user.Id()}");
        await page.Locator(".card-panel").GetByText("Add using a device").ClickAsync();
        await page.Locator(".card-panel").GetByRole(AriaRole.Button, new() { Name = "Select" }).ClickAsync();
        await page.Locator(".enrollment").GetByRole(AriaRole.Button, new() { Name = "Cancel" }).ClickAsync();

        await Expect(page.Locator(".enrollment")).ToContainTextAsync("Cancelled");
        await TestDevice.WaitForAsync(() => device.Commands.OfType<CancelEnrollmentCommand>().FirstOrDefault(), "the cancel command");
        browser.AssertNoProblems();
    }

    [Fact]
    public async Task AddUsingADevice_Face_TheAdminConfirmsConsentAndThePageShowsFaceEnrolledLive()
    {
        var org = await app.NewOrganizationAsync();
        var world = await ConsoleWorld.CreateAsync(org.Owner);
        var user = await world.NewUserAsync(org.Owner, "Ana", "Lima");
        await using var device = await OnlineDeviceAsync(org, world.DoorId, "Front reader");
        await using var browser = await app.SignInAsync(org);
        var page = browser.Page;
        await page.GotoAsync($"/users/{user.Id()}");
        var panel = page.Locator(".face-panel");

        await panel.GetByText("Add using a device").ClickAsync();
        await Expect(panel.GetByLabel("Device", new() { Exact = true })).ToHaveValueAsync(device.Id.ToString());
        await panel.GetByRole(AriaRole.Button, new() { Name = "Select" }).ClickAsync();
        await Expect(panel.Locator(".field-error")).ToContainTextAsync("only with consent");
        Assert.Empty(device.Commands.OfType<EnrollCommand>());
        await panel.GetByLabel("Ana has read this notice and consents").CheckAsync();
        await browser.ScreenshotAsync("user-face-enroll-choose");
        await panel.GetByRole(AriaRole.Button, new() { Name = "Select" }).ClickAsync();

        await Expect(panel.Locator(".enrollment")).ToContainTextAsync("Waiting for a face at Front reader…");
        await Expect(page.Locator(".card-panel .enrollment")).ToHaveCountAsync(0);
        var command = await TestDevice.WaitForAsync(() => device.Commands.OfType<EnrollCommand>().LastOrDefault(), "the enroll command");
        Assert.Equal(EnrollmentKind.Face, command.Kind);
        await browser.ScreenshotAsync("user-face-enroll-waiting");
        var key = FaceTemplateSeal.DeriveKeyFromPassword(device.Password, device.Id);
        var frame = DeviceChannelCipher.Seal(key, FaceAssets.Photo("obama4_crop.jpg"), EnrollmentCapturedReply.FaceContext(command.EnrollmentId));
        await device.PublishReplyAsync(new EnrollmentCapturedReply(command.Id, app.Clock.GetUtcNow(), command.EnrollmentId, EnrollmentKind.Face, Face: frame));

        await Expect(panel.Locator(".enrollment")).ToContainTextAsync("Face enrolled");
        await Expect(panel.Locator("tbody tr")).ToHaveCountAsync(1);
        await browser.ScreenshotAsync("user-face-enroll-done");
        browser.AssertNoProblems();
    }

    [Fact]
    public async Task DevicePage_DeviceGoesOfflineAndComesBack_StatusAndUnlockFollowLive()
    {
        var org = await app.NewOrganizationAsync();
        var world = await ConsoleWorld.CreateAsync(org.Owner);
        await using var device = await OnlineDeviceAsync(org, world.DoorId, "Front reader");
        await using var browser = await app.SignInAsync(org);
        var page = browser.Page;

        await page.GotoAsync($"/devices/{device.Id}");
        await Expect(page.Locator("[data-live='status']")).ToHaveTextAsync("Online");
        await Expect(page.Locator("[data-live='softwareVersion']")).ToHaveTextAsync("test-1.0");
        var unlock = page.GetByRole(AriaRole.Button, new() { Name = $"Unlock {world.DoorName}" });
        await Expect(unlock).ToBeEnabledAsync();
        await browser.ScreenshotAsync("device-online");

        // The page polls every few seconds: wait longer than that.
        var live = new LocatorAssertionsToHaveTextOptions { Timeout = 15_000 };
        await device.PublishStatusAsync(0, online: false);
        await Expect(page.Locator("[data-live='status']")).ToHaveTextAsync("Offline", live);
        await Expect(unlock).ToBeDisabledAsync();
        await Expect(page.Locator("#unlock-note")).ToBeVisibleAsync();

        await device.PublishStatusAsync(0, doors: [new DoorState(Guid.Parse(world.DoorId), Unlocked: true)]);
        await Expect(page.Locator("[data-live='status']")).ToHaveTextAsync("Online", live);
        await Expect(page.Locator($"[data-live-door='{world.DoorId}']")).ToHaveTextAsync("Unlocked", live);
        await Expect(unlock).ToBeEnabledAsync();
        await unlock.ClickAsync();

        await Expect(page.GetByRole(AriaRole.Status)).ToContainTextAsync($"“{world.DoorName}” unlocked.");
        await TestDevice.WaitForAsync(() => device.Commands.OfType<UnlockCommand>().FirstOrDefault(), "the unlock command");
        browser.AssertNoProblems();
    }

    private static async Task<TestDevice> OnlineDeviceAsync(TestOrganization org, string doorId, string name)
    {
        var device = await TestDevice.CreateAsync(org.App, org.Id, [doorId], name, "H10301");
        await device.ConnectAndSyncAsync();
        await TestDevice.WaitUntilAsync(
            async () => (await org.Owner.GetJsonAsync($"/api/v1/devices/{device.Id}")).GetProperty("online").GetBoolean(), "the device to be online");
        return device;
    }
}
