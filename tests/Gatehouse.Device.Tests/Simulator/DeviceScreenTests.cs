using Gatehouse.Core.DeviceProtocol;
using Gatehouse.Device.Door;
using Gatehouse.Device.Store;
using Gatehouse.Device.Sync;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;

namespace Gatehouse.Device.Tests.Simulator;

/// <summary>
/// The device screen in Debian's Chromium, as a person uses it: tap a card, watch the LED and the lock,
/// unplug the network. The agent's broker is unreachable, as with the network down; the store is synced
/// directly. Screenshots go to <c>artifacts/screenshots</c>.
/// </summary>
[Trait("Category", "Browser")]
public sealed class DeviceScreenTests : IAsyncLifetime
{
    private readonly string _dataDirectory = Path.Combine(Path.GetTempPath(), "gatehouse-device-tests", Guid.NewGuid().ToString("N"));
    private AgentHost _agent = null!;
    private DeviceBrowser _browser = null!;
    private IPage _page = null!;

    public async Task InitializeAsync()
    {
        using (var store = DeviceStore.Open(_dataDirectory))
        {
            store.SaveClaim(
                new ClaimResponse(Guid.CreateVersion7(), Guid.CreateVersion7(), "Lobby", "F3D100", new BrokerEndpoint("127.0.0.1", 9, false), "device", "secret"),
                new Uri("http://127.0.0.1:9"));
        }

        _agent = await AgentHost.CreateAsync(
            new AgentArguments(null, null, _dataDirectory, ["http://127.0.0.1:0"]),
            builder => builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
            {
                ["Gatehouse:Device:Speaker:Voice"] = "false",
                ["Gatehouse:Device:UnlockTime"] = "00:00:30",
                ["Gatehouse:Device:ResultDisplayTime"] = "00:00:30",
                ["Gatehouse:Face:ModelDirectory"] = FaceAssets.ModelDirectory,
            }));
        await _agent.StartAsync();
        _agent.Services.GetRequiredService<SyncApplier>().Handle(new SyncMessage(SyncKind.Snapshot, 12, 0, 0, 1, TestStore.AlwaysOpen()));

        _browser = await DeviceBrowser.LaunchAsync();
        _page = await _browser.NewPageAsync(_agent.SimulatorAddresses[0], 560, 1100);
    }

    public async Task DisposeAsync()
    {
        await _browser.DisposeAsync();
        await _agent.StopAsync();
        await _agent.DisposeAsync();
        try
        {
            Directory.Delete(_dataDirectory, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    [Fact]
    public async Task TapForm_EnrolledCard_TurnsTheRingGreenAndUnlocksTheDoor()
    {
        await _page.GotoAsync("/");
        await Assertions.Expect(_page.GetByRole(AriaRole.Heading, new() { Name = "Front desk" })).ToBeVisibleAsync();
        await Assertions.Expect(_page.GetByText("Sync version 12")).ToBeVisibleAsync();
        await Assertions.Expect(_page.GetByText("Front door: Locked")).ToBeVisibleAsync();

        // The format defaults to the device's Wiegand format.
        await Assertions.Expect(_page.GetByLabel("Format", new() { Exact = true })).ToHaveValueAsync("H10301");
        await _page.GetByLabel("Facility code").FillAsync("1");
        await _page.GetByLabel("Card number").FillAsync("11572");
        await _page.GetByRole(AriaRole.Button, new() { Name = "Tap" }).ClickAsync();

        await Assertions.Expect(_page.Locator("#tap-result")).ToHaveTextAsync("Granted");
        await Assertions.Expect(_page.GetByText("Access granted")).ToBeVisibleAsync();
        await Assertions.Expect(_page.GetByRole(AriaRole.Img, new() { Name = "LED ring: green" })).ToBeVisibleAsync();
        await Assertions.Expect(_page.GetByText("Front door: Unlocked")).ToBeVisibleAsync();
        await Assertions.Expect(_page.GetByText("1 event waiting for the server")).ToBeVisibleAsync();
        await DeviceBrowser.ScreenshotAsync(_page, "device-screen-granted");
        Assert.Empty(_browser.Problems);
    }

    [Fact]
    public async Task CameraPanel_ScreenshotOfAPhonesQrCode_OpensTheDoor()
    {
        using var phone = System.Security.Cryptography.ECDsa.Create(System.Security.Cryptography.ECCurve.NamedCurves.nistP256);
        var phoneId = TestStore.Id(50);
        _agent.Services.GetRequiredService<SyncApplier>().Handle(new SyncMessage(SyncKind.Delta, 13, 12, 0, 1, new SyncData(Credentials:
        [
            new SyncCredential(phoneId, TestStore.Alice, SyncSnapshotSource.MobileType, false,
                MobileKey: Gatehouse.Core.Mobile.MobileKeys.ToText(Gatehouse.Core.Mobile.MobileKeys.Export(phone))),
        ])));
        var organization = _agent.Services.GetRequiredService<Gatehouse.Device.Mqtt.DeviceIdentity>().OrganizationId;
        var token = Gatehouse.Core.Mobile.MobileToken.Create(phone, phoneId, organization, TimeProvider.System.GetUtcNow(), TimeSpan.FromSeconds(60));
        await _page.GotoAsync("/");
        await Assertions.Expect(_page.GetByText("Sync version 13")).ToBeVisibleAsync();

        await _page.GetByLabel("Show a photo").SetInputFilesAsync(new FilePayload
        {
            Name = "screenshot.png", MimeType = "image/png", Buffer = QrImages.Png(token),
        });

        await Assertions.Expect(_page.Locator("#camera-result")).ToHaveTextAsync("Granted");
        await Assertions.Expect(_page.GetByText("Access granted")).ToBeVisibleAsync();
        await Assertions.Expect(_page.GetByRole(AriaRole.Img, new() { Name = "LED ring: green" })).ToBeVisibleAsync();
        await Assertions.Expect(_page.GetByText("Front door: Unlocked")).ToBeVisibleAsync();
        await DeviceBrowser.ScreenshotAsync(_page, "device-screen-camera-qr");
        Assert.Empty(_browser.Problems);
    }

    [Fact]
    public async Task CameraPanel_PhotoOfAStranger_IsNotRecognisedAndTurnsTheRingRed()
    {
        await _page.GotoAsync("/");

        await _page.GetByLabel("Show a photo").SetInputFilesAsync(new FilePayload
        {
            Name = "cage.jpg", MimeType = "image/jpeg", Buffer = FaceAssets.Photo("cage.jpg"),
        });

        await Assertions.Expect(_page.Locator("#camera-result")).ToHaveTextAsync("Access denied: not recognised");
        await Assertions.Expect(_page.GetByRole(AriaRole.Img, new() { Name = "LED ring: red" })).ToBeVisibleAsync();
        await DeviceBrowser.ScreenshotAsync(_page, "device-screen-camera");
        await _page.SetViewportSizeAsync(390, 844);
        Assert.True(await _page.EvaluateAsync<int>("document.documentElement.scrollWidth") <= 390, "the screen scrolls sideways on a phone");
        await DeviceBrowser.ScreenshotAsync(_page, "device-screen-camera-phone");
        Assert.Empty(_browser.Problems);
    }

    [Fact]
    public async Task TapForm_UnknownCsn_TurnsTheRingRed()
    {
        await _page.GotoAsync("/");
        await _page.GetByLabel("CSN", new() { Exact = true }).CheckAsync();
        await _page.GetByLabel("CSN (hex)").FillAsync("0A0B0C0D");
        await _page.GetByRole(AriaRole.Button, new() { Name = "Tap" }).ClickAsync();

        await Assertions.Expect(_page.Locator("#tap-result")).ToHaveTextAsync("Denied — Unknown credential");
        await Assertions.Expect(_page.GetByRole(AriaRole.Img, new() { Name = "LED ring: red" })).ToBeVisibleAsync();
        await Assertions.Expect(_page.GetByText("Access denied: card not recognised")).ToBeVisibleAsync();
        await DeviceBrowser.ScreenshotAsync(_page, "device-screen-denied");
        Assert.Empty(_browser.Problems);
    }

    [Fact]
    public async Task TapForm_SuspendedUsersCard_SaysDeniedInWords()
    {
        var data = TestStore.AlwaysOpen();
        _agent.Services.GetRequiredService<SyncApplier>().Handle(new SyncMessage(
            SyncKind.Snapshot, 13, 0, 0, 1, data with { Users = [.. data.Users!.Select(u => u.Id == TestStore.Bob ? u with { Suspended = true } : u)] }));
        await _page.GotoAsync("/");
        await _page.GetByLabel("CSN", new() { Exact = true }).CheckAsync();
        await _page.GetByLabel("CSN (hex)").FillAsync("04A224B2C15E80");
        await _page.GetByRole(AriaRole.Button, new() { Name = "Tap" }).ClickAsync();

        await Assertions.Expect(_page.Locator("#tap-result")).ToHaveTextAsync("Denied — User suspended");
        await Assertions.Expect(_page.GetByRole(AriaRole.Img, new() { Name = "LED ring: red" })).ToBeVisibleAsync();
        await Assertions.Expect(_page.Locator("body")).Not.ToContainTextAsync("userSuspended");
        Assert.Empty(_browser.Problems);
    }

    [Fact]
    public async Task TapForm_CardCapturedForEnrollment_IsNotShownAsDenied()
    {
        var enrollment = Guid.CreateVersion7();
        var enrollments = _agent.Services.GetRequiredService<Enrollments>();
        enrollments.Start(new EnrollCommand(Guid.CreateVersion7(), TimeProvider.System.GetUtcNow(), enrollment, EnrollmentKind.Card, TimeProvider.System.GetUtcNow().AddMinutes(5)));
        await _page.GotoAsync("/");
        await Assertions.Expect(_page.GetByRole(AriaRole.Img, new() { Name = "LED ring: blue" })).ToBeVisibleAsync();
        await _page.GetByLabel("CSN", new() { Exact = true }).CheckAsync();
        await _page.GetByLabel("CSN (hex)").FillAsync("0A0B0C0D");
        await _page.GetByRole(AriaRole.Button, new() { Name = "Tap" }).ClickAsync();

        var result = _page.Locator("#tap-result");
        await Assertions.Expect(result).ToHaveTextAsync("Card read for enrollment");
        enrollments.Outcome(new EnrollmentOutcomeCommand(Guid.CreateVersion7(), TimeProvider.System.GetUtcNow(), enrollment, true, "Card enrolled"));
        await Assertions.Expect(_page.GetByText("Card enrolled")).ToBeVisibleAsync();
        await Assertions.Expect(_page.GetByRole(AriaRole.Img, new() { Name = "LED ring: green" })).ToBeVisibleAsync();
        await Assertions.Expect(result).Not.ToContainTextAsync("Denied");
        await Assertions.Expect(result).Not.ToHaveClassAsync(new System.Text.RegularExpressions.Regex("result-denied"));
        await DeviceBrowser.ScreenshotAsync(_page, "device-screen-enrolled");
        Assert.Empty(_browser.Problems);
    }

    [Fact]
    public async Task TapForm_BadCardNumber_SaysWhatIsWrong()
    {
        await _page.GotoAsync("/");
        await _page.GetByLabel("Facility code").FillAsync("1");
        await _page.GetByLabel("Card number").FillAsync("99999999");
        await _page.GetByRole(AriaRole.Button, new() { Name = "Tap" }).ClickAsync();

        await Assertions.Expect(_page.Locator("#tap-result")).ToContainTextAsync("Card number must be between 0 and 65,535");
        Assert.DoesNotContain(_browser.Problems, p => !p.Contains("status of 400", StringComparison.Ordinal));
    }

    [Fact]
    public async Task NetworkButton_Unplugs_AndPlugsBack()
    {
        await _page.GotoAsync("/");

        await _page.GetByRole(AriaRole.Button, new() { Name = "Unplug network" }).ClickAsync();

        await Assertions.Expect(_page.GetByRole(AriaRole.Button, new() { Name = "Plug network back in" })).ToHaveAttributeAsync("aria-pressed", "true");
        await Assertions.Expect(_page.GetByText("Offline")).ToBeVisibleAsync();
        await _page.GetByRole(AriaRole.Button, new() { Name = "Plug network back in" }).ClickAsync();
        await Assertions.Expect(_page.GetByRole(AriaRole.Button, new() { Name = "Unplug network" })).ToBeVisibleAsync();
        Assert.Empty(_browser.Problems);
    }
}
