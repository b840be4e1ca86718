using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Text;

namespace Gatehouse.Core.DeviceProtocol;

/// <summary>
/// How a face template travels to a device and rests in its store: AES-256-GCM under a key only that device and
/// the server can derive, bound to the credential and the model, so a template can be neither read nor moved to
/// another credential. See <c>docs/device-protocol.md</c>.
/// </summary>
/// <remarks>
/// The key is HKDF-SHA256 with the SHA-256 (lowercase hex, as the server stores it) of the device's MQTT password
/// from its claim as the secret, the device ID as the salt and <see cref="Info"/> as the info. A sealed template is
/// base64 of a 12-byte random nonce, the ciphertext of the vector's little-endian floats, and the 16-byte tag; the
/// associated data is the credential ID's 16 bytes followed by the model's UTF-8 text.
/// </remarks>
public static class FaceTemplateSeal
{
    /// <summary>The HKDF info, which versions the scheme.</summary>
    public const string Info = "gatehouse/v1 face templates";

    private const int NonceSize = 12;
    private const int TagSize = 16;

    /// <summary>The device's key from the stored hash of its password (the server's side).</summary>
    public static byte[] DeriveKey(string secretHash, Guid deviceId)
    {
        ArgumentException.ThrowIfNullOrEmpty(secretHash);
        return HKDF.DeriveKey(HashAlgorithmName.SHA256, Encoding.UTF8.GetBytes(secretHash), 32, deviceId.ToByteArray(), Encoding.UTF8.GetBytes(Info));
    }

    /// <summary>The device's key from its password (the device's side).</summary>
    public static byte[] DeriveKeyFromPassword(string password, Guid deviceId)
    {
        ArgumentException.ThrowIfNullOrEmpty(password);
        return DeriveKey(Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(password))), deviceId);
    }

    /// <summary>Seals one template for the device whose key is <paramref name="key"/>.</summary>
    public static string Seal(byte[] key, Guid credentialId, string model, ReadOnlySpan<float> vector)
    {
        ArgumentNullException.ThrowIfNull(key);
        ArgumentNullException.ThrowIfNull(model);
        var plain = MemoryMarshal.AsBytes(vector);
        var output = new byte[NonceSize + plain.Length + TagSize];
        var nonce = output.AsSpan(0, NonceSize);
        RandomNumberGenerator.Fill(nonce);
        using var aes = new AesGcm(key, TagSize);
        aes.Encrypt(nonce, plain, output.AsSpan(NonceSize, plain.Length), output.AsSpan(NonceSize + plain.Length), Associated(credentialId, model));
        return Convert.ToBase64String(output);
    }

    /// <summary>The template, or null when it does not open with <paramref name="key"/> for this credential and model.</summary>
    public static float[]? Open(byte[] key, Guid credentialId, string model, string? sealedTemplate)
    {
        ArgumentNullException.ThrowIfNull(key);
        ArgumentNullException.ThrowIfNull(model);
        if (string.IsNullOrEmpty(sealedTemplate))
        {
            return null;
        }

        byte[] input;
        try
        {
            input = Convert.FromBase64String(sealedTemplate);
        }
        catch (FormatException)
        {
            return null;
        }

        var length = input.Length - NonceSize - TagSize;
        if (length <= 0 || length % sizeof(float) != 0)
        {
            return null;
        }

        var vector = new float[length / sizeof(float)];
        try
        {
            using var aes = new AesGcm(key, TagSize);
            aes.Decrypt(
                input.AsSpan(0, NonceSize), input.AsSpan(NonceSize, length), input.AsSpan(NonceSize + length), MemoryMarshal.AsBytes(vector.AsSpan()), Associated(credentialId, model));
        }
        catch (CryptographicException)
        {
            return null;
        }

        return vector;
    }

    private static byte[] Associated(Guid credentialId, string model)
    {
        var modelBytes = Encoding.UTF8.GetBytes(model);
        var data = new byte[16 + modelBytes.Length];
        credentialId.TryWriteBytes(data);
        modelBytes.CopyTo(data, 16);
        return data;
    }
}
