using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using Gatehouse.Core.Mobile;
using Microsoft.Playwright;
using SkiaSharp;
using ZXing;
using static Microsoft.Playwright.Assertions;

namespace Gatehouse.Server.Tests.Browser;

/// <summary>
/// The phone app at /app/ in Chromium at a phone's size: how it is served, installed and kept for offline use,
/// its activation, doors and unlock against the contract's answers (played here by routes, so the app is tested
/// on its own), and the door code it shows with no network.
/// </summary>
[Trait("Category", "Browser")]
public sealed class MobileAppTests(ConsoleApp app) : IClassFixture<ConsoleApp>
{
    private const string Policy =
        "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self' data: blob:; " +
        "manifest-src 'self'; worker-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

    private static readonly Guid CredentialId = Guid.Parse("0f8fad5b-d9cb-469f-a165-70867728950e");
    private static readonly Guid OrganizationId = Guid.Parse("7c9e6679-7425-40de-944b-e07fc1f90ae7");
    private static readonly Guid FrontDoor = Guid.Parse("1b4e28ba-2fa1-41d2-883f-0016d3cca427");
    private static readonly Guid BackDoor = Guid.Parse("6fa459ea-ee8a-4ca4-894e-db77e160355e");

    [Theory]
    [InlineData(390, 844)]
    [InlineData(1280, 800)]
    public async Task App_WithNoKey_SaysToAskForALinkUnderTheAppsPolicy(int width, int height)
    {
        await using var phone = await app.OpenAsync(width, height);
        var response = await phone.Page.GotoAsync("/app/");

        await Expect(phone.Page.GetByRole(AriaRole.Heading, new() { Name = "This phone is not set up" })).ToBeVisibleAsync();
        await Expect(phone.Page.Locator("main")).ToContainTextAsync("Ask your administrator to send you a new activation link");
        var headers = await response!.AllHeadersAsync();
        Assert.Equal(Policy, headers["content-security-policy"]);
        Assert.Equal("no-referrer", headers["referrer-policy"]);
        Assert.Equal("no-cache", headers["cache-control"]);
        Assert.Equal(0, await phone.Page.EvaluateAsync<int>("document.documentElement.scrollWidth - document.documentElement.clientWidth"));
        await phone.ScreenshotAsync($"mobile-app-no-key-{width}");
        phone.AssertNoProblems();
    }

    [Fact]
    public async Task App_ItsFiles_CarryTheAppsPolicyAndTheManifestItsType()
    {
        using var http = new HttpClient { BaseAddress = new Uri(app.BaseUrl) };

        var script = await http.GetAsync("/app/app.js");
        Assert.Equal(HttpStatusCode.OK, script.StatusCode);
        Assert.Equal(Policy, script.Headers.GetValues("Content-Security-Policy").Single());
        var manifest = await http.GetAsync("/app/manifest.webmanifest");
        Assert.Equal("application/manifest+json", manifest.Content.Headers.ContentType?.MediaType);
        var bare = await new HttpClient(new HttpClientHandler { AllowAutoRedirect = false }) { BaseAddress = new Uri(app.BaseUrl) }.GetAsync("/app");
        Assert.Equal("/app/", bare.Headers.Location?.OriginalString);
    }

    [Fact]
    public async Task Manifest_Parses_AndEveryIconIsAPngOfItsSize()
    {
        using var http = new HttpClient { BaseAddress = new Uri(app.BaseUrl) };
        var manifest = JsonNode.Parse(await http.GetStringAsync("/app/manifest.webmanifest"))!;

        Assert.Equal("Gatehouse", (string?)manifest["name"]);
        Assert.Equal("/app/", (string?)manifest["start_url"]);
        Assert.Equal("/app/", (string?)manifest["scope"]);
        Assert.Equal("standalone", (string?)manifest["display"]);
        Assert.False(string.IsNullOrEmpty((string?)manifest["theme_color"]));
        var icons = manifest["icons"]!.AsArray();
        foreach (var (size, purpose) in new[] { (192, "any"), (512, "any"), (192, "maskable"), (512, "maskable") })
        {
            Assert.Contains(icons, i => (string?)i!["sizes"] == $"{size}x{size}" && (string?)i["purpose"] == purpose);
        }

        foreach (var icon in icons.Append(JsonNode.Parse("""{"src": "/app/icons/apple-touch-icon.png", "sizes": "180x180"}""")))
        {
            var response = await http.GetAsync((string)icon!["src"]!);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal("image/png", response.Content.Headers.ContentType?.MediaType);
            using var codec = SKCodec.Create(new MemoryStream(await response.Content.ReadAsByteArrayAsync()));
            Assert.Equal((string)icon["sizes"]!, $"{codec.Info.Width}x{codec.Info.Height}");
        }
    }

    [Fact]
    public async Task ServiceWorker_AfterTheFirstVisit_TheAppOpensWithNoNetwork()
    {
        await using var phone = await app.OpenAsync(390, 844);
        var page = phone.Page;
        await page.GotoAsync("/app/");
        await WaitForWorkerAsync(page);

        await page.Context.SetOfflineAsync(true);
        await page.ReloadAsync();

        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "This phone is not set up" })).ToBeVisibleAsync();
        await page.Context.SetOfflineAsync(false);
        phone.AssertNoProblems();
    }

    [Theory]
    [InlineData(410, "codeUsed", "This link has been used already. Ask your administrator to send a new one.")]
    [InlineData(410, "codeExpired", "This link has expired. Ask your administrator to send a new one.")]
    [InlineData(404, null, "This link is not known.")]
    public async Task Activation_ARefusedCode_SaysWhyInPlainWordsAndDropsTheCodeFromTheAddress(int status, string? reason, string expected)
    {
        await using var phone = await app.OpenAsync(390, 844);
        var page = phone.Page;
        await page.RouteAsync("**/api/v1/public/mobile/activate", route => route.FulfillAsync(new()
        {
            Status = status,
            ContentType = "application/problem+json",
            Body = JsonSerializer.Serialize(new { status, reason }),
        }));

        await page.GotoAsync("/app/activate#used-code");
        await page.GetByRole(AriaRole.Button, new() { Name = "Activate" }).ClickAsync();

        await Expect(page.GetByRole(AriaRole.Alert)).ToContainTextAsync(expected);
        Assert.Equal("/app/", new Uri(page.Url).PathAndQuery);
        Assert.Equal("", new Uri(page.Url).Fragment);
        Assert.Null(await page.EvaluateAsync<string?>("new Promise(r => { const q = indexedDB.open('gatehouse', 1); q.onupgradeneeded = () => q.result.createObjectStore('credential'); q.onsuccess = () => { const g = q.result.transaction('credential').objectStore('credential').get('current'); g.onsuccess = () => r(g.result ? 'key' : null); }; })"));
    }

    [Fact]
    public async Task Activation_ThenDoors_ThenUnlock_SignsEachWithThePhonesKeyAndSaysWhatHappened()
    {
        await using var phone = await app.OpenAsync(390, 844);
        var page = phone.Page;
        var server = await FakeServer.RouteAsync(page);

        var key = await ActivateAsync(phone, server);

        Assert.Equal("Tapped link", server.Activation!["code"]!.GetValue<string>());
        Assert.Equal(["crv", "kty", "x", "y"], server.Activation["publicKey"]!.AsObject().Select(p => p.Key).Order());
        Assert.Equal("Ana's phone", server.Activation["deviceName"]!.GetValue<string>());
        Assert.Equal("/app/", new Uri(page.Url).PathAndQuery + new Uri(page.Url).Fragment);
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Hello Ana" })).ToBeVisibleAsync();
        await Expect(page.Locator("[data-view=home] [data-organization]")).ToHaveTextAsync("Acme Offices");

        // The doors: the signed list request, the door open now first with its button, the other with when it opens.
        Assert.True(MobileProof.Verify(key, MobileProof.Message(MobileProofPurpose.Doors, CredentialId, "challenge-1"), server.Doors!["signature"]!.GetValue<string>()));
        var doors = page.Locator("[data-doors] li");
        await Expect(doors).ToHaveCountAsync(2);
        await Expect(doors.Nth(0)).ToContainTextAsync("Front door");
        await Expect(doors.Nth(0)).ToContainTextAsync("Open for you now");
        await Expect(doors.Nth(1)).ToContainTextAsync("Back door");
        await Expect(doors.Nth(1)).ToContainTextAsync("Opens for you");
        await Expect(doors.Nth(1).GetByRole(AriaRole.Button)).ToHaveCountAsync(0);
        await phone.ScreenshotAsync("mobile-app-doors");

        await page.GetByRole(AriaRole.Button, new() { Name = "Unlock Front door" }).ClickAsync();
        await Expect(doors.Nth(0).GetByRole(AriaRole.Status)).ToHaveTextAsync("Door unlocked");
        Assert.Equal(FrontDoor.ToString(), server.Unlock!["doorId"]!.GetValue<string>());
        var challenge = server.Unlock["challenge"]!.GetValue<string>();
        Assert.True(MobileProof.Verify(key, MobileProof.Message(MobileProofPurpose.Unlock, CredentialId, challenge, FrontDoor), server.Unlock["signature"]!.GetValue<string>()));
        Assert.False(MobileProof.Verify(key, MobileProof.Message(MobileProofPurpose.Unlock, CredentialId, challenge, BackDoor), server.Unlock["signature"]!.GetValue<string>()));

        server.UnlockAnswer = (403, new { status = 403, reason = "outsideSchedule" });
        await page.GetByRole(AriaRole.Button, new() { Name = "Unlock Front door" }).ClickAsync();
        await Expect(doors.Nth(0).GetByRole(AriaRole.Status)).ToHaveTextAsync("This door is not open for you at this time.");

        server.UnlockAnswer = (403, new { status = 403, reason = "credentialSuspended", detail = "Your phone key is suspended." });
        await page.GetByRole(AriaRole.Button, new() { Name = "Unlock Front door" }).ClickAsync();
        await Expect(doors.Nth(0).GetByRole(AriaRole.Status)).ToHaveTextAsync("Your phone key is suspended.");

        server.Offline = true;
        await page.GetByRole(AriaRole.Button, new() { Name = "Unlock Front door" }).ClickAsync();
        await Expect(doors.Nth(0).GetByRole(AriaRole.Status)).ToHaveTextAsync("No network. Show your code to the door instead.");
        // The browser logs each refusal and the cut network; nothing else may go wrong.
        Assert.DoesNotContain(phone.Problems, p => !p.Contains("status of 403", StringComparison.Ordinal) && !p.Contains("ERR_INTERNET_DISCONNECTED", StringComparison.Ordinal));
    }

    [Fact]
    public async Task NoKey_APastedActivationLink_ActivatesThisPhone()
    {
        // As on iOS, where a Home Screen app does not share Safari's storage and links open in Safari.
        await using var phone = await app.OpenAsync(390, 844);
        var page = phone.Page;
        var server = await FakeServer.RouteAsync(page);
        await page.GotoAsync("/app/");

        await page.GetByLabel("Activation link").FillAsync("https://gatehouse.example.com/app/activate");
        await page.GetByRole(AriaRole.Button, new() { Name = "Continue" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Alert)).ToContainTextAsync("Paste the whole activation link");
        await page.GetByLabel("Activation link").FillAsync("https://gatehouse.example.com/app/activate#Pasted%20code");
        await page.GetByRole(AriaRole.Button, new() { Name = "Continue" }).ClickAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Activate" }).ClickAsync();

        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Hello Ana" })).ToBeVisibleAsync();
        Assert.Equal("Pasted code", server.Activation!["code"]!.GetValue<string>());
        phone.AssertNoProblems();
    }

    [Fact]
    public async Task DoorCode_WithNoNetwork_IsAQrOfATokenTheDoorAcceptsSignedByTheActivatedKey()
    {
        await using var phone = await app.OpenAsync(390, 844);
        var page = phone.Page;
        var server = await FakeServer.RouteAsync(page);
        var key = await ActivateAsync(phone, server);
        await WaitForWorkerAsync(page);

        await page.Context.SetOfflineAsync(true);
        await page.ReloadAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Show to the door" }).ClickAsync();
        var canvas = page.GetByRole(AriaRole.Img, new() { Name = "Your door code" });
        await Expect(canvas).ToBeVisibleAsync();
        var box = (await canvas.BoundingBoxAsync())!;
        Assert.True(box.Width >= 300, $"The code is {box.Width:0} px wide on a 390 px screen.");
        await phone.ScreenshotAsync("mobile-app-door-code");

        var text = Decode(await canvas.ScreenshotAsync());
        Assert.True(MobileToken.TryRead(text, out var token, out var ours), $"Not a door token: {text}");
        Assert.True(ours);
        Assert.Equal(CredentialId, token.CredentialId);
        Assert.Equal(OrganizationId, token.OrganizationId);
        Assert.Equal(TimeSpan.FromSeconds(30), token.ExpiresAt - token.IssuedAt);
        Assert.True(token.IsSignedBy(key), "The token is not signed by the key the phone activated with.");
        await page.Context.SetOfflineAsync(false);
        phone.AssertNoProblems();
    }

    [Fact]
    public async Task DoorCode_WithoutTheQrEncoder_SaysItIsUnavailable()
    {
        await using var phone = await app.OpenAsync(390, 844);
        var page = phone.Page;
        // As on a server built without npm: the encoder is not there (for the page and its worker alike).
        await page.Context.RouteAsync("**/app/vendor/qrcode.mjs", route => route.FulfillAsync(new() { Status = 404 }));
        var server = await FakeServer.RouteAsync(page);
        await ActivateAsync(phone, server);

        await page.GetByRole(AriaRole.Button, new() { Name = "Show to the door" }).ClickAsync();

        await Expect(page.Locator("[data-qr-caption]")).ToHaveTextAsync(new System.Text.RegularExpressions.Regex("^The door code is unavailable"));
        await Expect(page.GetByRole(AriaRole.Img, new() { Name = "Your door code" })).ToBeHiddenAsync();
    }

    [Fact]
    public async Task DeletedCredential_SaysSo_AndForgettingTheKeyLeavesAPhoneWithNoKey()
    {
        await using var phone = await app.OpenAsync(390, 844);
        var page = phone.Page;
        var server = await FakeServer.RouteAsync(page);
        await ActivateAsync(phone, server);

        server.Gone = true;
        await page.ReloadAsync();
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "This phone's key was removed" })).ToBeVisibleAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Forget this phone's key" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "This phone is not set up" })).ToBeVisibleAsync();

        await page.ReloadAsync();
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "This phone is not set up" })).ToBeVisibleAsync();
        Assert.DoesNotContain(phone.Problems, p => !p.Contains("status of 404", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Worker_KeepsTheAppsFiles_AndNoApiAnswer()
    {
        await using var phone = await app.OpenAsync(390, 844);
        var page = phone.Page;
        var server = await FakeServer.RouteAsync(page);
        await ActivateAsync(phone, server);
        await WaitForWorkerAsync(page);
        await page.ReloadAsync();
        await Expect(page.Locator("[data-doors] li")).ToHaveCountAsync(2);

        var kept = await page.EvaluateAsync<string[]>(
            "async () => (await Promise.all((await caches.keys()).map(async n => (await (await caches.open(n)).keys()).map(r => new URL(r.url).pathname)))).flat()");
        Assert.Contains("/app/", kept);
        Assert.Contains("/app/vendor/qrcode.mjs", kept);
        Assert.DoesNotContain(kept, path => path.StartsWith("/api/", StringComparison.Ordinal));
    }

    // Activates through the page with the name "Ana's phone"; returns the public key the phone sent.
    private static async Task<byte[]> ActivateAsync(BrowserSession phone, FakeServer server)
    {
        var page = phone.Page;
        await page.GotoAsync("/app/activate#Tapped%20link");
        var name = page.GetByLabel("Name this phone");
        await Expect(name).Not.ToHaveValueAsync("");
        await phone.ScreenshotAsync("mobile-app-activate");
        await name.FillAsync("Ana's phone");
        await page.GetByRole(AriaRole.Button, new() { Name = "Activate" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Hello Ana" })).ToBeVisibleAsync();
        var jwk = server.Activation!["publicKey"]!;
        Assert.True(MobileKeys.TryFromJwk((string?)jwk["kty"], (string?)jwk["crv"], (string?)jwk["x"], (string?)jwk["y"], out var key, out var error), error);
        return key;
    }

    private static async Task WaitForWorkerAsync(IPage page)
    {
        await page.EvaluateAsync("() => navigator.serviceWorker.ready");
        await page.WaitForFunctionAsync("() => navigator.serviceWorker.controller !== null");
    }

    private static string Decode(byte[] png)
    {
        using var bitmap = SKBitmap.Decode(png);
        var gray = new byte[bitmap.Width * bitmap.Height];
        var pixels = bitmap.Pixels;
        for (var i = 0; i < gray.Length; i++)
        {
            gray[i] = (byte)((pixels[i].Red + (2 * pixels[i].Green) + pixels[i].Blue) / 4);
        }

        var reader = new BarcodeReaderGeneric { Options = { PossibleFormats = [BarcodeFormat.QR_CODE], TryHarder = true } };
        var result = reader.Decode(new RGBLuminanceSource(gray, bitmap.Width, bitmap.Height, RGBLuminanceSource.BitmapFormat.Gray8));
        Assert.True(result is not null, "The screenshot of the door code does not decode as a QR code.");
        return result.Text;
    }

    /// <summary>
    /// The contract's answers of the public mobile endpoints, played by routes in the page: what the app sent is kept
    /// for the test to check. The real endpoints' own tests drive the app against the server.
    /// </summary>
    private sealed class FakeServer
    {
        private int _challenges;

        public JsonNode? Activation { get; private set; }

        public JsonNode? Doors { get; private set; }

        public JsonNode? Unlock { get; private set; }

        public (int Status, object Body) UnlockAnswer { get; set; } = (200, new { unlocked = true });

        public bool Offline { get; set; }

        public bool Gone { get; set; }

        public static async Task<FakeServer> RouteAsync(IPage page)
        {
            var server = new FakeServer();
            await page.RouteAsync("**/api/v1/public/mobile/**", server.AnswerAsync);
            return server;
        }

        private async Task AnswerAsync(IRoute route)
        {
            if (Offline)
            {
                await route.AbortAsync("internetdisconnected");
                return;
            }

            var path = new Uri(route.Request.Url).AbsolutePath;
            var body = route.Request.PostData is { Length: > 0 } data ? JsonNode.Parse(data) : null;
            var credential = $"/api/v1/public/mobile/{CredentialId}";
            (int, object) answer = path switch
            {
                "/api/v1/public/mobile/activate" => Keep(() => Activation = body, (200, new { credentialId = CredentialId, organizationId = OrganizationId, organizationName = "Acme Offices", firstName = "Ana" })),
                _ when Gone => (404, new { status = 404 }),
                _ when path == credential + "/challenge" => (200, new { challenge = $"challenge-{Interlocked.Increment(ref _challenges)}", expiresAt = DateTimeOffset.UnixEpoch.AddYears(60) }),
                _ when path == credential + "/doors" => Keep(() => Doors = body, (200, new
                {
                    organizationName = "Acme Offices",
                    firstName = "Ana",
                    lastName = "Lima",
                    status = "active",
                    doors = new object[]
                    {
                        new { id = BackDoor, name = "Back door", siteName = "London office", timeZone = "Europe/London", openNow = false, nextOpenAt = "2030-01-07T08:00:00Z" },
                        new { id = FrontDoor, name = "Front door", siteName = "London office", timeZone = "Europe/London", openNow = true },
                    },
                })),
                _ when path == credential + "/unlock" => Keep(() => Unlock = body, UnlockAnswer),
                _ => (404, new { status = 404 }),
            };
            await route.FulfillAsync(new() { Status = answer.Item1, ContentType = "application/json", Body = JsonSerializer.Serialize(answer.Item2) });
        }

        private static (int, object) Keep(Action keep, (int, object) answer)
        {
            keep();
            return answer;
        }
    }
}
