using System.Buffers.Text;

namespace Gatehouse.Core.Mobile;

/// <summary>
/// Strict base64url for what a phone sends: the URL-safe alphabet only, no padding, no whitespace. The platform's
/// decoder skips whitespace (so one token could be written several ways) and throws on a character outside the
/// alphabet instead of answering false, which a door reading any QR code must never do.
/// </summary>
internal static class Base64UrlText
{
    public static bool IsValid(ReadOnlySpan<char> text)
    {
        foreach (var c in text)
        {
            if (!char.IsAsciiLetterOrDigit(c) && c != '-' && c != '_')
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>Decodes <paramref name="text"/> into <paramref name="destination"/>; false for anything not strict base64url or too long.</summary>
    public static bool TryDecode(ReadOnlySpan<char> text, Span<byte> destination, out int written)
    {
        written = 0;
        return IsValid(text)
            && text.Length % 4 != 1
            && Base64Url.GetMaxDecodedLength(text.Length) <= destination.Length
            && Base64Url.TryDecodeFromChars(text, destination, out written);
    }
}
