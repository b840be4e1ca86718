using System.Buffers.Text;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Gatehouse.Core.Mobile;

/// <summary>What a phone proves by signing a server challenge: seeing its doors, or opening one.</summary>
public enum MobileProofPurpose
{
    /// <summary><c>doors</c>: the list of the user's doors.</summary>
    Doors = 1,

    /// <summary><c>unlock</c>: opening one door, named in the message.</summary>
    Unlock = 2,
}

/// <summary>
/// The phone's answer to a server challenge: an ECDSA P-256 / SHA-256 signature in IEEE P1363 form (r ‖ s, 64
/// bytes), base64url, over the UTF-8 bytes of <c>gatehouse:{purpose}:{credentialId}:{challenge}[:{doorId}]</c>.
/// The purpose and door are inside the signed text, so a signature for the door list cannot open a door and one
/// for a door cannot open another.
/// </summary>
public static class MobileProof
{
    /// <summary>The length of a signature in P1363 form.</summary>
    public const int SignatureLength = 64;

    /// <summary>The text the phone signs; GUIDs in their lower-case hyphenated form.</summary>
    public static string Message(MobileProofPurpose purpose, Guid credentialId, string challenge, Guid? doorId = null)
    {
        var name = purpose switch
        {
            MobileProofPurpose.Doors => "doors",
            MobileProofPurpose.Unlock => "unlock",
            _ => throw new ArgumentOutOfRangeException(nameof(purpose), purpose, "Not a proof purpose."),
        };
        return doorId is { } door
            ? string.Create(CultureInfo.InvariantCulture, $"gatehouse:{name}:{credentialId:D}:{challenge}:{door:D}")
            : string.Create(CultureInfo.InvariantCulture, $"gatehouse:{name}:{credentialId:D}:{challenge}");
    }

    /// <summary>Whether <paramref name="signature"/> (base64url, P1363) is the key's signature of <paramref name="message"/>.</summary>
    public static bool Verify(ReadOnlySpan<byte> publicKey, string message, string? signature)
    {
        Span<byte> raw = stackalloc byte[SignatureLength];
        if (signature is null
            || signature.Length != Base64Url.GetEncodedLength(SignatureLength)
            || !Base64UrlText.TryDecode(signature, raw, out var written)
            || written != SignatureLength)
        {
            return false;
        }

        try
        {
            using var key = MobileKeys.Import(publicKey);
            return key.VerifyData(Encoding.UTF8.GetBytes(message), raw, HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation);
        }
        catch (CryptographicException)
        {
            return false;
        }
    }

    /// <summary>Signs as the phone does (for tests, benchmarks and simulators; the phone's own key never leaves it).</summary>
    public static string Sign(ECDsa key, string message) =>
        Base64Url.EncodeToString(key.SignData(Encoding.UTF8.GetBytes(message), HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation));
}
