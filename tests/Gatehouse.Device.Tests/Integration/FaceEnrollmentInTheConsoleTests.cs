using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Gatehouse.Device.Tests.Integration;

/// <summary>
/// "Add using a device" for a face, end to end as the admin and the person at the door see it: the console in one
/// browser, the simulated F3D100's screen in another, the real server and device agent between them. The person
/// shows a photo to the device's camera through the screen's Camera panel.
/// </summary>
[Trait("Category", "Browser")]
public sealed class FaceEnrollmentInTheConsoleTests(DeviceTestbed testbed) : IClassFixture<DeviceTestbed>, IAsyncLifetime
{
    private DeviceBrowser _browser = null!;

    public async Task InitializeAsync() => _browser = await DeviceBrowser.LaunchAsync();

    public async Task DisposeAsync() => await _browser.DisposeAsync();

    [Fact]
    public async Task AddUsingADevice_TheDeviceAsksForAFaceInBlueAndThePageShowsFaceEnrolled()
    {
        var door = await testbed.NewDoorAsync(start: false);
        door.Agent.With("Gatehouse:Face:ModelDirectory", FaceAssets.ModelDirectory);
        await door.Agent.StartAsync(door.ClaimCode);
        await door.Agent.WaitForStateAsync(s => s.GetProperty("online").GetBoolean() && s.GetProperty("syncVersion").GetInt64() > 0, "online with a snapshot");
        var user = await DeviceTestbed.CreateAsync(door.Owner, "/api/v1/users", new { firstName = "Franck", lastName = "Example", status = "active", accessGroupIds = Array.Empty<Guid>() });

        var screen = await _browser.NewPageAsync(door.Agent.SimulatorUrl.ToString(), 560, 1100);
        await screen.GotoAsync("/");
        await Expect(screen.GetByRole(AriaRole.Img, new() { Name = "LED ring: blue" })).ToHaveCountAsync(0);

        var console = await _browser.NewPageAsync(testbed.Server.BaseUrl, 1366, 900);
        await console.GotoAsync("/account/sign-in");
        await console.GetByLabel("Email").FillAsync(door.OwnerEmail);
        await console.GetByLabel("Password").FillAsync(GatehouseServer.AdminPassword);
        await console.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        await console.WaitForURLAsync(url => new Uri(url).AbsolutePath == "/");
        await console.GotoAsync($"/users/{user}");
        var panel = console.Locator(".face-panel");
        await panel.GetByText("Add using a device").ClickAsync();
        await Expect(panel.GetByLabel("Device", new() { Exact = true })).ToHaveValueAsync(door.DeviceId.ToString());
        await panel.GetByLabel("Franck has read this notice and consents").CheckAsync();
        await panel.GetByRole(AriaRole.Button, new() { Name = "Select" }).ClickAsync();
        await Expect(panel.Locator(".enrollment")).ToContainTextAsync("Waiting for a face at Front desk…");

        await Expect(screen.GetByText("Beginning face enrollment, please stand in front of the camera.")).ToBeVisibleAsync();
        await Expect(screen.GetByRole(AriaRole.Img, new() { Name = "LED ring: blue" })).ToBeVisibleAsync();
        await DeviceBrowser.ScreenshotAsync(screen, "device-screen-face-enrollment");
        await screen.GetByLabel("Show a photo").SetInputFilesAsync(new FilePayload
        {
            Name = "franck.jpg", MimeType = "image/jpeg", Buffer = FaceAssets.Photo("franck_02159.jpg"),
        });

        await Expect(screen.GetByRole(AriaRole.Img, new() { Name = "LED ring: green" })).ToBeVisibleAsync();
        await Expect(screen.GetByText("Face enrolled")).ToBeVisibleAsync();
        await Expect(panel.Locator(".enrollment")).ToContainTextAsync("Face enrolled");
        await Expect(panel.Locator("tbody tr")).ToHaveCountAsync(1);
        await DeviceBrowser.ScreenshotAsync(console, "user-face-enrolled-at-device");
        Assert.Empty(_browser.Problems);
    }
}
