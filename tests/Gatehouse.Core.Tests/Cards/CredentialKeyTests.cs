using Gatehouse.Core.Cards;

namespace Gatehouse.Core.Tests.Cards;

public class CredentialKeyTests
{
    private static CardIdentity Card(string text) => CardIdentity.Parse(text);

    [Fact]
    public void Equals_SameParts_EqualWithSameHash()
    {
        var a = new CredentialKey(1, 2);
        var b = new CredentialKey(1, 2);

        Assert.Equal(a, b);
        Assert.Equal(a.GetHashCode(), b.GetHashCode());
        Assert.NotEqual(a, new CredentialKey(2, 1));
    }

    [Theory]
    [InlineData("H10301:1:11572")]
    [InlineData("H10302:11850046624")]
    [InlineData("C1000-48:4194303:8388607")]
    [InlineData("CSN:04A224B2C15E80")]
    public void ToKey_EqualIdentitiesBuiltDifferently_EqualKeys(string text)
    {
        var parsed = Card(text);
        Assert.True(CardIdentity.TryParse(text.ToLowerInvariant(), out var fromLowerCase));

        Assert.Equal(parsed, fromLowerCase);
        Assert.Equal(parsed.ToKey(), fromLowerCase.ToKey());
        Assert.Equal(parsed.ToKey().GetHashCode(), fromLowerCase.ToKey().GetHashCode());
    }

    [Fact]
    public void ToKey_CsnFromBytesAndFromHex_EqualKeys()
    {
        Assert.True(CardIdentity.TryFromCsn([0x04, 0xA2, 0x24, 0xB2, 0xC1, 0x5E, 0x80], out var fromBytes));

        Assert.Equal(Card("CSN:04A224B2C15E80").ToKey(), fromBytes.ToKey());
    }

    [Fact]
    public void ToKey_DecodedFrame_EqualsKeyOfEnrolledCard()
    {
        var enrolled = Card("H10301:1:11572");

        var decoded = Wiegand.Decode("00000000100101101001101001");

        Assert.Equal(enrolled.ToKey(), decoded[0].ToKey());
    }

    public static TheoryData<string, string> DifferentCards => new()
    {
        // Same numbers, different formats.
        { "H10301:1:100", "H10304:1:100" },
        { "H10304:1:100", "C1000-35:1:100" },
        { "C1000-35:1:100", "C1000-48:1:100" },
        { "H10301:0:100", "H10302:100" },
        { "H10304:0:100", "H10302:100" },
        // Same format, one field differs.
        { "H10301:1:11572", "H10301:2:11572" },
        { "H10301:1:11572", "H10301:1:11573" },
        { "H10301:0:1", "H10301:1:0" },
        // A CSN and a Wiegand card whose numbers read the same.
        { "CSN:00000064", "H10302:100" },
        { "CSN:00000000", "H10302:0" },
        { "CSN:00000001", "H10301:0:1" },
        { "CSN:0000000000000000FFFF", "H10302:65535" },
        // CSNs that are the same number in different lengths.
        { "CSN:00000000", "CSN:00000000000000" },
        { "CSN:00000000000000", "CSN:00000000000000000000" },
        { "CSN:04A224B2", "CSN:00000004A224B2" },
        { "CSN:FFFFFFFFFFFFFF", "CSN:00FFFFFFFFFFFFFF0000" },
    };

    [Theory]
    [MemberData(nameof(DifferentCards))]
    public void ToKey_DifferentCards_DifferentKeys(string left, string right)
    {
        var a = Card(left);
        var b = Card(right);

        Assert.NotEqual(a, b);
        Assert.NotEqual(a.ToKey(), b.ToKey());
        Assert.NotEqual(a.ToString(), b.ToString());
    }

    [Fact]
    public void ToKey_ManyCards_AllDistinct()
    {
        var keys = new HashSet<CredentialKey>();
        var count = 0;
        foreach (var format in new[] { "H10301", "H10304", "C1000-35", "C1000-48" })
        {
            for (var fc = 0; fc < 20; fc++)
            {
                for (var cn = 0; cn < 50; cn++)
                {
                    keys.Add(Card($"{format}:{fc}:{cn}").ToKey());
                    count++;
                }
            }
        }

        for (var cn = 0; cn < 1000; cn++)
        {
            keys.Add(Card($"H10302:{cn}").ToKey());
            keys.Add(Card($"CSN:{cn:X8}").ToKey());
            keys.Add(Card($"CSN:{cn:X14}").ToKey());
            keys.Add(Card($"CSN:{cn:X20}").ToKey());
            count += 4;
        }

        Assert.Equal(count, keys.Count);
    }
}
