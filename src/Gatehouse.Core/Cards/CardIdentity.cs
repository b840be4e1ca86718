using System.Diagnostics.CodeAnalysis;
using System.Globalization;

namespace Gatehouse.Core.Cards;

/// <summary>
/// Which card a card credential is: a Wiegand format with its facility code and card number, or a CSN
/// (the NFC / MIFARE UID of 4, 7 or 10 bytes). Two identities are equal exactly when they name the same
/// card, and so are their <see cref="ToKey"/> keys; <see cref="ToString"/> is the canonical text
/// (<c>H10301:1:11572</c>, <c>H10302:11850046624</c>, <c>CSN:04A224B2C15E80</c>).
/// </summary>
/// <remarks>
/// The format is part of the identity: H10301 1:100 and H10304 1:100 are different cards, and no
/// Wiegand card equals a CSN card. <c>default(CardIdentity)</c> names no card (its <see cref="Format"/>
/// is not a defined format and its text is empty). Build identities with <see cref="TryCreate(string?, long?, long?, string?, out CardIdentity, out IReadOnlyList{CardFieldError})"/>,
/// <see cref="TryParse(string?, out CardIdentity)"/>, <see cref="TryFromCsn"/> or <see cref="Wiegand.Decode(ReadOnlySpan{char}, CardFormat?)"/>.
/// </remarks>
public readonly record struct CardIdentity
{
    // The identity is stored as its key, so equality of identities and of keys cannot drift apart.
    // High bits 56–63 hold the CardFormat. Wiegand: High bits 0–55 the facility code (0 when the format
    // has none), Low the card number. CSN: High bits 48–55 the UID's length in bytes (which keeps
    // 00000000 and 00000000000000 apart), and the UID read as one big-endian number fills Low and then
    // High bits 0–15.
    private const int FormatShift = 56;
    private const int CsnLengthShift = 48;
    private const ulong FacilityCodeMask = (1UL << FormatShift) - 1;

    private readonly ulong _high;
    private readonly ulong _low;

    private CardIdentity(ulong high, ulong low)
    {
        _high = high;
        _low = low;
    }

    /// <summary>The card's format.</summary>
    public CardFormat Format => (CardFormat)(_high >> FormatShift);

    /// <summary>Whether the card is identified by its serial number (<see cref="CardFormat.Csn"/>).</summary>
    public bool IsCsn => Format == CardFormat.Csn;

    /// <summary>Whether the card is a Wiegand format (it has a <see cref="CardNumber"/>).</summary>
    public bool IsWiegand => Format.IsDefined() && !IsCsn;

    /// <summary>The facility code (for Corporate 1000: the company ID); <see langword="null"/> when the format has none.</summary>
    public long? FacilityCode => IsWiegand && Format.GetInfo().HasFacilityCode ? (long)(_high & FacilityCodeMask) : null;

    /// <summary>The card number; <see langword="null"/> for a CSN card.</summary>
    public long? CardNumber => IsWiegand ? (long)_low : null;

    /// <summary>The serial number as upper-case hex (8, 14 or 20 digits); <see langword="null"/> for a Wiegand card.</summary>
    public string? Csn => IsCsn ? FormatCsn() : null;

    private int CsnByteCount => (int)((_high >> CsnLengthShift) & 0xFF);

    /// <summary>The key the decision engine looks the card up by: equal exactly when the identities are equal.</summary>
    public CredentialKey ToKey() => new(_high, _low);

    /// <summary>
    /// Builds a card from the API's fields, or says which fields are wrong. Every problem found is reported,
    /// each naming its field (<see cref="CardFields"/>) and the allowed values.
    /// </summary>
    /// <param name="format">The format's name as the API spells it (<c>H10301</c>, <c>C1000-35</c>, <c>CSN</c>…), case ignored.</param>
    /// <param name="facilityCode">The facility code; required by formats that have one, refused by the others.</param>
    /// <param name="cardNumber">The card number; required by Wiegand formats, refused for CSN.</param>
    /// <param name="csn">
    /// The serial number as 8, 14 or 20 hex digits, either case, plain or with a separator between byte pairs
    /// (<see cref="CsnText"/>: <c>04:A2:24:B2</c>); required for CSN, refused otherwise.
    /// </param>
    /// <param name="identity">The card, when the fields make one; otherwise <c>default</c>.</param>
    /// <param name="errors">Empty on success; otherwise one entry per problem.</param>
    /// <returns>Whether the fields make a card.</returns>
    public static bool TryCreate(
        string? format,
        long? facilityCode,
        long? cardNumber,
        string? csn,
        out CardIdentity identity,
        out IReadOnlyList<CardFieldError> errors)
    {
        if (format is null)
        {
            identity = default;
            errors = [new CardFieldError(CardFields.Format, $"Format is required: one of {CardFormats.NameList}.")];
            return false;
        }

        if (!CardFormats.TryParse(format, out var parsed))
        {
            identity = default;
            errors = [new CardFieldError(CardFields.Format, $"Unknown card format; use one of {CardFormats.NameList}.")];
            return false;
        }

        return TryCreate(parsed, facilityCode, cardNumber, csn, out identity, out errors);
    }

    /// <summary>Builds a card of a known format from the API's fields, or says which fields are wrong.</summary>
    /// <inheritdoc cref="TryCreate(string?, long?, long?, string?, out CardIdentity, out IReadOnlyList{CardFieldError})"/>
    public static bool TryCreate(
        CardFormat format,
        long? facilityCode,
        long? cardNumber,
        string? csn,
        out CardIdentity identity,
        out IReadOnlyList<CardFieldError> errors)
    {
        identity = default;
        if (!format.IsDefined())
        {
            errors = [new CardFieldError(CardFields.Format, $"Unknown card format; use one of {CardFormats.NameList}.")];
            return false;
        }

        var info = format.GetInfo();
        List<CardFieldError>? found = null;
        void Add(string field, string message) => (found ??= []).Add(new CardFieldError(field, message));

        if (info.IsWiegand)
        {
            if (csn is not null)
            {
                Add(CardFields.Csn, $"{info.Name} cards have no CSN; leave csn out, or use format CSN.");
            }

            var facilityLabel = format is CardFormat.Corporate1000_35 or CardFormat.Corporate1000_48
                ? "Facility code (company ID)"
                : "Facility code";
            if (info.HasFacilityCode)
            {
                if (facilityCode is null)
                {
                    Add(CardFields.FacilityCode, $"{facilityLabel} is required for {info.Name}: between 0 and {Number(info.MaxFacilityCode)}.");
                }
                else if (facilityCode < 0 || facilityCode > info.MaxFacilityCode)
                {
                    Add(CardFields.FacilityCode, $"{facilityLabel} must be between 0 and {Number(info.MaxFacilityCode)} for {info.Name}.");
                }
            }
            else if (facilityCode is not null)
            {
                Add(CardFields.FacilityCode, $"{info.Name} has no facility code; leave facilityCode out.");
            }

            if (cardNumber is null)
            {
                Add(CardFields.CardNumber, $"Card number is required for {info.Name}: between 0 and {Number(info.MaxCardNumber)}.");
            }
            else if (cardNumber < 0 || cardNumber > info.MaxCardNumber)
            {
                Add(CardFields.CardNumber, $"Card number must be between 0 and {Number(info.MaxCardNumber)} for {info.Name}.");
            }

            if (found is null)
            {
                identity = FromWiegandUnchecked(format, facilityCode ?? 0, cardNumber!.Value);
            }
        }
        else
        {
            if (facilityCode is not null)
            {
                Add(CardFields.FacilityCode, "CSN cards have no facility code; leave facilityCode out.");
            }

            if (cardNumber is not null)
            {
                Add(CardFields.CardNumber, "CSN cards have no card number; leave cardNumber out.");
            }

            if (csn is null)
            {
                Add(CardFields.Csn, "CSN is required: the card's serial number as 8, 14 or 20 hex digits.");
            }
            else if (!CsnText.TryNormalize(csn, out var csnHex, out var csnError))
            {
                Add(CardFields.Csn, csnError);
            }
            else if (TryParseCsnHex(csnHex, out var parsedCsn, out csnError))
            {
                if (found is null)
                {
                    identity = parsedCsn;
                }
            }
            else
            {
                Add(CardFields.Csn, csnError);
            }
        }

        errors = found is null ? Array.Empty<CardFieldError>() : found.AsReadOnly();
        return found is null;
    }

    /// <summary>
    /// Builds a CSN card from the UID bytes a reader reported, in the order the card sends them.
    /// Fails unless there are 4, 7 or 10 bytes.
    /// </summary>
    public static bool TryFromCsn(ReadOnlySpan<byte> uid, out CardIdentity identity)
    {
        if (uid.Length is not (4 or 7 or 10))
        {
            identity = default;
            return false;
        }

        ulong high = 0, low = 0;
        foreach (var b in uid)
        {
            high = (high << 8) | (low >> 56);
            low = (low << 8) | b;
        }

        identity = FromCsnParts(uid.Length, high, low);
        return true;
    }

    /// <summary>
    /// Reads the canonical text <see cref="ToString"/> writes (<c>H10301:1:11572</c>, <c>H10302:11850046624</c>,
    /// <c>CSN:04A224B2C15E80</c>); format names and hex digits in either case. Fails on anything else,
    /// including numbers out of the format's range.
    /// </summary>
    public static bool TryParse([NotNullWhen(true)] string? text, out CardIdentity identity)
    {
        identity = default;
        if (text is null)
        {
            return false;
        }

        var rest = text.AsSpan();
        var colon = rest.IndexOf(':');
        if (colon < 0 || !CardFormats.TryParse(rest[..colon], out var format))
        {
            return false;
        }

        rest = rest[(colon + 1)..];
        var info = format.GetInfo();
        if (info.HasCsn)
        {
            return TryParseCsnHex(rest.ToString(), out identity, out _);
        }

        long? facilityCode = null;
        if (info.HasFacilityCode)
        {
            colon = rest.IndexOf(':');
            if (colon < 0 || !TryParseDecimal(rest[..colon], out var fc))
            {
                return false;
            }

            facilityCode = fc;
            rest = rest[(colon + 1)..];
        }

        return TryParseDecimal(rest, out var cardNumber)
            && TryCreate(format, facilityCode, cardNumber, null, out identity, out _);
    }

    /// <summary>Reads the canonical text <see cref="ToString"/> writes.</summary>
    /// <exception cref="FormatException">The text is not a card's canonical text.</exception>
    public static CardIdentity Parse(string text) =>
        TryParse(text, out var identity)
            ? identity
            : throw new FormatException("Not a card identity such as \"H10301:1:11572\" or \"CSN:04A224B2C15E80\".");

    /// <summary>
    /// The canonical text: <c>FORMAT:FACILITY:NUMBER</c> (<c>H10301:1:11572</c>), <c>H10302:NUMBER</c>
    /// for the format without a facility code, or <c>CSN:HEX</c> with upper-case hex. Numbers are decimal
    /// without leading zeros. Equal exactly when the identities are equal; empty for <c>default</c>.
    /// </summary>
    public override string ToString()
    {
        if (!Format.IsDefined())
        {
            return string.Empty;
        }

        var name = Format.ToApiName();
        if (IsCsn)
        {
            return $"{name}:{FormatCsn()}";
        }

        return FacilityCode is { } fc
            ? string.Create(CultureInfo.InvariantCulture, $"{name}:{fc}:{_low}")
            : string.Create(CultureInfo.InvariantCulture, $"{name}:{_low}");
    }

    /// <summary>
    /// A form safe for logs: the format and the last 2 digits of the card number (<c>H10301:***72</c>) or
    /// the last 3 hex digits of a CSN (<c>CSN:***E80</c>). The facility code is left out.
    /// </summary>
    public string ToMaskedString()
    {
        if (!Format.IsDefined())
        {
            return string.Empty;
        }

        var full = IsCsn ? FormatCsn() : _low.ToString(CultureInfo.InvariantCulture);
        var keep = Math.Min(IsCsn ? 3 : 2, full.Length);
        return $"{Format.ToApiName()}:***{full.AsSpan(full.Length - keep)}";
    }

    /// <summary>Builds a Wiegand card from values already known to be in range (a decoded frame).</summary>
    internal static CardIdentity FromWiegandUnchecked(CardFormat format, long facilityCode, long cardNumber) =>
        new(((ulong)format << FormatShift) | (ulong)facilityCode, (ulong)cardNumber);

    private static CardIdentity FromCsnParts(int byteCount, ulong high, ulong low) =>
        new(((ulong)CardFormat.Csn << FormatShift) | ((ulong)byteCount << CsnLengthShift) | high, low);

    private static bool TryParseCsnHex(string csn, out CardIdentity identity, out string error)
    {
        identity = default;
        ulong high = 0, low = 0;
        foreach (var c in csn)
        {
            var nibble = c switch
            {
                >= '0' and <= '9' => c - '0',
                >= 'A' and <= 'F' => c - 'A' + 10,
                >= 'a' and <= 'f' => c - 'a' + 10,
                _ => -1,
            };
            if (nibble < 0)
            {
                error = "CSN must be hex digits only (0-9, A-F): the card's serial number as 8, 14 or 20 hex digits.";
                return false;
            }

            high = (high << 4) | (low >> 60);
            low = (low << 4) | (uint)nibble;
        }

        if (csn.Length is not (8 or 14 or 20))
        {
            error = string.Create(
                CultureInfo.InvariantCulture,
                $"CSN must be 8, 14 or 20 hex digits (a UID of 4, 7 or 10 bytes); got {csn.Length}.");
            return false;
        }

        identity = FromCsnParts(csn.Length / 2, high, low);
        error = string.Empty;
        return true;
    }

    private static bool TryParseDecimal(ReadOnlySpan<char> digits, out long value) =>
        long.TryParse(digits, NumberStyles.None, CultureInfo.InvariantCulture, out value);

    private string FormatCsn()
    {
        var digits = CsnByteCount * 2;
        var (high, low) = (_high, _low);
        return string.Create(digits, (high, low), static (span, parts) =>
        {
            var (h, l) = parts;
            for (var i = span.Length - 1; i >= 0; i--)
            {
                span[i] = "0123456789ABCDEF"[(int)(l & 0xF)];
                l = (l >> 4) | (h << 60);
                h >>= 4;
            }
        });
    }

    private static string Number(long value) => value.ToString("N0", CultureInfo.InvariantCulture);
}
