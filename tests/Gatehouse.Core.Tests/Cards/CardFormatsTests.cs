using Gatehouse.Core.Cards;

namespace Gatehouse.Core.Tests.Cards;

public class CardFormatsTests
{
    [Theory]
    [InlineData("H10301", CardFormat.H10301)]
    [InlineData("H10302", CardFormat.H10302)]
    [InlineData("H10304", CardFormat.H10304)]
    [InlineData("C1000-35", CardFormat.Corporate1000_35)]
    [InlineData("C1000-48", CardFormat.Corporate1000_48)]
    [InlineData("CSN", CardFormat.Csn)]
    [InlineData("h10301", CardFormat.H10301)]
    [InlineData("c1000-35", CardFormat.Corporate1000_35)]
    [InlineData("csn", CardFormat.Csn)]
    public void TryParse_ApiName_ReturnsFormat(string name, CardFormat expected)
    {
        Assert.True(CardFormats.TryParse(name, out var format));
        Assert.Equal(expected, format);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("H10303")]
    [InlineData("26")]
    [InlineData(" H10301")]
    [InlineData("H10301 ")]
    [InlineData("Corporate1000_35")]
    [InlineData("C1000_35")]
    [InlineData("Csn6")]
    public void TryParse_UnknownName_Fails(string? name) =>
        Assert.False(CardFormats.TryParse(name, out _));

    [Theory]
    [InlineData(CardFormat.H10301, "H10301")]
    [InlineData(CardFormat.H10302, "H10302")]
    [InlineData(CardFormat.H10304, "H10304")]
    [InlineData(CardFormat.Corporate1000_35, "C1000-35")]
    [InlineData(CardFormat.Corporate1000_48, "C1000-48")]
    [InlineData(CardFormat.Csn, "CSN")]
    public void ToApiName_EachFormat_IsCanonicalSpelling(CardFormat format, string expected) =>
        Assert.Equal(expected, format.ToApiName());

    [Fact]
    public void ToApiName_UndefinedValue_Throws() =>
        Assert.Throws<ArgumentOutOfRangeException>(() => ((CardFormat)99).ToApiName());

    [Theory]
    [InlineData(CardFormat.H10301, 26, true, 255L, 65_535L)]
    [InlineData(CardFormat.H10302, 37, false, 0L, 34_359_738_367L)]
    [InlineData(CardFormat.H10304, 37, true, 65_535L, 524_287L)]
    [InlineData(CardFormat.Corporate1000_35, 35, true, 4_095L, 1_048_575L)]
    [InlineData(CardFormat.Corporate1000_48, 48, true, 4_194_303L, 8_388_607L)]
    public void GetInfo_WiegandFormat_MatchesContractTable(
        CardFormat format, int bits, bool hasFacilityCode, long maxFacilityCode, long maxCardNumber)
    {
        var info = format.GetInfo();

        Assert.Equal(format, info.Format);
        Assert.Equal(bits, info.Bits);
        Assert.Equal(hasFacilityCode, info.HasFacilityCode);
        Assert.Equal(maxFacilityCode, info.MaxFacilityCode);
        Assert.Equal(maxCardNumber, info.MaxCardNumber);
        Assert.True(info.IsWiegand);
        Assert.True(info.HasCardNumber);
        Assert.False(info.HasCsn);
    }

    [Fact]
    public void GetInfo_Csn_HasOnlyASerial()
    {
        var info = CardFormat.Csn.GetInfo();

        Assert.Equal("CSN", info.Name);
        Assert.False(info.IsWiegand);
        Assert.False(info.HasFacilityCode);
        Assert.False(info.HasCardNumber);
        Assert.True(info.HasCsn);
        Assert.Equal([8, 14, 20], CardFormats.CsnHexLengths);
    }

    [Fact]
    public void All_EveryEnumValue_ListedOnceInEnumOrder()
    {
        Assert.Equal(Enum.GetValues<CardFormat>(), CardFormats.All.Select(i => i.Format));
        Assert.All(CardFormats.All, info =>
        {
            Assert.True(CardFormats.TryParse(info.Name, out var parsed));
            Assert.Equal(info.Format, parsed);
        });
    }

    [Fact]
    public void NameList_ListsEveryApiName() =>
        Assert.Equal("H10301, H10302, H10304, C1000-35, C1000-48, CSN", CardFormats.NameList);
}
