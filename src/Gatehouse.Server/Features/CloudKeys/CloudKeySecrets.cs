using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;

namespace Gatehouse.Server.Features.CloudKeys;

/// <summary>
/// The two secrets of a Cloud Key. The token (256 bits from the CSPRNG, base64url) is the link's last
/// segment and is stored only as its SHA-256, which finds the key; the PIN (6 digits) is stored only as an
/// HMAC keyed with the token, so someone holding a copy of the store cannot try the million PINs offline.
/// </summary>
internal static class CloudKeySecrets
{
    public const int PinLength = 6;
    private const int TokenBytes = 32;

    /// <summary>The length of a token as text: 32 bytes in unpadded base64url.</summary>
    public const int TokenLength = 43;

    public static string NewToken() => Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(TokenBytes));

    public static string NewPin() =>
        RandomNumberGenerator.GetInt32(0, 1_000_000).ToString("D6", System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>False for text that cannot be a token, which then is not even looked up.</summary>
    public static bool IsWellFormedToken(string? token) =>
        token is { Length: TokenLength } && Base64Url.IsValid(token, out var length) && length == TokenBytes;

    /// <summary>True for six ASCII digits.</summary>
    public static bool IsWellFormedPin(string? pin) =>
        pin is { Length: PinLength } && pin.All(char.IsAsciiDigit);

    public static string HashToken(string token) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(token)));

    public static string HashPin(string token, string pin) =>
        Convert.ToBase64String(HMACSHA256.HashData(Encoding.UTF8.GetBytes(token), Encoding.UTF8.GetBytes(pin)));

    /// <summary>Compares in constant time, so the time taken says nothing about how close a guess was.</summary>
    public static bool PinMatches(string token, string pin, string pinHash)
    {
        Span<byte> expected = stackalloc byte[32];
        if (!Convert.TryFromBase64String(pinHash, expected, out var written) || written != expected.Length)
        {
            return false;
        }

        var actual = HMACSHA256.HashData(Encoding.UTF8.GetBytes(token), Encoding.UTF8.GetBytes(pin));
        return CryptographicOperations.FixedTimeEquals(actual, expected);
    }
}
