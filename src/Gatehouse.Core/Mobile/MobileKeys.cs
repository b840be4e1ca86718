using System.Buffers.Text;
using System.Diagnostics.CodeAnalysis;
using System.Security.Cryptography;

namespace Gatehouse.Core.Mobile;

/// <summary>
/// A phone's public key: a point on NIST P-256, kept and synced as its 65-byte uncompressed SEC1 encoding
/// (<c>0x04 ‖ x ‖ y</c>), written as base64url. The phone sends it as a JWK at activation.
/// </summary>
public static class MobileKeys
{
    /// <summary>The length of an uncompressed P-256 point.</summary>
    public const int Length = 65;

    private const int CoordinateLength = 32;

    /// <summary>
    /// Reads the public key of a JWK's members: <c>kty</c> must be <c>EC</c>, <c>crv</c> <c>P-256</c>, and <c>x</c>, <c>y</c>
    /// the base64url of 32-byte coordinates of a point on the curve. On failure <paramref name="error"/> says what is
    /// wrong, for a person.
    /// </summary>
    public static bool TryFromJwk(
        string? kty, string? crv, string? x, string? y,
        [NotNullWhen(true)] out byte[]? key, [NotNullWhen(false)] out string? error)
    {
        key = null;
        if (kty != "EC" || crv != "P-256")
        {
            error = "Must be an elliptic-curve key on P-256 (kty \"EC\", crv \"P-256\").";
            return false;
        }

        var point = new byte[Length];
        point[0] = 0x04;
        if (!TryCoordinate(x, point.AsSpan(1, CoordinateLength)) || !TryCoordinate(y, point.AsSpan(1 + CoordinateLength)))
        {
            error = "x and y must be the base64url of 32-byte coordinates.";
            return false;
        }

        if (!IsOnCurve(point))
        {
            error = "The key is not a point on P-256.";
            return false;
        }

        key = point;
        error = null;
        return true;
    }

    /// <summary>The key as stored and synced: the base64url of its 65 bytes.</summary>
    public static string ToText(ReadOnlySpan<byte> key) => Base64Url.EncodeToString(key);

    /// <summary>Reads <see cref="ToText"/>'s form; false for anything else, including a point off the curve.</summary>
    public static bool TryFromText(string? text, [NotNullWhen(true)] out byte[]? key)
    {
        key = null;
        if (text is null || text.Length != Base64Url.GetEncodedLength(Length))
        {
            return false;
        }

        var bytes = new byte[Length];
        if (!Base64UrlText.TryDecode(text, bytes, out var written) || written != Length || bytes[0] != 0x04 || !IsOnCurve(bytes))
        {
            return false;
        }

        key = bytes;
        return true;
    }

    /// <summary>An ECDSA verifier for the key (which the caller disposes).</summary>
    /// <exception cref="CryptographicException">The bytes are not a point on P-256.</exception>
    public static ECDsa Import(ReadOnlySpan<byte> key)
    {
        if (key.Length != Length || key[0] != 0x04)
        {
            throw new CryptographicException("Not an uncompressed P-256 point.");
        }

        return ECDsa.Create(new ECParameters
        {
            Curve = ECCurve.NamedCurves.nistP256,
            Q = new ECPoint { X = key.Slice(1, CoordinateLength).ToArray(), Y = key.Slice(1 + CoordinateLength).ToArray() },
        });
    }

    /// <summary>The public key of <paramref name="ecdsa"/> in <see cref="Length"/> bytes (for tests, benchmarks and simulators).</summary>
    public static byte[] Export(ECDsa ecdsa)
    {
        var q = ecdsa.ExportParameters(false).Q;
        return [0x04, .. q.X!, .. q.Y!];
    }

    private static bool TryCoordinate(string? text, Span<byte> destination) =>
        text is not null
        && text.Length == Base64Url.GetEncodedLength(CoordinateLength)
        && Base64UrlText.TryDecode(text, destination, out var written)
        && written == CoordinateLength;

    private static bool IsOnCurve(ReadOnlySpan<byte> point)
    {
        try
        {
            // Importing validates the point: the platform's crypto refuses one that is not on the curve.
            using var ecdsa = Import(point);
            return true;
        }
        catch (CryptographicException)
        {
            return false;
        }
    }
}
