using System.Text.RegularExpressions;
using Gatehouse.Server.Tests.Features;
using Gatehouse.Server.Tests.Features.Faces;
using Gatehouse.Server.Tests.Infrastructure;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Gatehouse.Server.Tests.Browser;

/// <summary>The console with the face models of the tests and email sent to a test SMTP server.</summary>
public sealed class FaceConsoleApp : ConsoleApp.WithSmtp
{
    protected override void ConfigureTestServices(IWebHostBuilder builder)
    {
        base.ConfigureTestServices(builder);
        builder.UseSetting("Gatehouse:Face:ModelDirectory", FaceAssets.ModelDirectory);
    }
}

/// <summary>
/// Enrolling a face from the console's webcam page and from a selfie invitation on a phone, with Chromium's fake
/// camera showing a real photo (a frontal portrait, or a photo with no face in it).
/// </summary>
[Trait("Category", "Browser")]
public sealed partial class FaceTests(FaceConsoleApp app) : IClassFixture<FaceConsoleApp>
{
    private const string Failed = "We were unable to process the photo. Please try again.";

    private static string Portrait => FakeCamera.Video(FaceAssets.Photo("cage.jpg"), "cage");

    private static string NoFace => FakeCamera.Video(FaceAssets.Photo("ironman.jpg"), "ironman");

    [Theory]
    [InlineData(1366, 900)]
    [InlineData(390, 844)]
    public async Task Webcam_TakePhotoWithConsent_ShowsDoneWithTheMetricsAndTheFaceOnTheUsersPage(int width, int height)
    {
        var org = await app.NewOrganizationAsync();
        var user = await org.Owner.CreateAsync("/api/v1/users", new { firstName = "Ana", lastName = "Lima" });
        await using var browser = await app.SignInAsync(org, width, height, Portrait);
        var page = browser.Page;

        await page.GotoAsync($"/users/{user.Id()}");
        var panel = page.Locator(".face-panel");
        await Expect(panel).ToContainTextAsync("Ana has no face enrolled yet");
        await panel.GetByRole(AriaRole.Link, new() { Name = "Add" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Heading, new() { Level = 1 })).ToHaveTextAsync("Add a face");
        await Expect(page.Locator("[data-notice]")).ToContainTextAsync("face template");
        var take = page.GetByRole(AriaRole.Button, new() { Name = "Take Photo" });
        await Expect(take).ToBeEnabledAsync();
        await page.GetByLabel("The person has read this notice and consents").CheckAsync();
        await browser.ScreenshotAsync($"face-capture-{width}");

        await take.ClickAsync();
        var done = page.Locator("[data-face-done]");
        await Expect(done).ToContainTextAsync("Done");
        await Expect(done.Locator("[data-face-metrics]")).ToContainTextAsync("Faces found1");
        await Expect(done.Locator("img.face-thumb")).ToBeVisibleAsync();
        Assert.True(await done.Locator("img.face-thumb").EvaluateAsync<bool>("i => i.complete && i.naturalWidth > 0"), "The thumbnail did not load.");
        await browser.ScreenshotAsync($"face-capture-done-{width}");

        await done.GetByRole(AriaRole.Link, new() { Name = "Back to Ana" }).ClickAsync();
        var row = page.Locator(".face-panel tbody tr");
        await Expect(row).ToHaveCountAsync(1);
        await Expect(row).ToContainTextAsync("Active");
        await Expect(row.Locator("[data-face-quality]")).ToContainTextAsync("Face");
        await row.ScrollIntoViewIfNeededAsync();
        await browser.ScreenshotAsync($"user-face-panel-{width}");
        Assert.Equal(0, await page.EvaluateAsync<int>("document.documentElement.scrollWidth - document.documentElement.clientWidth"));

        var face = Assert.Single((await org.Owner.GetJsonAsync($"/api/v1/users/{user.Id()}/credentials")).GetProperty("items").EnumerateArray());
        Assert.Equal("face", face.Str("type"));
        browser.AssertNoProblems();
    }

    [Fact]
    public async Task Webcam_PhotoWithoutAFace_SaysItWasUnableAndWhatToChange_EnrollsNothing()
    {
        var org = await app.NewOrganizationAsync();
        var user = await org.Owner.CreateAsync("/api/v1/users", new { firstName = "Ana", lastName = "Lima" });
        await using var browser = await app.SignInAsync(org, camera: NoFace);
        var page = browser.Page;

        await page.GotoAsync($"/users/{user.Id()}/faces/new");
        await page.GetByLabel("The person has read this notice and consents").CheckAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Take Photo" }).ClickAsync();

        var rejected = page.Locator("[data-face-rejected]");
        await Expect(rejected).ToContainTextAsync(Failed);
        await Expect(rejected).ToContainTextAsync(new Regex("face", RegexOptions.IgnoreCase));
        await Expect(page.Locator("[data-face-metrics]")).ToContainTextAsync("Faces found0");
        await browser.ScreenshotAsync("face-capture-rejected");
        Assert.Equal(0, await org.Owner.TotalAsync($"/api/v1/users/{user.Id()}/credentials"));
        browser.AssertNoProblems();
    }

    [Fact]
    public async Task Webcam_WithoutConsent_SaysConsentIsNeededAtTheTick_EnrollsNothing()
    {
        var org = await app.NewOrganizationAsync();
        var user = await org.Owner.CreateAsync("/api/v1/users", new { firstName = "Ana", lastName = "Lima" });
        await using var browser = await app.SignInAsync(org, camera: Portrait);
        var page = browser.Page;

        await page.GotoAsync($"/users/{user.Id()}/faces/new");
        await page.GetByRole(AriaRole.Button, new() { Name = "Take Photo" }).ClickAsync();

        await Expect(page.Locator("#consent-error")).ToContainTextAsync(new Regex("consent", RegexOptions.IgnoreCase));
        await Expect(page.GetByLabel("The person has read this notice and consents")).Not.ToBeCheckedAsync();
        await Expect(page.Locator("[data-face-done]")).ToHaveCountAsync(0);
        Assert.Equal(0, await org.Owner.TotalAsync($"/api/v1/users/{user.Id()}/credentials"));
        browser.AssertNoProblems();
    }

    [Fact]
    public async Task SelfieInvitation_FromTheEmail_OnAPhone_EnrollsAndTheConsoleShowsItCompleted()
    {
        var org = await app.NewOrganizationAsync();
        var email = $"ana-{Guid.NewGuid():N}@example.com";
        var user = await org.Owner.CreateAsync("/api/v1/users", new { firstName = "Ana", lastName = "Lima", email });
        await using var admin = await app.SignInAsync(org, 1366, 900);
        var console = admin.Page;

        await console.GotoAsync($"/users/{user.Id()}");
        await console.Locator(".face-panel").GetByRole(AriaRole.Link, new() { Name = "Selfie Enroll Invitation" }).ClickAsync();
        await console.GetByRole(AriaRole.Link, new() { Name = "Selfie Enrollment Invitation" }).ClickAsync();
        var form = console.Locator("#new-invitation");
        await Expect(form).ToBeVisibleAsync();
        await Expect(form.GetByLabel("Email")).ToBeCheckedAsync();
        await admin.ScreenshotAsync("face-invitation-form-1366");
        await form.GetByRole(AriaRole.Button, new() { Name = "Send" }).ClickAsync();
        await Expect(console.GetByRole(AriaRole.Status)).ToContainTextAsync("Selfie enrollment invitation sent to Ana by email.");
        var row = console.Locator("[data-invitations] tbody tr");
        await Expect(row).ToHaveCountAsync(1);
        await Expect(row.Locator("[data-invitation-status]")).ToContainTextAsync("Sent");
        await admin.ScreenshotAsync("face-invitations-1366");

        var link = await LinkToAsync(email);
        await using var phone = await app.OpenAsync(390, 844, Portrait);
        var selfie = phone.Page;
        await selfie.GotoAsync(new Uri(link).PathAndQuery);
        await Expect(selfie.GetByRole(AriaRole.Heading, new() { Level = 1 })).ToHaveTextAsync("Hello Ana");
        await Expect(selfie.Locator("[data-notice]")).ToContainTextAsync("face template");
        var take = selfie.GetByRole(AriaRole.Button, new() { Name = "Take Photo" });
        await Expect(take).ToBeEnabledAsync();
        await phone.ScreenshotAsync("selfie-page-390");
        Assert.Equal(0, await selfie.EvaluateAsync<int>("document.documentElement.scrollWidth - document.documentElement.clientWidth"));

        await selfie.GetByLabel("I have read this notice and consent to my face being enrolled.").CheckAsync();
        await take.ClickAsync();
        await Expect(selfie.Locator("[data-result]")).ToContainTextAsync("Done");
        await Expect(selfie.Locator("[data-form]")).ToBeHiddenAsync();
        await phone.ScreenshotAsync("selfie-done-390");
        phone.AssertNoProblems();

        await console.ReloadAsync();
        await Expect(row.Locator("[data-invitation-status]")).ToContainTextAsync("Completed");
        await console.GotoAsync($"/users/{user.Id()}");
        await Expect(console.Locator(".face-panel tbody tr")).ToHaveCountAsync(1);

        // The link is used up: opened again, it says so and offers no camera.
        await selfie.ReloadAsync();
        await Expect(selfie.Locator("[data-banner]")).ToContainTextAsync("already enrolled");
        await Expect(selfie.GetByRole(AriaRole.Button, new() { Name = "Take Photo" })).ToBeHiddenAsync();
        admin.AssertNoProblems();
    }

    [Fact]
    public async Task SelfiePage_NoConsentThenAPhotoWithoutAFace_SaysEachInPlainWords_EnrollsNothing()
    {
        var org = await app.NewOrganizationAsync();
        var email = $"ana-{Guid.NewGuid():N}@example.com";
        var user = await org.Owner.CreateAsync("/api/v1/users", new { firstName = "Ana", lastName = "Lima", email });
        await org.Owner.CreateAsync($"/api/v1/users/{user.Id()}/credentials/faces/invitations",
            new { sendEmail = true, expiresAt = app.Clock.GetUtcNow().AddDays(1) });
        var link = await LinkToAsync(email);
        await using var phone = await app.OpenAsync(390, 844, NoFace);
        var selfie = phone.Page;
        await selfie.GotoAsync(new Uri(link).PathAndQuery);
        var take = selfie.GetByRole(AriaRole.Button, new() { Name = "Take Photo" });
        await Expect(take).ToBeEnabledAsync();

        await take.ClickAsync();
        var result = selfie.Locator("[data-result]");
        await Expect(result).ToContainTextAsync("Please tick the box to consent first.");
        await phone.ScreenshotAsync("selfie-no-consent-390");

        await selfie.GetByLabel("I have read this notice and consent to my face being enrolled.").CheckAsync();
        await take.ClickAsync();
        await Expect(result).ToContainTextAsync(Failed);
        await Expect(result.Locator("[data-result-detail]")).Not.ToBeEmptyAsync();
        await Expect(take).ToBeEnabledAsync();
        await phone.ScreenshotAsync("selfie-rejected-390");
        Assert.Equal(0, await org.Owner.TotalAsync($"/api/v1/users/{user.Id()}/credentials"));
        Assert.DoesNotContain(phone.Problems, p => !p.Contains("status of 422", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData(1366, 900)]
    [InlineData(390, 844)]
    public async Task InvitationsAndSettings_AtDeskAndPhone_ShowEveryPartOnScreen(int width, int height)
    {
        var org = await app.NewOrganizationAsync();
        var user = await org.Owner.CreateAsync("/api/v1/users", new { firstName = "Ana", lastName = "Lima", email = $"ana-{Guid.NewGuid():N}@example.com", phone = "+447700900123" });
        var invitation = await org.Owner.CreateAsync($"/api/v1/users/{user.Id()}/credentials/faces/invitations",
            new { sendEmail = true, sendText = true, expiresAt = app.Clock.GetUtcNow().AddDays(1) });
        await org.Owner.PostAsync($"/api/v1/face-invitations/{invitation.Id()}/revoke", null);
        await org.Owner.CreateAsync($"/api/v1/users/{user.Id()}/credentials/faces/invitations", new { sendEmail = true, expiresAt = app.Clock.GetUtcNow().AddDays(2) });
        await using var browser = await app.SignInAsync(org, width, height);
        var page = browser.Page;

        await page.GotoAsync($"/users/{user.Id()}/faces/invitations");
        await page.GetByRole(AriaRole.Link, new() { Name = "Selfie Enrollment Invitation" }).ClickAsync();
        await Expect(page.Locator("#new-invitation")).ToBeVisibleAsync();
        var rows = page.Locator("[data-invitations] tbody tr");
        await Expect(rows).ToHaveCountAsync(2);
        await Expect(rows.Nth(0)).ToContainTextAsync("Sent");
        await Expect(rows.Nth(1)).ToContainTextAsync("Revoked");
        await browser.ScreenshotAsync($"face-invitations-form-{width}");
        Assert.Equal(0, await page.EvaluateAsync<int>("document.documentElement.scrollWidth - document.documentElement.clientWidth"));
        foreach (var button in await rows.Nth(0).Locator(".row-actions .button").Filter(new() { Visible = true }).AllAsync())
        {
            var box = (await button.BoundingBoxAsync())!;
            Assert.True(box.X >= 0 && box.X + box.Width <= width, $"“{await button.InnerTextAsync()}” spans {box.X:0}–{box.X + box.Width:0} px on a {width} px screen.");
        }

        await page.GotoAsync("/settings/faces");
        await Expect(page.GetByLabel("Consent notice")).Not.ToBeEmptyAsync();
        await browser.ScreenshotAsync($"settings-faces-{width}");
        Assert.Equal(0, await page.EvaluateAsync<int>("document.documentElement.scrollWidth - document.documentElement.clientWidth"));
        browser.AssertNoProblems();
    }

    [Fact]
    public async Task FacePanel_SamePersonEnrolledAsTwoUsers_WarnsWhomItResemblesWithALink()
    {
        var org = await app.NewOrganizationAsync();
        var first = await org.Owner.CreateAsync("/api/v1/users", new { firstName = "Nick", lastName = "Cole" });
        var second = await org.Owner.CreateAsync("/api/v1/users", new { firstName = "Nicolas", lastName = "Kim" });
        await org.Owner.EnrolledAsync(first.Id(), "cage.jpg");
        await org.Owner.EnrolledAsync(second.Id(), "cage2_crop.jpg");
        await using var browser = await app.SignInAsync(org);
        var page = browser.Page;

        await page.GotoAsync($"/users/{second.Id()}");
        var warning = page.Locator(".face-panel [data-face-resembles]");
        await Expect(warning).ToContainTextAsync("Resembles Nick Cole");
        await browser.ScreenshotAsync("user-face-resembles");
        await warning.GetByRole(AriaRole.Link, new() { Name = "Nick Cole" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Heading, new() { Level = 1 })).ToHaveTextAsync("Nick Cole");
        browser.AssertNoProblems();
    }

    [Fact]
    public async Task SelfiePage_UnknownLink_SaysItOpensNoInvitation()
    {
        await using var phone = await app.OpenAsync(390, 844);
        await phone.Page.GotoAsync("/s/not-a-real-token-at-all");
        await Expect(phone.Page.GetByRole(AriaRole.Heading, new() { Level = 1 })).ToHaveTextAsync("Invitation not found");
        await Expect(phone.Page.Locator("[data-banner]")).ToContainTextAsync("does not open any invitation");
        await Expect(phone.Page.Locator("[data-form]")).ToBeHiddenAsync();
    }

    [Fact]
    public async Task FaceSettings_NewNotice_IsANewVersionAndTheCapturePageShowsIt()
    {
        var org = await app.NewOrganizationAsync();
        var user = await org.Owner.CreateAsync("/api/v1/users", new { firstName = "Ana", lastName = "Lima" });
        await using var browser = await app.SignInAsync(org);
        var page = browser.Page;

        await browser.MenuAsync("Settings");
        await page.Locator("section", new() { Has = page.Locator("#faces-settings-title") }).GetByRole(AriaRole.Link, new() { Name = "Edit" }).ClickAsync();
        await page.GetByLabel("Consent notice").FillAsync("Acme keeps a template of your face to open its doors. Ask HR to delete it at any time.");
        await page.GetByRole(AriaRole.Button, new() { Name = "Save" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Status)).ToContainTextAsync("the consent notice is now version");
        await browser.ScreenshotAsync("settings-faces");

        await page.GotoAsync($"/users/{user.Id()}/faces/new");
        await Expect(page.Locator("[data-notice]")).ToHaveTextAsync("Acme keeps a template of your face to open its doors. Ask HR to delete it at any time.");
        browser.AssertNoProblems();
    }

    private async Task<string> LinkToAsync(string email)
    {
        var message = await TestDevice.WaitForAsync(() => app.Smtp.Received.FirstOrDefault(m => m.To.Mailboxes.Any(t => t.Address == email)), "the invitation's email");
        return SelfieLink().Match(message.TextBody ?? "").Value is { Length: > 0 } link ? link : throw new InvalidOperationException("The email has no /s/ link.");
    }

    [GeneratedRegex(@"https?://\S+/s/[A-Za-z0-9_\-]+")]
    private static partial Regex SelfieLink();
}

/// <summary>The console of a server whose model directory is empty.</summary>
public sealed class FaceOffConsoleApp : ConsoleApp
{
    private readonly string _emptyModels = Directory.CreateTempSubdirectory("gatehouse-no-models-").FullName;

    protected override void ConfigureTestServices(IWebHostBuilder builder)
    {
        base.ConfigureTestServices(builder);
        builder.UseSetting("Gatehouse:Face:ModelDirectory", _emptyModels);
    }

    protected override void Dispose(bool disposing)
    {
        base.Dispose(disposing);
        // The factory may be disposed twice (synchronously and asynchronously); the folder goes once.
        if (disposing && Directory.Exists(_emptyModels))
        {
            Directory.Delete(_emptyModels, recursive: true);
        }
    }
}

/// <summary>The face panel of a server without face models says why instead of offering to enroll.</summary>
[Trait("Category", "Browser")]
public sealed class FaceOffTests(FaceOffConsoleApp app) : IClassFixture<FaceOffConsoleApp>
{
    [Fact]
    public async Task FacePanel_WithoutModels_SaysFaceFeaturesAreOffAndOffersNoAdd()
    {
        var org = await app.NewOrganizationAsync();
        var user = await org.Owner.CreateAsync("/api/v1/users", new { firstName = "Ana", lastName = "Lima" });
        await using var browser = await app.SignInAsync(org);
        var page = browser.Page;

        await page.GotoAsync($"/users/{user.Id()}");
        var panel = page.Locator(".face-panel");
        await Expect(panel.Locator("[data-faces-off]")).ToContainTextAsync("Face features are off");
        await Expect(panel.GetByRole(AriaRole.Link, new() { Name = "Add" })).ToHaveCountAsync(0);
        await Expect(panel.GetByRole(AriaRole.Link, new() { Name = "Selfie Enroll Invitation" })).ToHaveCountAsync(0);
        browser.AssertNoProblems();
    }
}
