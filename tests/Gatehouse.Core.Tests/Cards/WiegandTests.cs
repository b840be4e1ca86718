using Gatehouse.Core.Cards;

namespace Gatehouse.Core.Tests.Cards;

public class WiegandTests
{
    private static CardIdentity Card(string text) => CardIdentity.Parse(text);

    private static string Flip(string bits, int position)
    {
        var chars = bits.ToCharArray();
        chars[position] = chars[position] == '0' ? '1' : '0';
        return new string(chars);
    }

    // Frames read from real cards or written by public tools, with the card each one carries.
    public static TheoryData<string, string> KnownFrames => new()
    {
        // The contract's example: facility code 1, card 11572.
        { "H10301:1:11572", "00000000100101101001101001" },
        // Proxmark3 documentation examples (raw 2006f623ae and 200670012d, HID header removed).
        { "H10301:123:4567", "10111101100010001110101110" },
        { "H10301:56:150", "10011100000000000100101101" },
        // Real HID cards read by an access-control panel (Z9 test suite).
        { "H10301:113:7068", "10111000100011011100111000" },
        { "H10301:233:30333", "01110100101110110011111011" },
        { "H10301:1:5", "10000000100000000000001011" },
        { "H10301:200:35628", "01100100010001011001011001" },
        // A Corporate 1000 35-bit card as a reader sent it (4A72010B3, 35 bits).
        { "C1000-35:1337:2137", "10010100111001000000001000010110011" },
        // A Corporate 1000 48-bit frame used to clone a working card (803039006072).
        { "C1000-48:12345:12345", "100000000011000000111001000000000110000001110010" },
    };

    [Theory]
    [MemberData(nameof(KnownFrames))]
    public void Encode_KnownCard_MatchesReferenceFrame(string card, string frame) =>
        Assert.Equal(frame, Wiegand.Encode(Card(card)));

    [Theory]
    [MemberData(nameof(KnownFrames))]
    public void Decode_ReferenceFrameByLength_ReturnsKnownCard(string card, string frame)
    {
        var result = Wiegand.Decode(frame);

        Assert.True(result.IsSuccess, result.ErrorMessage);
        Assert.Equal(WiegandDecodeError.None, result.Error);
        Assert.Null(result.ErrorMessage);
        Assert.Equal(Card(card), Assert.Single(result));
    }

    [Theory]
    [MemberData(nameof(KnownFrames))]
    public void Decode_ReferenceFrameWithFormat_ReturnsKnownCard(string card, string frame)
    {
        var expected = Card(card);

        var result = Wiegand.Decode(frame, expected.Format);

        Assert.Equal(expected, Assert.Single(result));
        Assert.Equal(expected.Format, result.RequestedFormat);
    }

    [Fact]
    public void Encode_H10301Facility1Card11572_DataBitsRead77108()
    {
        var frame = Wiegand.Encode(Card("H10301:1:11572"));

        Assert.Equal(26, frame.Length);
        Assert.Equal(77108, Convert.ToInt32(frame[1..25], 2));
        Assert.Equal('0', frame[0]);
        Assert.Equal('1', frame[25]);
    }

    [Fact]
    public void Decode_Data77108WithParity_Facility1Card11572()
    {
        var frame = "0" + Convert.ToString(77108, 2).PadLeft(24, '0') + "1";

        var card = Assert.Single(Wiegand.Decode(frame, CardFormat.H10301));

        Assert.Equal(1, card.FacilityCode);
        Assert.Equal(11572, card.CardNumber);
    }

    // A real 37-bit card (raw 584a2b940) whose parity checks as both H10302 and H10304.
    private const string Ambiguous37 = "0010110000100101000101011100101000000";

    [Fact]
    public void Decode_37BitsWithoutFormat_ReturnsBothCandidates()
    {
        var result = Wiegand.Decode(Ambiguous37);

        Assert.True(result.IsSuccess);
        Assert.Equal(2, result.Count);
        Assert.Equal([Card("H10302:11850046624"), Card("H10304:22602:89248")], result);
        Assert.Null(result.RequestedFormat);
    }

    [Theory]
    [InlineData(CardFormat.H10302, "H10302:11850046624")]
    [InlineData(CardFormat.H10304, "H10304:22602:89248")]
    public void Decode_37BitsWithFormat_ReturnsOnlyThatFormat(CardFormat format, string expected) =>
        Assert.Equal(Card(expected), Assert.Single(Wiegand.Decode(Ambiguous37, format)));

    [Theory]
    [InlineData("H10302:0")]
    [InlineData("H10302:34359738367")]
    [InlineData("H10304:0:0")]
    [InlineData("H10304:65535:524287")]
    [InlineData("H10304:1:100")]
    public void Decode_Any37BitCardWithoutFormat_CandidatesIncludeIt(string text)
    {
        var card = Card(text);

        var result = Wiegand.Decode(Wiegand.Encode(card));

        Assert.Equal(2, result.Count);
        Assert.Contains(card, result);
        Assert.Equal([CardFormat.H10302, CardFormat.H10304], result.Select(c => c.Format));
    }

    [Fact]
    public void Decode_37BitsBadParity_ParityErrorNamingBothFormats()
    {
        var result = Wiegand.Decode(Flip(Ambiguous37, 0));

        Assert.Equal(WiegandDecodeError.ParityError, result.Error);
        Assert.Empty(result);
        Assert.Contains("H10302 and H10304", result.ErrorMessage, StringComparison.Ordinal);
    }

    public static TheoryData<string> RoundTripCards => new()
    {
        "H10301:0:0", "H10301:255:65535", "H10301:1:11572", "H10301:128:32768", "H10301:85:43690",
        "H10302:0", "H10302:34359738367", "H10302:11850046624", "H10302:17179869184", "H10302:1",
        "H10304:0:0", "H10304:65535:524287", "H10304:22602:89248", "H10304:32768:262144", "H10304:1:1",
        "C1000-35:0:0", "C1000-35:4095:1048575", "C1000-35:1337:2137", "C1000-35:2048:524288", "C1000-35:1:1",
        "C1000-48:0:0", "C1000-48:4194303:8388607", "C1000-48:12345:12345", "C1000-48:2097152:4194304", "C1000-48:1:1",
    };

    [Theory]
    [MemberData(nameof(RoundTripCards))]
    public void EncodeThenDecode_AnyCard_ReturnsSameCard(string text)
    {
        var card = Card(text);

        var bits = Wiegand.Encode(card);
        var withFormat = Wiegand.Decode(bits, card.Format);
        var byLength = Wiegand.Decode(bits);

        Assert.Equal(card.Format.GetInfo().Bits, bits.Length);
        Assert.All(bits, c => Assert.True(c is '0' or '1'));
        Assert.Equal(card, Assert.Single(withFormat));
        Assert.Contains(card, byLength);
    }

    [Theory]
    [MemberData(nameof(RoundTripCards))]
    public void EncodeFrameThenDecodeFrame_AnyCard_ReturnsSameCard(string text)
    {
        var card = Card(text);

        var frame = Wiegand.EncodeFrame(card, out var bitCount);

        Assert.Equal(card.Format.GetInfo().Bits, bitCount);
        Assert.Equal(Convert.ToUInt64(Wiegand.Encode(card), 2), frame);
        Assert.Equal(card, Assert.Single(Wiegand.Decode(frame, bitCount, card.Format)));
    }

    [Fact]
    public void DecodeFrame_BitsAboveLength_Ignored()
    {
        var frame = Wiegand.EncodeFrame(Card("H10301:1:11572"), out var bitCount);

        var result = Wiegand.Decode(frame | (0xFFUL << 40), bitCount);

        Assert.Equal(Card("H10301:1:11572"), Assert.Single(result));
    }

    // The parity bits of each format, by position (0 = first bit sent).
    public static TheoryData<string, int> ParityBits => new()
    {
        { "H10301:1:11572", 0 }, { "H10301:1:11572", 25 },
        { "H10302:11850046624", 0 }, { "H10302:11850046624", 36 },
        { "H10304:22602:89248", 0 }, { "H10304:22602:89248", 36 },
        { "C1000-35:1337:2137", 0 }, { "C1000-35:1337:2137", 1 }, { "C1000-35:1337:2137", 34 },
        { "C1000-48:12345:12345", 0 }, { "C1000-48:12345:12345", 1 }, { "C1000-48:12345:12345", 47 },
    };

    [Theory]
    [MemberData(nameof(ParityBits))]
    public void Decode_ParityBitFlipped_ParityError(string text, int position)
    {
        var card = Card(text);
        var bits = Flip(Wiegand.Encode(card), position);

        var withFormat = Wiegand.Decode(bits, card.Format);
        var byLength = Wiegand.Decode(bits);

        Assert.Equal(WiegandDecodeError.ParityError, withFormat.Error);
        Assert.Equal(WiegandDecodeError.ParityError, byLength.Error);
        Assert.False(withFormat.IsSuccess);
        Assert.Empty(withFormat);
        Assert.Equal(
            $"Parity check failed for {card.Format.ToApiName()}: the bits were misread or are not of this format.",
            withFormat.ErrorMessage);
    }

    [Theory]
    [MemberData(nameof(RoundTripCards))]
    public void Decode_AnySingleBitFlipped_ParityError(string text)
    {
        var card = Card(text);
        var bits = Wiegand.Encode(card);

        for (var position = 0; position < bits.Length; position++)
        {
            var result = Wiegand.Decode(Flip(bits, position), card.Format);
            Assert.True(result.Error == WiegandDecodeError.ParityError, $"bit {position} flipped: {result}");
        }
    }

    [Theory]
    [InlineData(CardFormat.H10301, 25)]
    [InlineData(CardFormat.H10301, 27)]
    [InlineData(CardFormat.H10301, 37)]
    [InlineData(CardFormat.H10302, 26)]
    [InlineData(CardFormat.H10304, 36)]
    [InlineData(CardFormat.Corporate1000_35, 37)]
    [InlineData(CardFormat.Corporate1000_48, 47)]
    [InlineData(CardFormat.Corporate1000_48, 100)]
    public void Decode_LengthNotOfFormat_WrongLength(CardFormat format, int length)
    {
        var result = Wiegand.Decode(new string('0', length), format);

        Assert.Equal(WiegandDecodeError.WrongLength, result.Error);
        Assert.Equal(length, result.BitCount);
        Assert.Equal(
            $"{format.ToApiName()} has {format.GetInfo().Bits} bits; got {length}.",
            result.ErrorMessage);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(24)]
    [InlineData(25)]
    [InlineData(27)]
    [InlineData(34)]
    [InlineData(36)]
    [InlineData(38)]
    [InlineData(47)]
    [InlineData(49)]
    [InlineData(64)]
    [InlineData(65)]
    [InlineData(1000)]
    public void Decode_NoFormatOfThatLength_UnsupportedLength(int length)
    {
        var result = Wiegand.Decode(new string('1', length));

        Assert.Equal(WiegandDecodeError.UnsupportedLength, result.Error);
        Assert.Equal(
            $"No supported Wiegand format has {length} bits; H10301 has 26, C1000-35 35, H10302 and H10304 37, C1000-48 48.",
            result.ErrorMessage);
    }

    [Theory]
    [InlineData("0000000010010110100110100a", 26, 'a')]
    [InlineData("2000000010010110100110100a", 1, '2')]
    [InlineData("00000000 10010110100110100", 9, ' ')]
    [InlineData("0000000010010110100110100\n", 26, '\n')]
    public void Decode_NotBinary_NamesCharacterAndPosition(string bits, int position, char character)
    {
        var result = Wiegand.Decode(bits);

        Assert.Equal(WiegandDecodeError.NotBinary, result.Error);
        Assert.Equal($"Wiegand bits must be '0' or '1'; found '{character}' at position {position}.", result.ErrorMessage);
    }

    [Fact]
    public void Decode_Empty_NotBinary()
    {
        var result = Wiegand.Decode(string.Empty);

        Assert.Equal(WiegandDecodeError.NotBinary, result.Error);
        Assert.Contains("empty", result.ErrorMessage, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(CardFormat.Csn)]
    [InlineData((CardFormat)0)]
    [InlineData((CardFormat)42)]
    public void Decode_FormatNotWiegand_NotWiegandFormat(CardFormat format)
    {
        var result = Wiegand.Decode("00000000100101101001101001", format);

        Assert.Equal(WiegandDecodeError.NotWiegandFormat, result.Error);
        Assert.NotNull(result.ErrorMessage);
    }

    [Fact]
    public void Encode_CsnCard_Throws() =>
        Assert.Throws<ArgumentException>(() => Wiegand.Encode(Card("CSN:04A224B2")));

    [Fact]
    public void Encode_DefaultIdentity_Throws() =>
        Assert.Throws<ArgumentException>(() => Wiegand.Encode(default));

    [Fact]
    public void Indexer_PastCandidates_Throws()
    {
        var result = Wiegand.Decode("00000000100101101001101001");

        Assert.Throws<ArgumentOutOfRangeException>(() => result[1]);
        Assert.Throws<ArgumentOutOfRangeException>(() => Wiegand.Decode("01")[0]);
    }

    [Theory]
    [InlineData(26, "H10301")]
    [InlineData(35, "C1000-35")]
    [InlineData(37, "H10302 H10304")]
    [InlineData(48, "C1000-48")]
    [InlineData(36, "")]
    public void FormatsOfLength_SupportedLengths_ListFormats(int bits, string names) =>
        Assert.Equal(names, string.Join(' ', Wiegand.FormatsOfLength(bits).ToArray().Select(f => f.ToApiName())));

    [Fact]
    public void Decode_ValidOrInvalidFrames_AllocatesNothing()
    {
        const string h10301 = "00000000100101101001101001";
        const string badParity = "10000000100101101001101001";
        var frame = Wiegand.EncodeFrame(CardIdentity.Parse("C1000-48:12345:12345"), out var bitCount);
        var checksum = 0L;
        void DecodeAll()
        {
            checksum += Wiegand.Decode(h10301)[0].CardNumber ?? 0;
            checksum += Wiegand.Decode(Ambiguous37)[1].CardNumber ?? 0;
            checksum += Wiegand.Decode(frame, bitCount)[0].FacilityCode ?? 0;
            checksum += (long)Wiegand.Decode(badParity).Error;
            checksum += (long)Wiegand.Decode("0101", CardFormat.H10301).Error;
            foreach (var card in Wiegand.Decode(Ambiguous37))
            {
                checksum += card.ToKey().GetHashCode() & 1;
            }
        }

        DecodeAll();
        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 100; i++)
        {
            DecodeAll();
        }

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
        Assert.NotEqual(0, checksum);
    }

    [Fact]
    public void Decode_RandomInput_NeverThrows()
    {
        var random = new Random(20_261_128);
        const string alphabet = "0101010101xX2 \t";
        for (var i = 0; i < 5_000; i++)
        {
            var length = random.Next(0, 70);
            var chars = new char[length];
            for (var j = 0; j < length; j++)
            {
                chars[j] = alphabet[random.Next(alphabet.Length)];
            }

            CardFormat? format = random.Next(8) is var f && f == 7 ? null : (CardFormat)f;
            var result = Wiegand.Decode(chars, format);

            Assert.Equal(result.IsSuccess, result.ErrorMessage is null);
            Assert.Equal(result.IsSuccess, result.Count > 0);
        }
    }
}
