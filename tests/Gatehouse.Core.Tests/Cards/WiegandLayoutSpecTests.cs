using System.Text;
using Gatehouse.Core.Cards;

namespace Gatehouse.Core.Tests.Cards;

/// <summary>
/// Checks the encoder against the layouts as HID documents them: bits numbered from 1 (the first bit
/// sent), fields and parity sets written out as lists, frames built one character at a time.
/// </summary>
public class WiegandLayoutSpecTests
{
    private sealed record Parity(int Bit, bool Odd, int[] Covers);

    private sealed record Spec(
        CardFormat Format, int Bits, (int First, int Last)? FacilityBits, (int First, int Last) NumberBits, Parity[] Parities);

    private static int[] Run(int first, int last) => Enumerable.Range(first, last - first + 1).ToArray();

    // Two bits, skip one: PairsFrom(3, 33) = 3, 4, 6, 7, … 33, 34.
    private static int[] PairsFrom(int first, int lastPairStart) =>
        Enumerable.Range(0, ((lastPairStart - first) / 3) + 1).SelectMany(i => new[] { first + (3 * i), first + (3 * i) + 1 }).ToArray();

    private static readonly Spec[] Specs =
    [
        new(CardFormat.H10301, 26, (2, 9), (10, 25),
            [new(1, false, Run(2, 13)), new(26, true, Run(14, 25))]),
        new(CardFormat.H10302, 37, null, (2, 36),
            [new(1, false, Run(2, 19)), new(37, true, Run(19, 36))]),
        new(CardFormat.H10304, 37, (2, 17), (18, 36),
            [new(1, false, Run(2, 19)), new(37, true, Run(19, 36))]),
        new(CardFormat.Corporate1000_35, 35, (3, 14), (15, 34),
            [new(2, false, PairsFrom(3, 33)), new(35, true, PairsFrom(2, 32)), new(1, true, Run(2, 35))]),
        new(CardFormat.Corporate1000_48, 48, (3, 24), (25, 47),
            [new(2, false, PairsFrom(4, 46)), new(48, true, PairsFrom(3, 45)), new(1, true, Run(2, 48))]),
    ];

    private static string BuildBySpec(Spec spec, long facilityCode, long cardNumber)
    {
        var frame = new StringBuilder(new string('0', spec.Bits));
        void Write((int First, int Last) field, long value)
        {
            for (var bit = field.Last; bit >= field.First; bit--, value >>= 1)
            {
                frame[bit - 1] = (value & 1) == 1 ? '1' : '0';
            }
        }

        if (spec.FacilityBits is { } facility)
        {
            Write(facility, facilityCode);
        }

        Write(spec.NumberBits, cardNumber);
        foreach (var parity in spec.Parities)
        {
            var ones = parity.Covers.Count(bit => frame[bit - 1] == '1');
            frame[parity.Bit - 1] = (ones % 2 == 0) == parity.Odd ? '1' : '0';
        }

        return frame.ToString();
    }

    public static TheoryData<CardFormat> WiegandFormats => new()
    {
        CardFormat.H10301, CardFormat.H10302, CardFormat.H10304, CardFormat.Corporate1000_35, CardFormat.Corporate1000_48,
    };

    [Fact]
    public void Spec_ParitySets_HaveDocumentedSizes()
    {
        Assert.Equal(22, PairsFrom(3, 33).Length);
        Assert.Equal([3, 4, 6, 7], PairsFrom(3, 33)[..4]);
        Assert.Equal([33, 34], PairsFrom(3, 33)[^2..]);
        Assert.Equal([2, 3, 5, 6], PairsFrom(2, 32)[..4]);
        Assert.Equal([32, 33], PairsFrom(2, 32)[^2..]);
        Assert.Equal([4, 5, 7, 8], PairsFrom(4, 46)[..4]);
        Assert.Equal([46, 47], PairsFrom(4, 46)[^2..]);
        Assert.Equal([45, 46], PairsFrom(3, 45)[^2..]);
    }

    [Theory]
    [MemberData(nameof(WiegandFormats))]
    public void Encode_SampledCards_MatchDocumentedLayout(CardFormat format)
    {
        var spec = Specs.Single(s => s.Format == format);
        var info = format.GetInfo();
        var random = new Random((int)format);

        for (var i = 0; i < 500; i++)
        {
            var facilityCode = info.HasFacilityCode ? random.NextInt64(info.MaxFacilityCode + 1) : 0;
            var cardNumber = random.NextInt64(info.MaxCardNumber + 1);
            Assert.True(CardIdentity.TryCreate(
                format, info.HasFacilityCode ? facilityCode : null, cardNumber, null, out var card, out _));

            Assert.Equal(BuildBySpec(spec, facilityCode, cardNumber), Wiegand.Encode(card));
        }
    }

    [Theory]
    [MemberData(nameof(WiegandFormats))]
    public void Encode_EachFieldBitAlone_LandsAtDocumentedPosition(CardFormat format)
    {
        var spec = Specs.Single(s => s.Format == format);
        var info = format.GetInfo();

        for (var bit = 0; (1L << bit) <= info.MaxCardNumber; bit++)
        {
            AssertSame(info.HasFacilityCode ? 0 : null, 1L << bit);
        }

        for (var bit = 0; info.HasFacilityCode && (1L << bit) <= info.MaxFacilityCode; bit++)
        {
            AssertSame(1L << bit, 0);
        }

        void AssertSame(long? facilityCode, long cardNumber)
        {
            Assert.True(CardIdentity.TryCreate(format, facilityCode, cardNumber, null, out var card, out _));
            Assert.Equal(BuildBySpec(spec, facilityCode ?? 0, cardNumber), Wiegand.Encode(card));
        }
    }
}
