using System.Security.Cryptography;
using System.Text;

namespace Gatehouse.Server.Features.Devices;

/// <summary>
/// The two secrets of a device: the one-time claim code a person types on the device, and the MQTT
/// password the device gets in exchange. The store keeps only their SHA-256 (lowercase hex); both are
/// random enough (80 and 256 bits) that a fast hash cannot be searched.
/// </summary>
internal static class DeviceSecrets
{
    /// <summary>How long a claim code works.</summary>
    public static readonly TimeSpan ClaimCodeLifetime = TimeSpan.FromHours(24);

    // Base32 without the letters people confuse with digits (I, O) or the digits they confuse with letters (0, 1).
    private const string Alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789";
    private const int GroupLength = 4;

    // 16 symbols of 5 bits each: 80 bits.
    private const int CodeLength = 16;

    /// <summary>A new claim code such as <c>ABCD-EFGH-JKLM-NPQR</c>.</summary>
    public static string NewClaimCode()
    {
        var symbols = RandomNumberGenerator.GetItems<char>(Alphabet, CodeLength);
        var text = new StringBuilder(CodeLength + (CodeLength / GroupLength) - 1);
        for (var i = 0; i < symbols.Length; i++)
        {
            if (i > 0 && i % GroupLength == 0)
            {
                text.Append('-');
            }

            text.Append(symbols[i]);
        }

        return text.ToString();
    }

    /// <summary>
    /// The hash a claim code is stored and looked up by. Case, dashes and spaces do not matter, so a code
    /// typed as <c>abcd efgh jklm npqr</c> is the same code.
    /// </summary>
    public static string HashClaimCode(string code)
    {
        var normalized = new StringBuilder(code.Length);
        foreach (var c in code)
        {
            if (c is not ('-' or ' ' or '\t'))
            {
                normalized.Append(char.ToUpperInvariant(c));
            }
        }

        return Hash(normalized.ToString());
    }

    /// <summary>A new MQTT password: 256 random bits, base64url.</summary>
    public static string NewPassword() => Base64Url(RandomNumberGenerator.GetBytes(32));

    /// <summary>Lowercase hex SHA-256 of the UTF-8 text: how <see cref="Device.SecretHash"/> holds the password.</summary>
    public static string Hash(string secret) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(secret)));

    private static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
