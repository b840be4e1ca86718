using System.Buffers.Text;
using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text.RegularExpressions;

namespace Gatehouse.DeviceLoad;

/// <summary>
/// A phone activated as the app does it: a mobile credential added for a user with an email address (its welcome
/// email queued, read from the outbox as the mailer would send it), the code after <c>#</c> in the email's link, and
/// a fresh P-256 key whose public half the app sends as a JWK.
/// </summary>
internal static partial class Phones
{
    /// <summary>Adds a mobile credential for <paramref name="userId"/> and activates it with a new key; the caller owns the key.</summary>
    public static async Task<(Guid CredentialId, ECDsa Key)> NewActivatedAsync(LoadServer server, Organization organization, Guid userId)
    {
        var credentialId = await organization.Owner.PostCreatedIdAsync($"/api/v1/users/{userId}/credentials/mobile", new { sendEmail = true, sendText = false });
        var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        try
        {
            await ActivateAsync(organization.Owner, await ActivationCodeAsync(server, organization.Id, credentialId), key);
            return (credentialId, key);
        }
        catch
        {
            key.Dispose();
            throw;
        }
    }

    /// <summary>The activation code after <c>#</c> in the link of the welcome email, as the phone's browser would open it.</summary>
    private static async Task<string> ActivationCodeAsync(LoadServer server, Guid organizationId, Guid credentialId)
    {
        var link = LinkPattern().Match(await server.EmailTextAsync(organizationId, credentialId));
        return link.Success ? link.Groups[1].Value : throw new InvalidOperationException("The welcome email has no activation link.");
    }

    /// <summary>Binds the credential to <paramref name="key"/>: its public half as the JWK the app sends.</summary>
    private static async Task ActivateAsync(HttpClient client, string code, ECDsa key)
    {
        var q = key.ExportParameters(false).Q;
        using var response = await client.PostAsJsonAsync("/api/v1/public/mobile/activate", new
        {
            code,
            publicKey = new { kty = "EC", crv = "P-256", x = Base64Url.EncodeToString(q.X), y = Base64Url.EncodeToString(q.Y) },
            deviceName = "Load phone",
        });
        await response.ExpectStatusAsync(HttpStatusCode.OK);
    }

    [GeneratedRegex(@"https?://\S+/app/activate#([A-Za-z0-9_-]{43})")]
    private static partial Regex LinkPattern();
}
