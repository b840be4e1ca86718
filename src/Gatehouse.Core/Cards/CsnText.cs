using System.Diagnostics.CodeAnalysis;

namespace Gatehouse.Core.Cards;

/// <summary>
/// Reads a card serial number as people type or paste it. Readers and phone apps show a UID as
/// <c>04A224B2</c>, <c>04:A2:24:B2</c>, <c>04-A2-24-B2</c> or <c>04 A2 24 B2</c>; all of these are accepted,
/// in either case, and give the canonical upper-case hex (<c>04A224B2</c>) that is stored and compared.
/// </summary>
/// <remarks>
/// A separator may only stand between byte pairs, one character at a time, and the same one throughout:
/// <c>04A2:24B2</c>, <c>04::A2</c> or <c>04:A2-24</c> are more likely typing mistakes than a UID, so they are
/// refused. Surrounding white space is not trimmed here (a form trims its fields itself). The number of
/// digits is not checked here either: see <see cref="CardIdentity.TryCreate(string?, long?, long?, string?, out CardIdentity, out IReadOnlyList{CardFieldError})"/>.
/// </remarks>
public static class CsnText
{
    /// <summary>The separators accepted between byte pairs.</summary>
    public static IReadOnlyList<char> Separators { get; } = [':', '-', ' '];

    /// <summary>The rule in words, for error messages and hints.</summary>
    public const string Rule = "hex digits (0-9, A-F), optionally with ':', '-' or a space between byte pairs (04:A2:24:B2)";

    /// <summary>
    /// The hex digits of <paramref name="text"/> in upper case, without separators; fails with the reason when
    /// the text is not hex digits in one of the accepted forms.
    /// </summary>
    public static bool TryNormalize(string? text, [NotNullWhen(true)] out string? hex, out string error)
    {
        hex = null;
        if (string.IsNullOrEmpty(text))
        {
            error = $"CSN must be {Rule}.";
            return false;
        }

        // A separator at index 2 decides the form: then every third character must be that separator.
        var separator = text.Length > 2 && Separators.Contains(text[2]) ? text[2] : (char?)null;
        var digits = new char[text.Length];
        var count = 0;
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            var separatorHere = separator is not null && i % 3 == 2;
            if (separatorHere)
            {
                if (c != separator || i == text.Length - 1)
                {
                    error = $"CSN must be {Rule}.";
                    return false;
                }

                continue;
            }

            if (!char.IsAsciiHexDigit(c))
            {
                error = $"CSN must be {Rule}.";
                return false;
            }

            digits[count++] = char.ToUpperInvariant(c);
        }

        if (separator is not null && text.Length % 3 != 2)
        {
            // A last group of one digit (04:A2:2): not a byte pair.
            error = $"CSN must be {Rule}.";
            return false;
        }

        hex = new string(digits, 0, count);
        error = string.Empty;
        return true;
    }
}
