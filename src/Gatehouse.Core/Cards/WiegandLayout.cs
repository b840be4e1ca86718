using System.Numerics;

namespace Gatehouse.Core.Cards;

/// <summary>
/// Where a Wiegand format keeps its fields and parity bits. Positions count from 0 at the first bit
/// sent (the most significant); a frame is held right-aligned in a <see cref="ulong"/>.
/// </summary>
internal sealed class WiegandLayout
{
    private readonly ParityBit[] _parityBits;

    private WiegandLayout(
        CardFormat format, int bits, int facilityStart, int facilityLength, int numberStart, int numberLength,
        params ParityBit[] parityBits)
    {
        Format = format;
        Bits = bits;
        FacilityStart = facilityStart;
        FacilityLength = facilityLength;
        NumberStart = numberStart;
        NumberLength = numberLength;
        _parityBits = parityBits;
    }

    public CardFormat Format { get; }

    public int Bits { get; }

    public int FacilityStart { get; }

    public int FacilityLength { get; }

    public int NumberStart { get; }

    public int NumberLength { get; }

    /// <summary>The parity bits in the order they are computed: a bit may cover parity bits listed before it.</summary>
    public IReadOnlyList<ParityBit> ParityBits => _parityBits;

    // H10301: P | FC 8 | CN 16 | P. Even parity over the first 12 data bits, odd over the last 12.
    public static WiegandLayout H10301 { get; } = new(
        CardFormat.H10301, 26, 1, 8, 9, 16,
        ParityBit.Even(26, 0, Range(1, 12)),
        ParityBit.Odd(26, 25, Range(13, 24)));

    // H10302: P | CN 35 | P. The halves overlap at bit 18: even over 1–18, odd over 18–35.
    public static WiegandLayout H10302 { get; } = new(
        CardFormat.H10302, 37, 0, 0, 1, 35,
        ParityBit.Even(37, 0, Range(1, 18)),
        ParityBit.Odd(37, 36, Range(18, 35)));

    // H10304: P | FC 16 | CN 19 | P, with the same parity as H10302.
    public static WiegandLayout H10304 { get; } = new(
        CardFormat.H10304, 37, 1, 16, 17, 19,
        ParityBit.Even(37, 0, Range(1, 18)),
        ParityBit.Odd(37, 36, Range(18, 35)));

    // Corporate 1000, 35 bits: P P | company 12 | CN 20 | P.
    // Bit 1: even over 2–33 skipping every third bit (2, 3, 5, 6 … 32, 33).
    // Bit 34: odd over 1–32 skipping every third bit (1, 2, 4, 5 … 31, 32); it covers bit 1.
    // Bit 0: odd over all the others, so it is computed last.
    public static WiegandLayout Corporate1000_35 { get; } = new(
        CardFormat.Corporate1000_35, 35, 2, 12, 14, 20,
        ParityBit.Even(35, 1, Range(2, 33).Where(p => p % 3 != 1)),
        ParityBit.Odd(35, 34, Range(1, 32).Where(p => p % 3 != 0)),
        ParityBit.Odd(35, 0, Range(1, 34)));

    // Corporate 1000, 48 bits: P P | company 22 | CN 23 | P.
    // Bit 1: even over 3–46 skipping every third bit (3, 4, 6, 7 … 45, 46).
    // Bit 47: odd over 2–45 skipping every third bit (2, 3, 5, 6 … 44, 45).
    // Bit 0: odd over all the others.
    public static WiegandLayout Corporate1000_48 { get; } = new(
        CardFormat.Corporate1000_48, 48, 2, 22, 24, 23,
        ParityBit.Even(48, 1, Range(3, 46).Where(p => p % 3 != 2)),
        ParityBit.Odd(48, 47, Range(2, 45).Where(p => p % 3 != 1)),
        ParityBit.Odd(48, 0, Range(1, 47)));

    private static readonly WiegandLayout?[] ByFormat =
        [null, H10301, H10302, H10304, Corporate1000_35, Corporate1000_48, null];

    /// <summary>The layout of a Wiegand format; <see langword="null"/> for CSN or an undefined value.</summary>
    public static WiegandLayout? For(CardFormat format) =>
        (uint)format < (uint)ByFormat.Length ? ByFormat[(int)format] : null;

    /// <summary>Builds the frame of a card whose numbers are in range, parity bits included.</summary>
    public ulong Encode(long facilityCode, long cardNumber)
    {
        var frame = Place(facilityCode, FacilityStart, FacilityLength) | Place(cardNumber, NumberStart, NumberLength);
        foreach (var parity in _parityBits)
        {
            frame |= parity.ValueFor(frame) << (Bits - 1 - parity.Position);
        }

        return frame;
    }

    /// <summary>Whether every parity bit of the frame checks.</summary>
    public bool ParityHolds(ulong frame)
    {
        foreach (var parity in _parityBits)
        {
            if (((frame >> (Bits - 1 - parity.Position)) & 1) != parity.ValueFor(frame))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>The card the frame carries; its parity is not checked here.</summary>
    public CardIdentity Read(ulong frame) =>
        CardIdentity.FromWiegandUnchecked(
            Format, Take(frame, FacilityStart, FacilityLength), Take(frame, NumberStart, NumberLength));

    private ulong Place(long value, int start, int length) =>
        length == 0 ? 0 : ((ulong)value & ((1UL << length) - 1)) << (Bits - start - length);

    private long Take(ulong frame, int start, int length) =>
        length == 0 ? 0 : (long)((frame >> (Bits - start - length)) & ((1UL << length) - 1));

    private static IEnumerable<int> Range(int first, int last) => Enumerable.Range(first, last - first + 1);

    /// <summary>One parity bit: its position, the positions it covers (as a frame mask) and its kind.</summary>
    internal readonly record struct ParityBit(int Position, ulong Mask, bool IsOdd)
    {
        public static ParityBit Even(int bits, int position, IEnumerable<int> covered) => new(position, MaskOf(bits, covered), false);

        public static ParityBit Odd(int bits, int position, IEnumerable<int> covered) => new(position, MaskOf(bits, covered), true);

        /// <summary>The value this bit must have for the covered bits of <paramref name="frame"/>.</summary>
        public ulong ValueFor(ulong frame) => ((ulong)BitOperations.PopCount(frame & Mask) & 1) ^ (IsOdd ? 1UL : 0UL);

        private static ulong MaskOf(int bits, IEnumerable<int> positions) =>
            positions.Aggregate(0UL, (mask, p) => mask | (1UL << (bits - 1 - p)));
    }
}
