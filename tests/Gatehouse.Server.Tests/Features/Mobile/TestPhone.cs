using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text.Json;
using System.Text.RegularExpressions;
using Gatehouse.Core.Mobile;
using Gatehouse.Server.Data;
using Gatehouse.Server.Features.Messaging;
using Gatehouse.Server.Tests.Features.CloudKeys;
using Gatehouse.Server.Tests.Infrastructure;
using Microsoft.AspNetCore.Hosting;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Gatehouse.Server.Tests.Features.Mobile;

/// <summary>The Cloud Key tests' server (many organizations and devices, a high public limit) with the app's limit raised too.</summary>
public class MobileApp : CloudKeysApp
{
    protected virtual int MobileRequestsPerMinute => 100_000;

    protected override void ConfigureTestServices(IWebHostBuilder builder)
    {
        base.ConfigureTestServices(builder);
        builder.UseSetting("Gatehouse:Mobile:PublicRequestsPerMinute", MobileRequestsPerMinute.ToString(System.Globalization.CultureInfo.InvariantCulture));
    }
}

/// <summary>
/// A phone as the app uses the public endpoints: its own P-256 key (the app's is made by WebCrypto and never leaves
/// it), the JWK it sends at activation, and signatures of challenges in the contract's message format.
/// </summary>
internal sealed partial class TestPhone(HttpClient client) : IDisposable
{
    public ECDsa Key { get; } = ECDsa.Create(ECCurve.NamedCurves.nistP256);

    public Guid CredentialId { get; private set; }

    public Guid OrganizationId { get; private set; }

    public object Jwk
    {
        get
        {
            var q = Key.ExportParameters(false).Q;
            return new { kty = "EC", crv = "P-256", x = System.Buffers.Text.Base64Url.EncodeToString(q.X), y = System.Buffers.Text.Base64Url.EncodeToString(q.Y) };
        }
    }

    public Task<HttpResponseMessage> ActivateAsync(string code, object? publicKey = null, string deviceName = "Pixel 8") =>
        client.PostAsJsonAsync("/api/v1/public/mobile/activate", new { code, publicKey = publicKey ?? Jwk, deviceName });

    /// <summary>Activates (200 expected) and remembers the credential.</summary>
    public async Task<JsonElement> ActivatedAsync(string code, string deviceName = "Pixel 8")
    {
        var activated = await (await ActivateAsync(code, deviceName: deviceName)).JsonAsync();
        CredentialId = activated.GetProperty("credentialId").GetGuid();
        OrganizationId = activated.GetProperty("organizationId").GetGuid();
        return activated;
    }

    public Task<HttpResponseMessage> ChallengeResponseAsync(Guid? credentialId = null) =>
        client.PostAsync($"/api/v1/public/mobile/{credentialId ?? CredentialId}/challenge", null);

    public async Task<string> ChallengeAsync() =>
        (await (await ChallengeResponseAsync()).JsonAsync()).Str("challenge")!;

    public string Sign(MobileProofPurpose purpose, string challenge, Guid? doorId = null, ECDsa? key = null) =>
        MobileProof.Sign(key ?? Key, MobileProof.Message(purpose, CredentialId, challenge, doorId));

    public async Task<HttpResponseMessage> DoorsAsync(string? challenge = null, string? signature = null)
    {
        challenge ??= await ChallengeAsync();
        return await client.PostAsJsonAsync($"/api/v1/public/mobile/{CredentialId}/doors", new { challenge, signature = signature ?? Sign(MobileProofPurpose.Doors, challenge) });
    }

    public async Task<HttpResponseMessage> UnlockAsync(string doorId, string? challenge = null, string? signature = null)
    {
        challenge ??= await ChallengeAsync();
        return await client.PostAsJsonAsync(
            $"/api/v1/public/mobile/{CredentialId}/unlock",
            new { doorId, challenge, signature = signature ?? Sign(MobileProofPurpose.Unlock, challenge, Guid.Parse(doorId)) });
    }

    public void Dispose() => Key.Dispose();
}

/// <summary>A welcome message as the user receives it.</summary>
internal sealed record Welcome(string Link, string Code, string Text, string? Html, int Images, string? Subject);

internal static partial class MobileTesting
{
    /// <summary>Adds a mobile credential (201) sent by email, or as asked.</summary>
    public static Task<JsonElement> NewMobileAsync(this HttpClient owner, string userId, bool sendEmail = true, bool sendText = false) =>
        owner.CreateAsync($"/api/v1/users/{userId}/credentials/mobile", new { sendEmail, sendText });

    /// <summary>The newest captured welcome message of the credential on the channel.</summary>
    public static async Task<Welcome> WelcomeAsync(this GatehouseApp app, string credentialId, string channel = "email")
    {
        await using var scope = app.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<GatehouseDbContext>();
        var protector = scope.ServiceProvider.GetRequiredService<OutboxContentProtector>();
        var id = Guid.Parse(credentialId);
        var message = (await db.OutboxMessages.IgnoreQueryFilters().AsNoTracking().Where(m => m.CredentialId == id).ToListAsync())
            .Where(m => m.Channel == (channel == "sms" ? MessageChannel.Sms : MessageChannel.Email))
            .OrderByDescending(m => m.CreatedAt).ThenByDescending(m => m.Id).First();
        var content = protector.Unprotect(message.ProtectedContent!);
        var link = LinkPattern().Match(content.Text);
        Assert.True(link.Success, $"No activation link in the message:\n{content.Text}");
        return new Welcome(link.Value, link.Groups[1].Value, content.Text, content.Html, content.Images?.Count ?? 0, message.Subject);
    }

    [GeneratedRegex(@"https?://\S+/app/activate#([A-Za-z0-9_-]{43})")]
    private static partial Regex LinkPattern();
}
