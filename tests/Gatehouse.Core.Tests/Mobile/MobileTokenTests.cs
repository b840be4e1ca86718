using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using Gatehouse.Core.Decisions;
using Gatehouse.Core.Mobile;

namespace Gatehouse.Core.Tests.Mobile;

public sealed class MobileTokenTests : IDisposable
{
    private static readonly Guid Credential = Guid.Parse("0195f0a0-0000-7000-8000-0000000000c1");
    private static readonly Guid Organization = Guid.Parse("0195f0a0-0000-7000-8000-0000000000a1");
    private static readonly DateTimeOffset Now = new(2026, 3, 9, 10, 0, 0, TimeSpan.Zero);
    private static readonly TimeSpan Tolerance = TimeSpan.FromSeconds(30);
    private readonly ECDsa _phone = ECDsa.Create(ECCurve.NamedCurves.nistP256);

    public void Dispose() => _phone.Dispose();

    private string Token(DateTimeOffset? issuedAt = null, int lifetime = 30, string? jti = null) =>
        MobileToken.Create(_phone, Credential, Organization, issuedAt ?? Now, TimeSpan.FromSeconds(lifetime), jti);

    /// <summary>A token with any header and claims, signed with the phone's key.</summary>
    private string Signed(string header, string claims)
    {
        var input = Part(header) + "." + Part(claims);
        var signature = _phone.SignData(Encoding.ASCII.GetBytes(input), HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation);
        return input + "." + Base64Url.EncodeToString(signature);
    }

    private static string Part(string json) => Base64Url.EncodeToString(Encoding.UTF8.GetBytes(json));

    private static string Header(string kid = "0195f0a0-0000-7000-8000-0000000000c1", string alg = "ES256", string typ = MobileToken.Type) =>
        $$"""{"alg":"{{alg}}","typ":"{{typ}}","kid":"{{kid}}"}""";

    private static string Claims(
        string sub = "0195f0a0-0000-7000-8000-0000000000c1", string aud = "0195f0a0-0000-7000-8000-0000000000a1",
        long? iat = null, long? exp = null, string jti = "AAAAAAAAAAAAAAAAAAAAAA") =>
        $$"""{"sub":"{{sub}}","aud":"{{aud}}","iat":{{iat ?? Now.ToUnixTimeSeconds()}},"exp":{{exp ?? Now.ToUnixTimeSeconds() + 30}},"jti":"{{jti}}"}""";

    [Fact]
    public void Create_TryRead_RoundTrip()
    {
        var text = Token(jti: "0123456789abcdef_-XYZ0");

        Assert.True(MobileToken.TryRead(text, out var token, out var ours));

        Assert.True(ours);
        Assert.Equal(Credential, token.CredentialId);
        Assert.Equal(Organization, token.OrganizationId);
        Assert.Equal(Now, token.IssuedAt);
        Assert.Equal(Now.AddSeconds(30), token.ExpiresAt);
        Assert.Equal("0123456789abcdef_-XYZ0", token.Jti);
        Assert.True(token.IsSignedBy(MobileKeys.Export(_phone)));
    }

    [Fact]
    public void Create_DefaultJti_IsRandomAndLongEnough()
    {
        Assert.True(MobileToken.TryRead(Token(), out var first, out _));
        Assert.True(MobileToken.TryRead(Token(), out var second, out _));

        Assert.NotEqual(first.Jti, second.Jti);
        Assert.True(Base64Url.DecodeFromChars(first.Jti).Length >= 12);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("hello world")]
    [InlineData("https://example.com/menu?table=4")]
    [InlineData("WIFI:S:Office;T:WPA;P:secret;;")]
    [InlineData("a.b.c")]
    [InlineData("eyJhbGciOiJIUzI1NiJ9.e30")]
    public void TryRead_TextThatIsNotOurs_IsNotOurs(string? text)
    {
        Assert.False(MobileToken.TryRead(text, out var token, out var ours));

        Assert.Null(token);
        Assert.False(ours);
    }

    [Fact]
    public void TryRead_JwtOfAnotherType_IsNotOurs()
    {
        var jwt = Signed("""{"alg":"ES256","typ":"JWT","kid":"0195f0a0-0000-7000-8000-0000000000c1"}""", Claims());
        var untyped = Signed("""{"alg":"ES256"}""", Claims());

        Assert.False(MobileToken.TryRead(jwt, out _, out var ours));
        Assert.False(ours);
        Assert.False(MobileToken.TryRead(untyped, out _, out ours));
        Assert.False(ours);
    }

    [Fact]
    public void TryRead_TooLong_IsNotOurs()
    {
        var text = Token() + new string('A', MobileToken.MaxLength);

        Assert.False(MobileToken.TryRead(text, out _, out var ours));
        Assert.False(ours);
    }

    public static TheoryData<string, string> Malformed => new()
    {
        { "alg none", Part(Header(alg: "none")) + "." + Part(Claims()) + "." },
        { "alg HS256", "HS256" },
        { "kid not a GUID", "kid" },
        { "claims not base64url", Part(Header()) + ".!!!." + Part("x") },
        { "claims not JSON", Part(Header()) + "." + Part("not json") + "." + Base64Url.EncodeToString(new byte[64]) },
        { "short signature", Part(Header()) + "." + Part(Claims()) + "." + Base64Url.EncodeToString(new byte[63]) },
        { "no sub", "no sub" },
        { "no aud", "no aud" },
        { "no exp", "no exp" },
        { "no jti", "no jti" },
        { "sub not kid", "sub not kid" },
        { "exp - iat > 60", "long" },
        { "exp before iat", "backwards" },
        { "short jti", "short jti" },
        { "jti not base64url", "jti chars" },
        { "iat as text", "iat text" },
    };

    [Theory]
    [MemberData(nameof(Malformed))]
    public void TryRead_OursButMalformed_IsOursAndRefused(string name, string text)
    {
        var now = Now.ToUnixTimeSeconds();
        text = text switch
        {
            "HS256" => Signed(Header(alg: "HS256"), Claims()),
            "kid" => Signed(Header(kid: "phone-1"), Claims()),
            "no sub" => Signed(Header(), $$"""{"aud":"{{Organization}}","iat":{{now}},"exp":{{now + 30}},"jti":"AAAAAAAAAAAAAAAAAAAAAA"}"""),
            "no aud" => Signed(Header(), $$"""{"sub":"{{Credential}}","iat":{{now}},"exp":{{now + 30}},"jti":"AAAAAAAAAAAAAAAAAAAAAA"}"""),
            "no exp" => Signed(Header(), $$"""{"sub":"{{Credential}}","aud":"{{Organization}}","iat":{{now}},"jti":"AAAAAAAAAAAAAAAAAAAAAA"}"""),
            "no jti" => Signed(Header(), $$"""{"sub":"{{Credential}}","aud":"{{Organization}}","iat":{{now}},"exp":{{now + 30}}}"""),
            "sub not kid" => Signed(Header(), Claims(sub: Guid.NewGuid().ToString())),
            "long" => Signed(Header(), Claims(exp: now + 61)),
            "backwards" => Signed(Header(), Claims(exp: now - 1)),
            "short jti" => Signed(Header(), Claims(jti: "AAAAAAAAAAAAAAA")),
            "jti chars" => Signed(Header(), Claims(jti: "AAAAAAAAAAAAAAAAAAAA+/")),
            "iat text" => Signed(Header(), Claims().Replace($"\"iat\":{now}", $"\"iat\":\"{now}\"", StringComparison.Ordinal)),
            _ => text,
        };

        Assert.False(MobileToken.TryRead(text, out var token, out var ours), name);

        Assert.Null(token);
        Assert.True(ours, name);
    }

    [Fact]
    public void TryRead_SixtySecondLifetime_IsAccepted()
    {
        Assert.True(MobileToken.TryRead(Token(lifetime: 60), out _, out _));
    }

    [Fact]
    public void TryRead_WhitespaceOrPaddingInsideThePartsOfAValidToken_IsRefused()
    {
        var text = Token();
        var lastDot = text.LastIndexOf('.');
        var spaced = text[..(lastDot + 5)] + " " + text[(lastDot + 5)..];
        var wrapped = text[..(lastDot + 5)] + "\n" + text[(lastDot + 5)..];
        var padded = text + "==";

        Assert.False(MobileToken.TryRead(spaced, out _, out var ours));
        Assert.True(ours);
        Assert.False(MobileToken.TryRead(wrapped, out _, out _));
        Assert.False(MobileToken.TryRead(padded, out _, out _));
    }

    [Fact]
    public void IsSignedBy_AnotherKey_IsFalse()
    {
        using var other = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        Assert.True(MobileToken.TryRead(Token(), out var token, out _));

        Assert.False(token.IsSignedBy(MobileKeys.Export(other)));
        Assert.False(token.IsSignedBy(new byte[65]));
    }

    [Fact]
    public void IsSignedBy_ClaimsChangedAfterSigning_IsFalse()
    {
        var parts = Token().Split('.');
        var forged = parts[0] + "." + Part(Claims(aud: Guid.NewGuid().ToString())) + "." + parts[2];

        Assert.True(MobileToken.TryRead(forged, out var token, out _));
        Assert.False(token.IsSignedBy(MobileKeys.Export(_phone)));
    }

    [Fact]
    public void IsSignedBy_TokenSignedByAnotherPhoneForThisCredential_IsFalse()
    {
        using var thief = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var text = MobileToken.Create(thief, Credential, Organization, Now, TimeSpan.FromSeconds(30));

        Assert.True(MobileToken.TryRead(text, out var token, out _));
        Assert.False(token.IsSignedBy(MobileKeys.Export(_phone)));
    }

    [Theory]
    [InlineData(0, 30, AccessReason.Granted)]
    [InlineData(-50, 30, AccessReason.Granted)]        // expired 20 s ago: the door's clock may be fast
    [InlineData(-60, 30, AccessReason.TokenExpired)]   // expired exactly the tolerance ago
    [InlineData(-61, 30, AccessReason.TokenExpired)]
    [InlineData(-120, 60, AccessReason.TokenExpired)]
    [InlineData(30, 30, AccessReason.Granted)]         // issued 30 s ahead: the phone's clock is fast, inside the tolerance
    [InlineData(31, 30, AccessReason.TokenNotYetValid)]
    [InlineData(3600, 30, AccessReason.TokenNotYetValid)]
    public void CheckTime_AgainstTheDoorsClock_WithTolerance(int issuedOffsetSeconds, int lifetime, AccessReason expected)
    {
        Assert.True(MobileToken.TryRead(Token(Now.AddSeconds(issuedOffsetSeconds), lifetime), out var token, out _));

        Assert.Equal(expected, token.CheckTime(Now, Tolerance));
    }

    [Fact]
    public void CheckTime_WithoutTolerance_ExpiresAtExp()
    {
        Assert.True(MobileToken.TryRead(Token(Now.AddSeconds(-30), 30), out var token, out _));

        Assert.Equal(AccessReason.TokenExpired, token.CheckTime(Now, TimeSpan.Zero));
        Assert.Equal(AccessReason.Granted, token.CheckTime(Now.AddSeconds(-1), TimeSpan.Zero));
    }
}
