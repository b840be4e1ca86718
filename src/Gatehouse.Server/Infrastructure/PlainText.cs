using System.Globalization;
using System.Text;

namespace Gatehouse.Server.Infrastructure;

/// <summary>
/// What a name or other one-line text may hold. Control characters (NUL, CR, LF, tab…), line and paragraph
/// separators, bidirectional overrides and other invisible format characters let a name break a CSV file
/// or a log line, or show a different text than it holds (U+202E turns "exe.txt" around), so they are
/// refused. Zero-width joiner and non-joiner stay: some scripts and emoji need them.
/// </summary>
internal static class PlainText
{
    public const string Refusal =
        "Must not contain control characters, line breaks or invisible formatting characters (such as direction overrides).";

    private const int MaxLoggedLength = 200;

    public static bool IsClean(string value)
    {
        var span = value.AsSpan();
        while (!span.IsEmpty)
        {
            if (Rune.DecodeFromUtf16(span, out var rune, out var used) != System.Buffers.OperationStatus.Done || IsForbidden(rune))
            {
                return false;
            }

            span = span[used..];
        }

        return true;
    }

    /// <summary>
    /// Text from outside (a device's software version, an MQTT client ID, an error from a mail server) as it
    /// may go into a log line: forbidden characters written as <c>\n</c> or <c>\u202E</c>, so a value cannot
    /// forge a log line of its own, and cut at 200 characters.
    /// </summary>
    public static string ForLog(string? value)
    {
        if (value is null)
        {
            return "";
        }

        var cut = value.Length > MaxLoggedLength;
        var span = value.AsSpan(0, cut ? MaxLoggedLength : value.Length);
        var text = new StringBuilder(span.Length + 8);
        while (!span.IsEmpty)
        {
            if (Rune.DecodeFromUtf16(span, out var rune, out var used) != System.Buffers.OperationStatus.Done)
            {
                text.Append(CultureInfo.InvariantCulture, $"\\u{(int)span[0]:X4}");
                span = span[1..];
                continue;
            }

            if (IsForbidden(rune))
            {
                text.Append(rune.Value switch
                {
                    '\n' => "\\n",
                    '\r' => "\\r",
                    '\t' => "\\t",
                    _ => string.Create(CultureInfo.InvariantCulture, $"\\u{rune.Value:X4}"),
                });
            }
            else
            {
                text.Append(span[..used]);
            }

            span = span[used..];
        }

        return cut ? text.Append('…').ToString() : text.ToString();
    }

    private static bool IsForbidden(Rune rune) => Rune.GetUnicodeCategory(rune) switch
    {
        UnicodeCategory.Control or UnicodeCategory.LineSeparator or UnicodeCategory.ParagraphSeparator => true,
        UnicodeCategory.Format => rune.Value is not (0x200C or 0x200D),
        _ => false,
    };
}

/// <summary>
/// Text from outside as a log value: written through <see cref="PlainText.ForLog"/> only when the line is
/// written, so a log method that takes it cannot be handed a raw line break.
/// </summary>
internal readonly record struct LogText(string? Value)
{
    public static implicit operator LogText(string? value) => new(value);

    public override string ToString() => PlainText.ForLog(Value);
}
