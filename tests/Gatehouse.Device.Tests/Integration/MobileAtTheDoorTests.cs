using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Gatehouse.Device.Tests.Integration;

/// <summary>
/// A phone as a key, end to end: the welcome email through a real SMTP peer, the app in Chromium at a phone's size
/// activated by its link, the doors list and an online unlock carried out by the simulated F3D100 and shown on the
/// console's Events page; then the app's door code, a screenshot of it shown to the device's camera while the server
/// is stopped, opens the door, the same code again does not, and once the credential is suspended neither the app's
/// unlock nor a fresh code opens anything.
/// </summary>
[Trait("Category", "Browser")]
public sealed partial class MobileAtTheDoorTests(MobileAtTheDoorTests.MailingTestbed testbed)
    : IClassFixture<MobileAtTheDoorTests.MailingTestbed>, IAsyncLifetime
{
    /// <summary>The real server sending its email to a real SMTP peer in the test process.</summary>
    public sealed class MailingTestbed : DeviceTestbed
    {
        public TestSmtpServer Smtp { get; private set; } = null!;

        public override async Task InitializeAsync()
        {
            Smtp = await TestSmtpServer.CreateAsync();
            Server.With("Gatehouse:Email:From", "gatehouse@gatehouse.test")
                .With("Gatehouse:Email:Smtp:Host", "127.0.0.1")
                .With("Gatehouse:Email:Smtp:Port", Smtp.Port.ToString(System.Globalization.CultureInfo.InvariantCulture))
                .With("Gatehouse:Email:Smtp:Security", "None")
                .With("Gatehouse:Outbox:PollInterval", "00:00:00.100");
            await base.InitializeAsync();
        }

        public override async Task DisposeAsync()
        {
            await base.DisposeAsync();
            await Smtp.DisposeAsync();
        }
    }

    private DeviceBrowser _browser = null!;

    public async Task InitializeAsync() => _browser = await DeviceBrowser.LaunchAsync();

    public async Task DisposeAsync() => await _browser.DisposeAsync();

    [Fact]
    public async Task Phone_ActivatedFromItsEmail_OpensTheDoorOnlineAndOfflineOnce_AndNothingOnceSuspended()
    {
        var door = await testbed.NewDoorAsync();
        (await door.Owner.PatchAsJsonAsync($"/api/v1/users/{door.UserId}", new { email = "alice@example.com" })).EnsureSuccessStatusCode();
        var credentialId = await DeviceTestbed.CreateAsync(door.Owner, $"/api/v1/users/{door.UserId}/credentials/mobile", new { sendEmail = true });

        var email = await Eventually.ForAsync(
            () => testbed.Smtp.Received.FirstOrDefault(m => m.To.Mailboxes.Any(a => a.Address == "alice@example.com")), () => "the welcome email");
        var link = ActivationLink().Match(email.TextBody!);
        Assert.True(link.Success, email.TextBody);

        var phone = await _browser.NewPageAsync(testbed.Server.BaseUrl, 390, 844);
        await phone.GotoAsync(link.Value);
        await phone.GetByLabel("Name this phone").FillAsync("Alice's phone");
        await phone.GetByRole(AriaRole.Button, new() { Name = "Activate" }).ClickAsync();
        await Expect(phone.GetByRole(AriaRole.Heading, new() { Name = "Hello Alice" })).ToBeVisibleAsync();
        var frontDoor = phone.Locator("[data-doors] li").Filter(new() { HasText = "Front door" });
        await Expect(frontDoor).ToContainTextAsync("Open for you now");
        await DeviceBrowser.ScreenshotAsync(phone, "mobile-e2e-doors");

        await frontDoor.GetByRole(AriaRole.Button, new() { Name = "Unlock Front door" }).ClickAsync();
        await Expect(frontDoor.GetByRole(AriaRole.Status)).ToHaveTextAsync("Door unlocked");
        await door.Agent.WaitForStateAsync(s => s.GetProperty("lock").GetString() == "unlocked", "unlocked by the phone");
        var online = Assert.Single(await door.WaitForEventsAsync(1));
        Assert.Equal(("mobile", "mobile", true), (online.GetProperty("source").GetString(), online.GetProperty("credentialType").GetString(), online.GetProperty("granted").GetBoolean()));
        await ExpectOnTheEventsPageAsync(door, "Mobile app (online)");

        await phone.GetByRole(AriaRole.Button, new() { Name = "Show to the door" }).ClickAsync();
        var code = phone.GetByRole(AriaRole.Img, new() { Name = "Your door code" });
        await Expect(code).ToBeVisibleAsync();
        var shown = await code.ScreenshotAsync();
        await DeviceBrowser.ScreenshotAsync(phone, "mobile-e2e-door-code");

        await testbed.Server.StopAsync();
        await door.Agent.WaitForStateAsync(s => !s.GetProperty("online").GetBoolean(), "offline with the server stopped");
        var offline = await ShowAsync(door, shown);
        var again = await ShowAsync(door, shown);
        Assert.Equal((true, "granted"), (offline.GetProperty("granted").GetBoolean(), offline.GetProperty("reason").GetString()));
        Assert.Equal((false, "tokenReplayed"), (again.GetProperty("granted").GetBoolean(), again.GetProperty("reason").GetString()));

        await testbed.Server.StartAsync();
        var events = await door.WaitForEventsAsync(3);
        var atTheDoor = events.Where(e => e.GetProperty("source").GetString() == "device").ToList();
        Assert.Equal(["granted", "tokenReplayed"], atTheDoor.Select(e => e.GetProperty("reason").GetString()).Order());
        Assert.All(atTheDoor, e => Assert.Equal("mobile", e.GetProperty("credentialType").GetString()));
        Assert.Equal(credentialId, atTheDoor.Single(e => e.GetProperty("granted").GetBoolean()).GetProperty("credentialId").GetGuid());
        Assert.Equal(3, events.Select(e => e.GetProperty("id").GetGuid()).Distinct().Count());
        await ExpectOnTheEventsPageAsync(door, "Mobile QR (offline)");

        await phone.GetByRole(AriaRole.Button, new() { Name = "Done" }).ClickAsync();
        await Expect(frontDoor.GetByRole(AriaRole.Button, new() { Name = "Unlock Front door" })).ToBeVisibleAsync();
        (await door.Owner.PatchAsJsonAsync($"/api/v1/credentials/{credentialId}", new { status = "suspended" })).EnsureSuccessStatusCode();
        await frontDoor.GetByRole(AriaRole.Button, new() { Name = "Unlock Front door" }).ClickAsync();
        await Expect(frontDoor.GetByRole(AriaRole.Status)).ToContainTextAsync("suspended");
        await DeviceBrowser.ScreenshotAsync(phone, "mobile-e2e-suspended");
        await door.Agent.WaitForStateAsync(s => s.GetProperty("online").GetBoolean(), "online again");
        await Eventually.HoldsAsync(
            async () => (await ShowAsync(door, await FreshCodeAsync(phone, shown))).GetProperty("reason").GetString() == "credentialSuspended",
            () => "the device to refuse the suspended phone's code");
        Assert.DoesNotContain(_browser.Problems, p => !p.Contains("status of 403", StringComparison.Ordinal));
    }

    /// <summary>Shows a screenshot of the app's code to the device's camera (<c>POST /simulator/qr</c> with the image).</summary>
    private static async Task<JsonElement> ShowAsync(DoorScenario door, byte[] screenshot)
    {
        using var body = new ByteArrayContent(screenshot);
        body.Headers.ContentType = new MediaTypeHeaderValue("image/png");
        var response = await door.Agent.Simulator.PostAsync("/simulator/qr", body);
        response.EnsureSuccessStatusCode();
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }

    /// <summary>A screenshot of the app's door code once it shows a code other than <paramref name="old"/>.</summary>
    private static async Task<byte[]> FreshCodeAsync(IPage phone, byte[] old)
    {
        if (!await phone.GetByRole(AriaRole.Img, new() { Name = "Your door code" }).IsVisibleAsync())
        {
            await phone.GetByRole(AriaRole.Button, new() { Name = "Show to the door" }).ClickAsync();
        }

        byte[] shot = old;
        await Eventually.HoldsAsync(
            async () => !(shot = await phone.GetByRole(AriaRole.Img, new() { Name = "Your door code" }).ScreenshotAsync()).AsSpan().SequenceEqual(old),
            () => "a new door code");
        return shot;
    }

    private async Task ExpectOnTheEventsPageAsync(DoorScenario door, string source)
    {
        var console = await _browser.NewPageAsync(testbed.Server.BaseUrl, 1366, 900);
        await console.GotoAsync("/account/sign-in");
        await console.GetByLabel("Email").FillAsync(door.OwnerEmail);
        await console.GetByLabel("Password").FillAsync(GatehouseServer.AdminPassword);
        await console.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        await console.WaitForURLAsync(url => new Uri(url).AbsolutePath == "/");
        await console.GotoAsync("/events");
        await Expect(console.Locator("main")).ToContainTextAsync(source);
        await DeviceBrowser.ScreenshotAsync(console, "mobile-e2e-events");
        await console.Context.CloseAsync();
    }

    [GeneratedRegex(@"https?://\S+/app/activate#[A-Za-z0-9_-]{43}")]
    private static partial Regex ActivationLink();
}
