namespace Gatehouse.Core.Cards;

/// <summary>
/// Encodes cards as Wiegand frames and decodes frames, parity included, for H10301, H10302, H10304 and
/// HID Corporate 1000 (35 and 48 bits). Bit layouts: <c>docs/card-formats.md</c>.
/// </summary>
/// <remarks>
/// Decoding runs for every card presented at a door, so it never throws on bad input (errors come back in
/// the <see cref="WiegandDecodeResult"/>) and does not allocate unless an error message is read.
/// </remarks>
public static class Wiegand
{
    /// <summary>The longest frame of a supported format.</summary>
    public const int MaxBits = 48;

    private static readonly CardFormat[] Formats26 = [CardFormat.H10301];
    private static readonly CardFormat[] Formats35 = [CardFormat.Corporate1000_35];
    private static readonly CardFormat[] Formats37 = [CardFormat.H10302, CardFormat.H10304];
    private static readonly CardFormat[] Formats48 = [CardFormat.Corporate1000_48];

    /// <summary>
    /// The formats a frame of <paramref name="bitCount"/> bits may be, in the order of <see cref="CardFormat"/>:
    /// 26 → H10301, 35 → C1000-35, 37 → H10302 and H10304, 48 → C1000-48; empty for any other length.
    /// </summary>
    public static ReadOnlySpan<CardFormat> FormatsOfLength(int bitCount) => bitCount switch
    {
        26 => Formats26,
        35 => Formats35,
        37 => Formats37,
        48 => Formats48,
        _ => [],
    };

    /// <summary>The card's Wiegand frame as a string of '0' and '1', first bit sent first, parity bits included.</summary>
    /// <exception cref="ArgumentException">The card is a CSN card (or <c>default</c>): it has no Wiegand frame.</exception>
    public static string Encode(CardIdentity card)
    {
        var layout = LayoutOf(card);
        var frame = layout.Encode(card.FacilityCode ?? 0, card.CardNumber!.Value);
        return string.Create(layout.Bits, frame, static (span, bits) =>
        {
            for (var i = span.Length - 1; i >= 0; i--)
            {
                span[i] = (bits & 1) == 0 ? '0' : '1';
                bits >>= 1;
            }
        });
    }

    /// <summary>
    /// The card's Wiegand frame as a number, right-aligned (the last bit sent is bit 0), with its length
    /// in <paramref name="bitCount"/>; parity bits included.
    /// </summary>
    /// <exception cref="ArgumentException">The card is a CSN card (or <c>default</c>): it has no Wiegand frame.</exception>
    public static ulong EncodeFrame(CardIdentity card, out int bitCount)
    {
        var layout = LayoutOf(card);
        bitCount = layout.Bits;
        return layout.Encode(card.FacilityCode ?? 0, card.CardNumber!.Value);
    }

    /// <summary>
    /// Decodes Wiegand bits written as '0' and '1', first bit sent first. With <paramref name="format"/> the
    /// bits must be that format's frame; without it the format is chosen by length (26 → H10301,
    /// 35 → C1000-35, 48 → C1000-48), and a 37-bit frame yields every format of that length whose parity
    /// checks (H10302 and H10304 share their parity bits, so both, to be looked up in turn).
    /// </summary>
    public static WiegandDecodeResult Decode(ReadOnlySpan<char> bits, CardFormat? format = null)
    {
        if (bits.IsEmpty)
        {
            return WiegandDecodeResult.NotBinary(0, format, -1, '\0');
        }

        ulong frame = 0;
        for (var i = 0; i < bits.Length; i++)
        {
            var c = bits[i];
            if (c is not ('0' or '1'))
            {
                return WiegandDecodeResult.NotBinary(bits.Length, format, i, c);
            }

            frame = (frame << 1) | (uint)(c - '0');
        }

        return Decode(frame, bits.Length, format);
    }

    /// <summary>
    /// Decodes a frame a reader delivered as a number: <paramref name="bitCount"/> bits, right-aligned (the
    /// last bit sent is bit 0); bits above <paramref name="bitCount"/> are ignored. Otherwise as
    /// <see cref="Decode(ReadOnlySpan{char}, CardFormat?)"/>.
    /// </summary>
    public static WiegandDecodeResult Decode(ulong frame, int bitCount, CardFormat? format = null)
    {
        if (bitCount is > 0 and < 64)
        {
            frame &= (1UL << bitCount) - 1;
        }

        if (format is { } requested)
        {
            var layout = WiegandLayout.For(requested);
            if (layout is null)
            {
                return WiegandDecodeResult.Failure(WiegandDecodeError.NotWiegandFormat, bitCount, format);
            }

            if (bitCount != layout.Bits)
            {
                return WiegandDecodeResult.Failure(WiegandDecodeError.WrongLength, bitCount, format);
            }

            return layout.ParityHolds(frame)
                ? WiegandDecodeResult.Success(bitCount, format, layout.Read(frame))
                : WiegandDecodeResult.Failure(WiegandDecodeError.ParityError, bitCount, format);
        }

        var candidates = FormatsOfLength(bitCount);
        if (candidates.IsEmpty)
        {
            return WiegandDecodeResult.Failure(WiegandDecodeError.UnsupportedLength, bitCount, null);
        }

        CardIdentity first = default;
        var found = 0;
        foreach (var candidate in candidates)
        {
            var layout = WiegandLayout.For(candidate)!;
            if (!layout.ParityHolds(frame))
            {
                continue;
            }

            if (found++ == 0)
            {
                first = layout.Read(frame);
            }
            else
            {
                return WiegandDecodeResult.Success(bitCount, null, first, layout.Read(frame));
            }
        }

        return found == 0
            ? WiegandDecodeResult.Failure(WiegandDecodeError.ParityError, bitCount, null)
            : WiegandDecodeResult.Success(bitCount, null, first);
    }

    private static WiegandLayout LayoutOf(CardIdentity card) =>
        WiegandLayout.For(card.Format) is { } layout && card.IsWiegand
            ? layout
            : throw new ArgumentException("Only a Wiegand card has a Wiegand frame; this card is a CSN card or empty.", nameof(card));
}
