using Gatehouse.Core.Cards;

namespace Gatehouse.Core.Tests.Cards;

public class CardIdentityTests
{
    private static CardIdentity Create(string? format, long? facilityCode, long? cardNumber, string? csn = null)
    {
        Assert.True(
            CardIdentity.TryCreate(format, facilityCode, cardNumber, csn, out var identity, out var errors),
            string.Join("; ", errors.Select(e => $"{e.Field}: {e.Message}")));
        Assert.Empty(errors);
        return identity;
    }

    private static CardFieldError SingleError(string? format, long? facilityCode, long? cardNumber, string? csn = null)
    {
        Assert.False(CardIdentity.TryCreate(format, facilityCode, cardNumber, csn, out var identity, out var errors));
        Assert.Equal(default, identity);
        return Assert.Single(errors);
    }

    [Fact]
    public void TryCreate_H10301InRange_HoldsFields()
    {
        var card = Create("H10301", 1, 11572);

        Assert.Equal(CardFormat.H10301, card.Format);
        Assert.Equal(1, card.FacilityCode);
        Assert.Equal(11572, card.CardNumber);
        Assert.Null(card.Csn);
        Assert.True(card.IsWiegand);
        Assert.False(card.IsCsn);
    }

    [Theory]
    [InlineData("H10301", 0L, 0L)]
    [InlineData("H10301", 255L, 65_535L)]
    [InlineData("H10304", 0L, 0L)]
    [InlineData("H10304", 65_535L, 524_287L)]
    [InlineData("C1000-35", 0L, 0L)]
    [InlineData("C1000-35", 4_095L, 1_048_575L)]
    [InlineData("C1000-48", 0L, 0L)]
    [InlineData("C1000-48", 4_194_303L, 8_388_607L)]
    public void TryCreate_FacilityFormatAtRangeEdges_Succeeds(string format, long facilityCode, long cardNumber)
    {
        var card = Create(format, facilityCode, cardNumber);

        Assert.Equal(facilityCode, card.FacilityCode);
        Assert.Equal(cardNumber, card.CardNumber);
    }

    [Theory]
    [InlineData(0L)]
    [InlineData(34_359_738_367L)]
    public void TryCreate_H10302AtRangeEdges_HasNoFacilityCode(long cardNumber)
    {
        var card = Create("H10302", null, cardNumber);

        Assert.Null(card.FacilityCode);
        Assert.Equal(cardNumber, card.CardNumber);
    }

    [Theory]
    [InlineData("H10301", 256L, "Facility code must be between 0 and 255 for H10301.")]
    [InlineData("H10301", -1L, "Facility code must be between 0 and 255 for H10301.")]
    [InlineData("H10304", 65_536L, "Facility code must be between 0 and 65,535 for H10304.")]
    [InlineData("C1000-35", 4_096L, "Facility code (company ID) must be between 0 and 4,095 for C1000-35.")]
    [InlineData("C1000-48", 4_194_304L, "Facility code (company ID) must be between 0 and 4,194,303 for C1000-48.")]
    public void TryCreate_FacilityCodeOutOfRange_NamesFacilityCodeAndRange(string format, long facilityCode, string message)
    {
        var error = SingleError(format, facilityCode, 1);

        Assert.Equal(CardFields.FacilityCode, error.Field);
        Assert.Equal(message, error.Message);
    }

    [Theory]
    [InlineData("H10301", 65_536L, "Card number must be between 0 and 65,535 for H10301.")]
    [InlineData("H10301", -1L, "Card number must be between 0 and 65,535 for H10301.")]
    [InlineData("H10304", 524_288L, "Card number must be between 0 and 524,287 for H10304.")]
    [InlineData("C1000-35", 1_048_576L, "Card number must be between 0 and 1,048,575 for C1000-35.")]
    [InlineData("C1000-48", 8_388_608L, "Card number must be between 0 and 8,388,607 for C1000-48.")]
    public void TryCreate_CardNumberOutOfRange_NamesCardNumberAndRange(string format, long cardNumber, string message)
    {
        var error = SingleError(format, 1, cardNumber);

        Assert.Equal(CardFields.CardNumber, error.Field);
        Assert.Equal(message, error.Message);
    }

    [Theory]
    [InlineData(34_359_738_368L)]
    [InlineData(-1L)]
    [InlineData(long.MaxValue)]
    public void TryCreate_H10302CardNumberOutOfRange_NamesCardNumber(long cardNumber)
    {
        var error = SingleError("H10302", null, cardNumber);

        Assert.Equal(CardFields.CardNumber, error.Field);
        Assert.Equal("Card number must be between 0 and 34,359,738,367 for H10302.", error.Message);
    }

    [Theory]
    [InlineData("H10301")]
    [InlineData("H10304")]
    [InlineData("C1000-35")]
    [InlineData("C1000-48")]
    public void TryCreate_FacilityCodeMissing_NamesFacilityCode(string format)
    {
        var error = SingleError(format, null, 1);

        Assert.Equal(CardFields.FacilityCode, error.Field);
        Assert.Contains("required", error.Message, StringComparison.Ordinal);
        Assert.Contains("between 0 and", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("H10301", 1L)]
    [InlineData("H10302", null)]
    [InlineData("H10304", 1L)]
    [InlineData("C1000-35", 1L)]
    [InlineData("C1000-48", 1L)]
    public void TryCreate_CardNumberMissing_NamesCardNumber(string format, long? facilityCode)
    {
        var error = SingleError(format, facilityCode, null);

        Assert.Equal(CardFields.CardNumber, error.Field);
        Assert.Contains("required", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void TryCreate_FacilityCodeForH10302_NamesFacilityCode()
    {
        var error = SingleError("H10302", 0, 1);

        Assert.Equal(CardFields.FacilityCode, error.Field);
        Assert.Equal("H10302 has no facility code; leave facilityCode out.", error.Message);
    }

    [Theory]
    [InlineData("H10301", 1L)]
    [InlineData("H10302", null)]
    [InlineData("C1000-48", 1L)]
    public void TryCreate_CsnForWiegandFormat_NamesCsn(string format, long? facilityCode)
    {
        var error = SingleError(format, facilityCode, 1, "04A224B2");

        Assert.Equal(CardFields.Csn, error.Field);
    }

    [Fact]
    public void TryCreate_FacilityCodeAndCardNumberForCsn_NamesBoth()
    {
        Assert.False(CardIdentity.TryCreate("CSN", 1, 2, "04A224B2", out _, out var errors));

        Assert.Equal([CardFields.FacilityCode, CardFields.CardNumber], errors.Select(e => e.Field));
    }

    [Fact]
    public void TryCreate_CsnMissing_NamesCsn()
    {
        var error = SingleError("CSN", null, null);

        Assert.Equal(CardFields.Csn, error.Field);
        Assert.Contains("8, 14 or 20 hex digits", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void TryCreate_EverythingWrong_ReportsEachField()
    {
        Assert.False(CardIdentity.TryCreate("H10301", 300, 70_000, "04A224B2", out _, out var errors));

        Assert.Equal(
            [CardFields.Csn, CardFields.FacilityCode, CardFields.CardNumber],
            errors.Select(e => e.Field));
    }

    [Theory]
    [InlineData("H10303")]
    [InlineData("")]
    [InlineData("wiegand")]
    public void TryCreate_UnknownFormat_NamesFormatAndListsNames(string format)
    {
        var error = SingleError(format, 1, 1);

        Assert.Equal(CardFields.Format, error.Field);
        Assert.Contains("H10301, H10302, H10304, C1000-35, C1000-48, CSN", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void TryCreate_FormatMissing_NamesFormat()
    {
        var error = SingleError(null, 1, 1);

        Assert.Equal(CardFields.Format, error.Field);
        Assert.Contains("required", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void TryCreate_UndefinedEnumValue_NamesFormat()
    {
        Assert.False(CardIdentity.TryCreate((CardFormat)0, 1, 1, null, out _, out var errors));

        Assert.Equal(CardFields.Format, Assert.Single(errors).Field);
    }

    [Fact]
    public void TryCreate_LowerCaseFormatName_Accepted() =>
        Assert.Equal(Create("C1000-35", 1, 2), Create("c1000-35", 1, 2));

    [Theory]
    [InlineData("04A224B2")]
    [InlineData("04A224B2C15E80")]
    [InlineData("04A224B2C15E8012AB34")]
    [InlineData("00000000")]
    [InlineData("FFFFFFFFFFFFFFFFFFFF")]
    public void TryCreate_CsnOf8Or14Or20HexDigits_Succeeds(string csn)
    {
        var card = Create("CSN", null, null, csn);

        Assert.Equal(CardFormat.Csn, card.Format);
        Assert.True(card.IsCsn);
        Assert.False(card.IsWiegand);
        Assert.Equal(csn, card.Csn);
        Assert.Null(card.FacilityCode);
        Assert.Null(card.CardNumber);
    }

    [Fact]
    public void TryCreate_LowerCaseCsn_NormalisedToUpperCase()
    {
        var card = Create("csn", null, null, "04a224b2c15e80");

        Assert.Equal("04A224B2C15E80", card.Csn);
        Assert.Equal(Create("CSN", null, null, "04A224B2C15E80"), card);
    }

    [Theory]
    [InlineData("04A224B2C", 9)]
    [InlineData("04A224B2C1", 10)]
    [InlineData("04A224", 6)]
    [InlineData("04A224B2C15E8", 13)]
    [InlineData("04A224B2C15E8012AB3", 19)]
    [InlineData("04A224B2C15E8012AB3456", 22)]
    public void TryCreate_CsnOfWrongLength_NamesCsnAndLengths(string csn, int length)
    {
        var error = SingleError("CSN", null, null, csn);

        Assert.Equal(CardFields.Csn, error.Field);
        Assert.Equal($"CSN must be 8, 14 or 20 hex digits (a UID of 4, 7 or 10 bytes); got {length}.", error.Message);
    }

    [Theory]
    [InlineData("04A224G2")]
    [InlineData("04A2:24B2")]
    [InlineData("04:A2-24:B2")]
    [InlineData("04A224B2 ")]
    [InlineData("0x04A224")]
    [InlineData("")]
    public void TryCreate_CsnNotHex_NamesCsn(string csn)
    {
        var error = SingleError("CSN", null, null, csn);

        Assert.Equal(CardFields.Csn, error.Field);
        Assert.Contains("hex digits", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("de:ad:be:ef", "DEADBEEF")]
    [InlineData("DE-AD-BE-EF", "DEADBEEF")]
    [InlineData("04 a2 24 b2 c1 5e 80", "04A224B2C15E80")]
    public void TryCreate_CsnWithSeparatorsBetweenBytePairs_IsTheSameCardAsPlainHex(string typed, string plain)
    {
        var card = Create("CSN", null, null, typed);

        Assert.Equal(plain, card.Csn);
        Assert.Equal(Create("CSN", null, null, plain), card);
    }

    [Fact]
    public void TryCreate_CsnWithSeparatorsOfWrongLength_CountsOnlyTheDigits()
    {
        var error = SingleError("CSN", null, null, "04:A2:24");

        Assert.Equal("CSN must be 8, 14 or 20 hex digits (a UID of 4, 7 or 10 bytes); got 6.", error.Message);
    }

    [Fact]
    public void TryParse_CanonicalTextWithSeparators_Fails()
    {
        // The canonical text stays plain hex: separators are for what people type, not for stored keys.
        Assert.False(CardIdentity.TryParse("CSN:DE:AD:BE:EF", out _));
    }

    [Theory]
    [InlineData("H10301", 1L, 11572L, null, "H10301:1:11572")]
    [InlineData("H10302", null, 11_850_046_624L, null, "H10302:11850046624")]
    [InlineData("H10304", 22602L, 89248L, null, "H10304:22602:89248")]
    [InlineData("C1000-35", 0L, 0L, null, "C1000-35:0:0")]
    [InlineData("C1000-48", 4_194_303L, 8_388_607L, null, "C1000-48:4194303:8388607")]
    [InlineData("CSN", null, null, "04a224b2c15e80", "CSN:04A224B2C15E80")]
    public void ToString_AnyCard_IsCanonicalText(string format, long? facilityCode, long? cardNumber, string? csn, string expected)
    {
        var card = Create(format, facilityCode, cardNumber, csn);

        Assert.Equal(expected, card.ToString());
        Assert.Equal(card, CardIdentity.Parse(expected));
    }

    [Theory]
    [InlineData("h10301:1:11572", "H10301:1:11572")]
    [InlineData("H10301:001:011572", "H10301:1:11572")]
    [InlineData("csn:04a224b2", "CSN:04A224B2")]
    public void TryParse_NonCanonicalSpelling_ReadsSameCard(string text, string canonical)
    {
        Assert.True(CardIdentity.TryParse(text, out var card));
        Assert.Equal(canonical, card.ToString());
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("H10301")]
    [InlineData("H10301:1")]
    [InlineData("H10301:1:11572:5")]
    [InlineData("H10301:256:1")]
    [InlineData("H10301:-1:1")]
    [InlineData("H10301:+1:1")]
    [InlineData("H10301: 1:1")]
    [InlineData("H10302:1:1")]
    [InlineData("CSN:04A224B2C")]
    [InlineData("CSN:")]
    [InlineData("X:1:1")]
    public void TryParse_NotCanonicalText_Fails(string? text)
    {
        Assert.False(CardIdentity.TryParse(text, out var card));
        Assert.Equal(default, card);
    }

    [Fact]
    public void Parse_NotCanonicalText_Throws() =>
        Assert.Throws<FormatException>(() => CardIdentity.Parse("H10301:1"));

    [Theory]
    [InlineData("H10301:1:11572", "H10301:***72")]
    [InlineData("H10302:11850046624", "H10302:***24")]
    [InlineData("C1000-48:4194303:8388607", "C1000-48:***07")]
    [InlineData("H10301:1:7", "H10301:***7")]
    [InlineData("CSN:04A224B2C15E80", "CSN:***E80")]
    public void ToMaskedString_AnyCard_ShowsOnlyTheLastDigits(string text, string expected)
    {
        var masked = CardIdentity.Parse(text).ToMaskedString();

        Assert.Equal(expected, masked);
    }

    [Fact]
    public void ToMaskedString_H10301_HidesFacilityCodeAndLeadingDigits()
    {
        var masked = CardIdentity.Parse("H10301:123:45678").ToMaskedString();

        Assert.DoesNotContain("123", masked, StringComparison.Ordinal);
        Assert.DoesNotContain("456", masked, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(new byte[] { 0x04, 0xA2, 0x24, 0xB2 }, "04A224B2")]
    [InlineData(new byte[] { 0x04, 0xA2, 0x24, 0xB2, 0xC1, 0x5E, 0x80 }, "04A224B2C15E80")]
    [InlineData(new byte[] { 0x04, 0xA2, 0x24, 0xB2, 0xC1, 0x5E, 0x80, 0x12, 0xAB, 0x34 }, "04A224B2C15E8012AB34")]
    public void TryFromCsn_UidBytes_MatchHexText(byte[] uid, string hex)
    {
        Assert.True(CardIdentity.TryFromCsn(uid, out var card));

        Assert.Equal(hex, card.Csn);
        Assert.Equal(Create("CSN", null, null, hex), card);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(3)]
    [InlineData(5)]
    [InlineData(8)]
    [InlineData(11)]
    public void TryFromCsn_OtherByteCount_Fails(int length) =>
        Assert.False(CardIdentity.TryFromCsn(new byte[length], out _));

    [Fact]
    public void Default_NamesNoCard()
    {
        CardIdentity none = default;

        Assert.False(none.IsWiegand);
        Assert.False(none.IsCsn);
        Assert.Null(none.CardNumber);
        Assert.Null(none.Csn);
        Assert.Equal(string.Empty, none.ToString());
        Assert.Equal(string.Empty, none.ToMaskedString());
    }
}
