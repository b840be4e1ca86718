using System.Buffers.Text;
using System.Security.Cryptography;
using Gatehouse.Core.Mobile;

namespace Gatehouse.Core.Tests.Mobile;

public sealed class MobileKeysTests
{
    private static (string X, string Y, byte[] Key) NewJwk()
    {
        using var ecdsa = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var q = ecdsa.ExportParameters(false).Q;
        return (Base64Url.EncodeToString(q.X), Base64Url.EncodeToString(q.Y), MobileKeys.Export(ecdsa));
    }

    [Fact]
    public void TryFromJwk_P256Key_ReadsTheUncompressedPoint()
    {
        var (x, y, expected) = NewJwk();

        Assert.True(MobileKeys.TryFromJwk("EC", "P-256", x, y, out var key, out var error));

        Assert.Null(error);
        Assert.Equal(expected, key);
        Assert.Equal(MobileKeys.Length, key.Length);
    }

    [Theory]
    [InlineData("RSA", "P-256")]
    [InlineData("EC", "P-384")]
    [InlineData("ec", "p-256")]
    [InlineData(null, "P-256")]
    [InlineData("EC", null)]
    public void TryFromJwk_OtherKeyTypeOrCurve_IsRefusedSayingWhy(string? kty, string? crv)
    {
        var (x, y, _) = NewJwk();

        Assert.False(MobileKeys.TryFromJwk(kty, crv, x, y, out var key, out var error));

        Assert.Null(key);
        Assert.Contains("P-256", error, StringComparison.Ordinal);
    }

    [Fact]
    public void TryFromJwk_CoordinateNotBase64Url_IsRefused()
    {
        var (x, y, _) = NewJwk();
        var notBase64 = "!" + x[1..];

        Assert.False(MobileKeys.TryFromJwk("EC", "P-256", notBase64, y, out _, out var error));
        Assert.Contains("base64url", error, StringComparison.Ordinal);
        Assert.False(MobileKeys.TryFromJwk("EC", "P-256", x, null, out _, out _));
    }

    [Fact]
    public void TryFromJwk_CoordinateOfTheWrongLength_IsRefused()
    {
        var (x, y, _) = NewJwk();

        Assert.False(MobileKeys.TryFromJwk("EC", "P-256", x[..^2], y, out _, out _));
        Assert.False(MobileKeys.TryFromJwk("EC", "P-256", x, Base64Url.EncodeToString(new byte[48]), out _, out _));
    }

    [Fact]
    public void TryFromJwk_PointNotOnTheCurve_IsRefused()
    {
        var (x, y, _) = NewJwk();
        var bytes = Base64Url.DecodeFromChars(y);
        bytes[^1] ^= 1;

        Assert.False(MobileKeys.TryFromJwk("EC", "P-256", x, Base64Url.EncodeToString(bytes), out var key, out var error));

        Assert.Null(key);
        Assert.Contains("not a point", error, StringComparison.Ordinal);
    }

    [Fact]
    public void ToText_TryFromText_RoundTrip()
    {
        var (_, _, key) = NewJwk();

        var text = MobileKeys.ToText(key);

        Assert.True(MobileKeys.TryFromText(text, out var read));
        Assert.Equal(key, read);
    }

    [Fact]
    public void TryFromText_AnythingElse_IsRefused()
    {
        var (_, _, key) = NewJwk();
        var offCurve = key.ToArray();
        offCurve[^1] ^= 1;
        var compressed = key.ToArray();
        compressed[0] = 0x02;

        Assert.False(MobileKeys.TryFromText(null, out _));
        Assert.False(MobileKeys.TryFromText("", out _));
        Assert.False(MobileKeys.TryFromText(MobileKeys.ToText(key)[..^1], out _));
        Assert.False(MobileKeys.TryFromText(MobileKeys.ToText(offCurve), out _));
        Assert.False(MobileKeys.TryFromText(MobileKeys.ToText(compressed), out _));
        Assert.False(MobileKeys.TryFromText(new string('*', 87), out _));
    }

    [Fact]
    public void Import_NotAPoint_Throws()
    {
        Assert.Throws<CryptographicException>(() => MobileKeys.Import(new byte[64]));
    }
}
