using System.Buffers.Text;
using System.Diagnostics.CodeAnalysis;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Gatehouse.Core.Decisions;

namespace Gatehouse.Core.Mobile;

/// <summary>
/// The token a phone shows a door as a QR code when there may be no network: a compact JWS signed with the phone's
/// key, header <c>{"alg":"ES256","typ":"gatehouse-door+jwt","kid":credentialId}</c>, claims
/// <c>{sub: credentialId, aud: organizationId, iat, exp, jti}</c>. A door checks it against the public key it synced
/// and its own clock, and takes each <see cref="Jti"/> once; nothing about it needs the server.
/// </summary>
public sealed class MobileToken
{
    /// <summary>The header's <c>typ</c>: what tells our tokens from any other QR code.</summary>
    public const string Type = "gatehouse-door+jwt";

    /// <summary>The longest text read as a token; ours are about 400 characters.</summary>
    public const int MaxLength = 1024;

    /// <summary>The longest a token may live (<c>exp − iat</c>), in seconds.</summary>
    public const int MaxLifetimeSeconds = 60;

    private const int MinJtiLength = 16; // 96 bits of base64url
    private const int MaxJtiLength = 64;

    private readonly byte[] _signingInput;
    private readonly byte[] _signature;

    private MobileToken(Guid credentialId, Guid organizationId, long issuedAt, long expiresAt, string jti, byte[] signingInput, byte[] signature)
    {
        CredentialId = credentialId;
        OrganizationId = organizationId;
        IssuedAt = DateTimeOffset.FromUnixTimeSeconds(issuedAt);
        ExpiresAt = DateTimeOffset.FromUnixTimeSeconds(expiresAt);
        Jti = jti;
        _signingInput = signingInput;
        _signature = signature;
    }

    /// <summary>The mobile credential (<c>kid</c> and <c>sub</c>, which must agree).</summary>
    public Guid CredentialId { get; }

    /// <summary>The organization the token is meant for (<c>aud</c>).</summary>
    public Guid OrganizationId { get; }

    /// <summary>When the phone made the token, by its clock (<c>iat</c>).</summary>
    public DateTimeOffset IssuedAt { get; }

    /// <summary>When the token stops opening doors (<c>exp</c>), at most <see cref="MaxLifetimeSeconds"/> after <see cref="IssuedAt"/>.</summary>
    public DateTimeOffset ExpiresAt { get; }

    /// <summary>The token's unique ID: a door takes each once.</summary>
    public string Jti { get; }

    /// <summary>
    /// Reads a scanned text. False with <paramref name="ours"/> false for a text that is not a token of ours at all
    /// (another QR code); false with it true for one of ours that is malformed. The signature is not checked here.
    /// </summary>
    public static bool TryRead(string? text, [NotNullWhen(true)] out MobileToken? token, out bool ours)
    {
        token = null;
        ours = false;
        if (text is null || text.Length > MaxLength)
        {
            return false;
        }

        var first = text.IndexOf('.', StringComparison.Ordinal);
        var second = first < 0 ? -1 : text.IndexOf('.', first + 1);
        if (second < 0 || text.IndexOf('.', second + 1) >= 0)
        {
            return false;
        }

        if (!TryDecode(text.AsSpan(0, first), out var headerJson) || !TryReadHeader(headerJson, out var kid, out var isOurs))
        {
            return false;
        }

        ours = isOurs;
        if (!ours || kid is null
            || !TryDecode(text.AsSpan(first + 1, second - first - 1), out var claimsJson)
            || !TryDecode(text.AsSpan(second + 1), out var signature) || signature.Length != MobileProof.SignatureLength
            || !TryReadClaims(claimsJson, out var sub, out var aud, out var iat, out var exp, out var jti)
            || sub != kid || exp <= iat || exp - iat > MaxLifetimeSeconds)
        {
            return false;
        }

        token = new MobileToken(sub.Value, aud, iat, exp, jti, Encoding.ASCII.GetBytes(text[..second]), signature);
        return true;
    }

    /// <summary>Whether the phone key <paramref name="publicKey"/> signed this token.</summary>
    public bool IsSignedBy(ReadOnlySpan<byte> publicKey)
    {
        try
        {
            using var key = MobileKeys.Import(publicKey);
            return key.VerifyData(_signingInput, _signature, HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation);
        }
        catch (CryptographicException)
        {
            return false;
        }
    }

    /// <summary>
    /// Whether the token is current at <paramref name="now"/> by a clock that may be off by
    /// <paramref name="tolerance"/> either way: <see cref="AccessReason.Granted"/>, or
    /// <see cref="AccessReason.TokenNotYetValid"/> (issued in the future) or <see cref="AccessReason.TokenExpired"/>.
    /// </summary>
    public AccessReason CheckTime(DateTimeOffset now, TimeSpan tolerance) =>
        IssuedAt > now + tolerance ? AccessReason.TokenNotYetValid
        : ExpiresAt <= now - tolerance ? AccessReason.TokenExpired
        : AccessReason.Granted;

    /// <summary>
    /// A token as a phone makes one (for tests, benchmarks and simulators; the app makes its own with WebCrypto).
    /// <paramref name="jti"/> defaults to 128 random bits.
    /// </summary>
    public static string Create(ECDsa key, Guid credentialId, Guid organizationId, DateTimeOffset issuedAt, TimeSpan lifetime, string? jti = null)
    {
        var header = JsonSerializer.SerializeToUtf8Bytes(new Dictionary<string, string>
        {
            ["alg"] = "ES256", ["typ"] = Type, ["kid"] = credentialId.ToString("D"),
        });
        var iat = issuedAt.ToUnixTimeSeconds();
        using var claims = new MemoryStream();
        using (var writer = new Utf8JsonWriter(claims))
        {
            writer.WriteStartObject();
            writer.WriteString("sub", credentialId.ToString("D"));
            writer.WriteString("aud", organizationId.ToString("D"));
            writer.WriteNumber("iat", iat);
            writer.WriteNumber("exp", iat + (long)lifetime.TotalSeconds);
            writer.WriteString("jti", jti ?? Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(16)));
            writer.WriteEndObject();
        }

        var signingInput = Base64Url.EncodeToString(header) + "." + Base64Url.EncodeToString(claims.ToArray());
        var signature = key.SignData(Encoding.ASCII.GetBytes(signingInput), HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation);
        return signingInput + "." + Base64Url.EncodeToString(signature);
    }

    private static bool TryDecode(ReadOnlySpan<char> part, out byte[] bytes)
    {
        bytes = [];
        if (part.IsEmpty)
        {
            return false;
        }

        var buffer = new byte[Base64Url.GetMaxDecodedLength(part.Length)];
        if (!Base64UrlText.TryDecode(part, buffer, out var written))
        {
            return false;
        }

        bytes = buffer.AsSpan(0, written).ToArray();
        return true;
    }

    private static bool TryReadHeader(byte[] json, out Guid? kid, out bool ours)
    {
        kid = null;
        ours = false;
        try
        {
            using var document = JsonDocument.Parse(json, new JsonDocumentOptions { MaxDepth = 2 });
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object
                || !root.TryGetProperty("typ", out var typ) || typ.ValueKind != JsonValueKind.String || typ.GetString() != Type)
            {
                return false;
            }

            ours = true;
            if (root.TryGetProperty("alg", out var alg) && alg.ValueKind == JsonValueKind.String && alg.GetString() == "ES256"
                && root.TryGetProperty("kid", out var k) && k.ValueKind == JsonValueKind.String && Guid.TryParseExact(k.GetString(), "D", out var id))
            {
                kid = id;
            }

            return true;
        }
        catch (JsonException)
        {
            return false;
        }
    }

    private static bool TryReadClaims(byte[] json, [NotNullWhen(true)] out Guid? sub, out Guid aud, out long iat, out long exp, out string jti)
    {
        sub = null;
        aud = Guid.Empty;
        iat = exp = 0;
        jti = "";
        try
        {
            using var document = JsonDocument.Parse(json, new JsonDocumentOptions { MaxDepth = 2 });
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object
                || !TryGuid(root, "sub", out var s) || !TryGuid(root, "aud", out aud)
                || !TryTime(root, "iat", out iat) || !TryTime(root, "exp", out exp)
                || !root.TryGetProperty("jti", out var j) || j.ValueKind != JsonValueKind.String)
            {
                return false;
            }

            jti = j.GetString()!;
            if (jti.Length is < MinJtiLength or > MaxJtiLength || !Base64UrlText.IsValid(jti))
            {
                return false;
            }

            sub = s;
            return true;
        }
        catch (JsonException)
        {
            return false;
        }
    }

    private static bool TryGuid(JsonElement root, string name, out Guid value)
    {
        value = Guid.Empty;
        return root.TryGetProperty(name, out var e) && e.ValueKind == JsonValueKind.String && Guid.TryParseExact(e.GetString(), "D", out value);
    }

    // Whole seconds within the years a DateTimeOffset holds.
    private static bool TryTime(JsonElement root, string name, out long value)
    {
        value = 0;
        return root.TryGetProperty(name, out var e) && e.ValueKind == JsonValueKind.Number && e.TryGetInt64(out value)
            && value is > 0 and < 253_402_300_799;
    }
}
