using System.Security.Cryptography;
using System.Text;

namespace Gatehouse.Core.DeviceProtocol;

/// <summary>
/// End-to-end encryption between the server and one device for a message that must not be readable on the broker
/// (a face enrollment's camera frame): AES-256-GCM under the device's key from <see cref="FaceTemplateSeal.DeriveKey"/>
/// (the one key derivation of the protocol: HKDF-SHA256 of the stored hash of the claim's MQTT password, salted with
/// the device ID), so a new claim gives a new key. Each use binds its own context (for example the enrollment's ID)
/// as associated data, so a sealed message cannot be replayed for another purpose or subject.
/// </summary>
public static class DeviceChannelCipher
{
    /// <summary>The first byte of every sealed message: the format.</summary>
    public const byte Version = 1;

    private const int NonceSize = 12;
    private const int TagSize = 16;

    /// <summary>The associated data of a purpose and its subject, such as <c>("faceEnrollment", enrollmentId)</c>.</summary>
    public static byte[] Context(string purpose, Guid subject) => Encoding.UTF8.GetBytes($"gatehouse:{purpose}:{subject:D}");

    /// <summary>Encrypts: version ‖ 12-byte random nonce ‖ ciphertext ‖ 16-byte tag.</summary>
    public static byte[] Seal(ReadOnlySpan<byte> key, ReadOnlySpan<byte> plaintext, ReadOnlySpan<byte> context)
    {
        var sealedMessage = new byte[1 + NonceSize + plaintext.Length + TagSize];
        sealedMessage[0] = Version;
        var nonce = sealedMessage.AsSpan(1, NonceSize);
        RandomNumberGenerator.Fill(nonce);
        using var aes = new AesGcm(key, TagSize);
        aes.Encrypt(nonce, plaintext, sealedMessage.AsSpan(1 + NonceSize, plaintext.Length), sealedMessage.AsSpan(^TagSize), context);
        return sealedMessage;
    }

    /// <summary>Decrypts what <see cref="Seal"/> made; null when it is not that format, or was sealed under another key or context, or altered.</summary>
    public static byte[]? TryOpen(ReadOnlySpan<byte> key, ReadOnlySpan<byte> sealedMessage, ReadOnlySpan<byte> context)
    {
        if (sealedMessage.Length < 1 + NonceSize + TagSize || sealedMessage[0] != Version)
        {
            return null;
        }

        var plaintext = new byte[sealedMessage.Length - 1 - NonceSize - TagSize];
        using var aes = new AesGcm(key, TagSize);
        try
        {
            aes.Decrypt(sealedMessage.Slice(1, NonceSize), sealedMessage.Slice(1 + NonceSize, plaintext.Length), sealedMessage[^TagSize..], plaintext, context);
            return plaintext;
        }
        catch (AuthenticationTagMismatchException)
        {
            return null;
        }
    }
}
