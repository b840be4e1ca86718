using Gatehouse.Core.Cards;

namespace Gatehouse.Core.Tests.Cards;

public class CsnTextTests
{
    [Theory]
    [InlineData("DEADBEEF", "DEADBEEF")]
    [InlineData("deadbeef", "DEADBEEF")]
    [InlineData("de:ad:be:ef", "DEADBEEF")]
    [InlineData("De:Ad:bE:eF", "DEADBEEF")]
    [InlineData("de-ad-be-ef", "DEADBEEF")]
    [InlineData("de ad be ef", "DEADBEEF")]
    [InlineData("04:A2:24:B2:C1:5E:80", "04A224B2C15E80")]
    [InlineData("04", "04")]
    [InlineData("04:A2", "04A2")]
    [InlineData("04A", "04A")]
    public void TryNormalize_AcceptedForm_GivesUpperCaseHexWithoutSeparators(string text, string expected)
    {
        Assert.True(CsnText.TryNormalize(text, out var hex, out var error), error);

        Assert.Equal(expected, hex);
        Assert.Empty(error);
    }

    [Theory]
    [InlineData("")]
    [InlineData(null)]
    [InlineData("DEADBEEG")]
    [InlineData("0xDEADBEEF")]
    [InlineData("dead:beef")]
    [InlineData("de:ad-be:ef")]
    [InlineData("de::ad:be:ef")]
    [InlineData("de:ad:be:ef:")]
    [InlineData(":de:ad:be:ef")]
    [InlineData("de:ad:be:e")]
    [InlineData("de:ad:be:eff")]
    [InlineData(" deadbeef")]
    [InlineData("deadbeef ")]
    [InlineData("de.ad.be.ef")]
    [InlineData("de\tad\tbe\tef")]
    [InlineData("de_ad_be_ef")]
    public void TryNormalize_OtherText_FailsSayingWhatIsAccepted(string? text)
    {
        Assert.False(CsnText.TryNormalize(text, out var hex, out var error));

        Assert.Null(hex);
        Assert.Equal($"CSN must be {CsnText.Rule}.", error);
    }
}
