using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Gatehouse.Server.Features.Messaging;
using Gatehouse.Server.Tests.Features.CloudKeys;
using Gatehouse.Server.Tests.Features.Mobile;
using Gatehouse.Server.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using MimeKit;

namespace Gatehouse.Server.Tests.Features.Messaging;

/// <summary>Messages really sent: a Cloud Key's email over SMTP and its text through Twilio, with the outbox's retries.</summary>
public sealed class MessagingTests(MailApp app) : IClassFixture<MailApp>
{
    [Fact]
    public async Task CloudKeyEmail_ArrivesOverSmtpFromTheOrganizationWithTextAndHtml_AndKeepsNoBody()
    {
        await using var scene = await KeyScene.CreateAsync(app, withDevice: false);
        var organization = (await scene.Owner.GetJsonAsync("/api/v1/organization")).Str("name");

        var key = await scene.NewKeyAsync();

        var email = await EmailAsync(organization);
        var from = Assert.Single(email.From.Mailboxes);
        Assert.Equal((organization, MailApp.From), (from.Name, from.Address));
        Assert.Equal("noor@example.com", Assert.Single(email.To.Mailboxes).Address);
        var received = CloudKeyTesting.Parse(email.TextBody!);
        Assert.Contains(received.Link, email.HtmlBody, StringComparison.Ordinal);
        Assert.Contains(received.Pin, email.HtmlBody, StringComparison.Ordinal);
        Assert.Contains($"Hello {KeyScene.FirstName}", email.TextBody, StringComparison.Ordinal);

        var message = await MessageAsync(scene, key.Id(), "email", m => m.Str("status") == "sent");
        Assert.False(message.GetProperty("captured").GetBoolean());
        Assert.True(message.IsNull("body") && message.IsNull("html"));
        Assert.Equal($"{Guid.Parse(message.Id()):N}@gatehouse.test", email.MessageId);
        await (await app.Anonymous().GetAsync($"/api/v1/public/cloud-keys/{received.Token}")).AssertStatusAsync(HttpStatusCode.OK);
    }

    [Fact]
    public async Task MobileWelcomeEmail_ArrivesOverSmtpWithItsLinkAndTheLinksQrCodeAsAnInlineImage()
    {
        await using var scene = await KeyScene.CreateAsync(app, withDevice: false);
        var organization = (await scene.Owner.GetJsonAsync("/api/v1/organization")).Str("name");

        await scene.Owner.NewMobileAsync(scene.UserId);

        MimeMessage? email = null;
        await TestDevice.WaitUntilAsync(
            () => Task.FromResult((email = app.Smtp.Received.FirstOrDefault(m => m.Subject == $"Open your doors at {organization} with your phone")) is not null),
            "the welcome email");
        var link = System.Text.RegularExpressions.Regex.Match(email!.TextBody!, @"https?://\S+/app/activate#[A-Za-z0-9_-]{43}");
        Assert.True(link.Success, email.TextBody);
        Assert.Contains(link.Value, email.HtmlBody, StringComparison.Ordinal);
        var qr = Assert.Single(email.BodyParts.OfType<MimePart>(), p => p.ContentType.MimeType == "image/png");
        Assert.Equal(Gatehouse.Server.Features.Mobile.MobileMessages.QrContentId, qr.ContentId);
        Assert.Contains($"cid:{qr.ContentId}", email.HtmlBody, StringComparison.Ordinal);
        using var png = new MemoryStream();
        await qr.Content!.DecodeToAsync(png);
        Assert.Equal(link.Value, QrText(png.ToArray()));
    }

    /// <summary>What a phone's camera would read from a QR code PNG.</summary>
    private static string? QrText(byte[] png)
    {
        using var bitmap = SkiaSharp.SKBitmap.Decode(png);
        var luminance = new byte[bitmap.Width * bitmap.Height];
        for (var y = 0; y < bitmap.Height; y++)
        {
            for (var x = 0; x < bitmap.Width; x++)
            {
                var c = bitmap.GetPixel(x, y);
                luminance[(y * bitmap.Width) + x] = (byte)((c.Red + c.Green + c.Blue) / 3);
            }
        }

        var source = new ZXing.RGBLuminanceSource(luminance, bitmap.Width, bitmap.Height, ZXing.RGBLuminanceSource.BitmapFormat.Gray8);
        return new ZXing.QrCode.QRCodeReader().decode(new ZXing.BinaryBitmap(new ZXing.Common.HybridBinarizer(source)))?.Text;
    }

    [Fact]
    public async Task CloudKeyText_GoesThroughTwilioWithTheAccountsCredentials()
    {
        await using var scene = await KeyScene.CreateAsync(app, withDevice: false);

        var key = await scene.NewKeyAsync(sendEmail: false, sendText: true);

        var message = await MessageAsync(scene, key.Id(), "sms", m => m.Str("status") == "sent");
        // The only test of the class that sends a text.
        var request = Assert.Single(app.Sms.Requests);
        Assert.Equal("+447700900123", request.Form["To"]);
        Assert.Equal($"/2010-04-01/Accounts/{MailApp.TwilioSid}/Messages.json", request.Path);
        Assert.Equal(MailApp.TwilioFrom, request.Form["From"]);
        var basic = Convert.ToBase64String(Encoding.UTF8.GetBytes($"{MailApp.TwilioSid}:{MailApp.TwilioToken}"));
        Assert.Equal($"Basic {basic}", request.Headers["Authorization"]);
        CloudKeyTesting.Parse(request.Form["Body"]);
        Assert.True(message.IsNull("body"));
    }

    [Fact]
    public async Task SmtpDownThenUp_TheEmailWaitsRetriesAndArrivesOnce()
    {
        await using var scene = await KeyScene.CreateAsync(app, withDevice: false);
        var organization = (await scene.Owner.GetJsonAsync("/api/v1/organization")).Str("name");
        await app.Smtp.StopAsync();
        string keyId;
        try
        {
            var key = await scene.NewKeyAsync();
            keyId = key.Id();

            var waiting = await MessageAsync(scene, key.Id(), "email", m => m.GetProperty("attempts").GetInt32() >= 1);
            Assert.Equal("queued", waiting.Str("status"));
            Assert.Contains("could not be reached", waiting.Str("error"), StringComparison.Ordinal);
            Assert.DoesNotContain(app.Smtp.Received, m => m.Subject == $"Your Cloud Key for {organization}");
        }
        finally
        {
            await app.Smtp.StartAsync();
        }

        app.Clock.Advance(TimeSpan.FromSeconds(10));

        await EmailAsync(organization);
        // The server records "sent" just after the SMTP server has the email: wait for that, then it is final.
        var sent = await MessageAsync(scene, keyId, "email", m => m.Str("status") == "sent");
        Assert.Single(await ListAsync(scene), m => m.Str("channel") == "email");
        Assert.Equal(2, sent.GetProperty("attempts").GetInt32());
        Assert.Single(app.Smtp.Received, m => m.Subject == $"Your Cloud Key for {organization}");
    }

    [Fact]
    public async Task MailboxRefused_TheMessageFailsAtOnceWithTheServersReason()
    {
        var org = await app.NewOrganizationAsync();
        var user = await org.Owner.CreateAsync("/api/v1/users", new { firstName = "Nobody", lastName = "Here", email = "nobody@example.com" });

        await org.Owner.CreateAsync($"/api/v1/users/{user.Id()}/credentials/cloud-keys", new { sendEmail = true, validUntil = app.Clock.GetUtcNow().AddDays(1) });

        JsonElement failed = default;
        await TestDevice.WaitUntilAsync(async () =>
        {
            failed = (await org.Owner.GetJsonAsync("/api/v1/outbox")).GetProperty("items").EnumerateArray().Single();
            return failed.Str("status") == "failed";
        }, "the message to fail");
        Assert.Contains("550", failed.Str("error"), StringComparison.Ordinal);
        Assert.Equal(1, failed.GetProperty("attempts").GetInt32());
    }

    [Fact]
    public async Task Outbox_IsForAdminsOfTheOrganizationOnly()
    {
        await using var scene = await KeyScene.CreateAsync(app, withDevice: false);
        await scene.NewKeyAsync();
        var viewer = await scene.Org.MemberAsync("viewer");
        var other = await app.NewOrganizationAsync();

        await (await viewer.GetAsync("/api/v1/outbox")).AssertStatusAsync(HttpStatusCode.Forbidden);
        Assert.Equal(0, await other.Owner.TotalAsync("/api/v1/outbox"));
        Assert.Equal(1, await scene.Owner.TotalAsync("/api/v1/outbox"));
    }

    private async Task<MimeMessage> EmailAsync(string organization)
    {
        MimeMessage? found = null;
        await TestDevice.WaitUntilAsync(
            () => Task.FromResult((found = app.Smtp.Received.FirstOrDefault(m => m.Subject == $"Your Cloud Key for {organization}")) is not null),
            $"the Cloud Key email of {organization}");
        return found!;
    }

    private static async Task<List<JsonElement>> ListAsync(KeyScene scene) =>
        [.. (await scene.Owner.GetJsonAsync("/api/v1/outbox")).GetProperty("items").EnumerateArray()];

    private static async Task<JsonElement> MessageAsync(KeyScene scene, string credentialId, string channel, Func<JsonElement, bool> until)
    {
        JsonElement message = default;
        await TestDevice.WaitUntilAsync(async () =>
        {
            var items = (await scene.Owner.GetJsonAsync($"/api/v1/outbox?credentialId={credentialId}")).GetProperty("items").EnumerateArray();
            message = items.FirstOrDefault(m => m.Str("channel") == channel);
            return message.ValueKind == JsonValueKind.Object && until(message);
        }, $"the {channel} message");
        return message;
    }
}

/// <summary>The outbox across a restart, with concurrent dispatchers, and through the webhook.</summary>
public sealed class OutboxDeliveryTests
{
    [Fact]
    public async Task Restart_WithAQueuedMessage_SendsItAfterTheRestart()
    {
        var first = new MailApp { SmtpRunning = false };
        await ((IAsyncLifetime)first).InitializeAsync();
        first.KeepStoreOnDispose = true;
        await using (var scene = await KeyScene.CreateAsync(first, withDevice: false))
        {
            await scene.NewKeyAsync();
            await TestDevice.WaitUntilAsync(async () =>
                (await scene.Owner.GetJsonAsync("/api/v1/outbox")).GetProperty("items").EnumerateArray().Single().GetProperty("attempts").GetInt32() >= 1,
                "a failed first attempt");
        }

        await ((IAsyncLifetime)first).DisposeAsync();
        await first.Smtp.StartAsync();
        var second = MailApp.RestartOf(first);
        await ((IAsyncLifetime)second).InitializeAsync();
        try
        {
            second.Clock.Advance(TimeSpan.FromSeconds(10));

            var email = Assert.Single(await second.Smtp.WaitForAsync());
            var received = CloudKeyTesting.Parse(email.TextBody!);
            var page = await second.Anonymous().GetJsonAsync($"/api/v1/public/cloud-keys/{received.Token}");
            Assert.Equal(KeyScene.FirstName, page.Str("firstName"));
            Assert.NotEmpty(page.GetProperty("doors").EnumerateArray());
        }
        finally
        {
            await ((IAsyncLifetime)second).DisposeAsync();
            await first.Smtp.DisposeAsync();
            await first.Sms.DisposeAsync();
        }
    }

    [Fact]
    public async Task ConcurrentDispatchers_SendAMessageOnce()
    {
        var app = new MailApp { DispatcherEnabled = false };
        await ((IAsyncLifetime)app).InitializeAsync();
        try
        {
            await using var scene = await KeyScene.CreateAsync(app, withDevice: false);
            await scene.NewKeyAsync();
            var dispatcher = app.Services.GetRequiredService<OutboxDispatcher>();

            await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => Task.Run(() => dispatcher.RunOnceAsync(CancellationToken.None))));

            Assert.Single(await app.Smtp.WaitForAsync());
            await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => dispatcher.RunOnceAsync(CancellationToken.None)));
            Assert.Single(app.Smtp.Received);
            var message = (await scene.Owner.GetJsonAsync("/api/v1/outbox")).GetProperty("items").EnumerateArray().Single();
            Assert.Equal(("sent", 1), (message.Str("status"), message.GetProperty("attempts").GetInt32()));
        }
        finally
        {
            await ((IAsyncLifetime)app).DisposeAsync();
        }
    }

    [Fact]
    public async Task Webhook_PostsTheTextWithAnIdempotencyKeyAndASignature()
    {
        var app = new MailApp { SmsProvider = "webhook" };
        await ((IAsyncLifetime)app).InitializeAsync();
        try
        {
            await using var scene = await KeyScene.CreateAsync(app, withDevice: false);
            await scene.NewKeyAsync(sendEmail: false, sendText: true);

            var request = await app.Sms.WaitForAsync();

            Assert.Equal("/sms", request.Path);
            var message = (await scene.Owner.GetJsonAsync("/api/v1/outbox")).GetProperty("items").EnumerateArray().Single();
            Assert.Equal(message.Id(), request.Headers["Idempotency-Key"]);
            var signature = "sha256=" + Convert.ToHexStringLower(
                HMACSHA256.HashData(Encoding.UTF8.GetBytes(MailApp.WebhookSecret), Encoding.UTF8.GetBytes(request.Body)));
            Assert.Equal(signature, request.Headers["X-Gatehouse-Signature"]);
            using var body = JsonDocument.Parse(request.Body);
            Assert.Equal("+447700900123", body.RootElement.Str("to"));
            CloudKeyTesting.Parse(body.RootElement.Str("text"));
        }
        finally
        {
            await ((IAsyncLifetime)app).DisposeAsync();
        }
    }
}
