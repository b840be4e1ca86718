using System.Security.Cryptography;
using System.Text;

namespace Gatehouse.Core.DeviceProtocol;

/// <summary>
/// End-to-end encryption between the server and one device for what must not be readable on the broker (a face
/// image, face templates): AES-256-GCM under a key only the two share. The key is HKDF-SHA256 of the SHA-256 of the
/// device's MQTT password from its claim (the device holds the password, the server its SHA-256), salted with the
/// device's ID; a new claim gives a new password and so a new key. Each use binds its own context (for example the
/// enrollment's ID) as associated data, so a sealed message cannot be replayed for another purpose.
/// </summary>
public static class DeviceChannelCipher
{
    /// <summary>The first byte of every sealed message: the format and the key derivation above.</summary>
    public const byte Version = 1;

    private const int NonceSize = 12;
    private const int TagSize = 16;
    private static readonly byte[] Info = "gatehouse device channel v1"u8.ToArray();

    /// <summary>The key as the device derives it, from its MQTT password.</summary>
    public static byte[] KeyFromPassword(string mqttPassword, Guid deviceId)
    {
        ArgumentNullException.ThrowIfNull(mqttPassword);
        return KeyFromSecretHash(SHA256.HashData(Encoding.UTF8.GetBytes(mqttPassword)), deviceId);
    }

    /// <summary>The key as the server derives it, from the SHA-256 of the password it keeps (32 bytes).</summary>
    public static byte[] KeyFromSecretHash(ReadOnlySpan<byte> secretHash, Guid deviceId)
    {
        if (secretHash.Length != 32)
        {
            throw new ArgumentException("The secret hash is a SHA-256 (32 bytes).", nameof(secretHash));
        }

        Span<byte> salt = stackalloc byte[16];
        deviceId.TryWriteBytes(salt, bigEndian: true, out _);
        return HKDF.DeriveKey(HashAlgorithmName.SHA256, secretHash.ToArray(), 32, salt.ToArray(), Info);
    }

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
