using Gatehouse.Core.Decisions;

namespace Gatehouse.Core.Tests.Decisions;

public class AccessReasonTests
{
    private static readonly string[] ContractNames =
    [
        "granted", "unknownCredential", "credentialSuspended", "credentialExpired", "credentialNotYetValid",
        "userSuspended", "userExpired", "userNotYetValid", "noAccessToDoor", "outsideSchedule", "holiday",
        "wrongPin", "credentialUsed", "credentialRevoked", "credentialLocked",
        "tokenInvalid", "tokenExpired", "tokenNotYetValid", "tokenReplayed",
    ];

    [Fact]
    public void ToApiName_EveryReason_IsTheContractsSpelling()
    {
        var names = Enum.GetValues<AccessReason>().Select(r => r.ToApiName()).ToArray();

        Assert.Equal(ContractNames.Order(StringComparer.Ordinal), names.Order(StringComparer.Ordinal));
        Assert.Equal(ContractNames, AccessReasons.ApiNames);
    }

    [Fact]
    public void TryParse_EveryContractName_RoundTrips()
    {
        foreach (var name in ContractNames)
        {
            Assert.True(AccessReasons.TryParse(name, out var reason));
            Assert.Equal(name, reason.ToApiName());
        }
    }

    [Theory]
    [InlineData("Granted")]
    [InlineData("outside_schedule")]
    [InlineData("")]
    [InlineData(null)]
    public void TryParse_OtherSpelling_IsFalse(string? name) =>
        Assert.False(AccessReasons.TryParse(name, out _));

    [Fact]
    public void ToApiName_ValueOutsideEnum_Throws() =>
        Assert.Throws<ArgumentOutOfRangeException>(() => ((AccessReason)99).ToApiName());

    [Fact]
    public void ToWords_EveryReason_IsDistinctWordsWithoutTheCode()
    {
        var words = Enum.GetValues<AccessReason>().Select(r => r.ToWords()).ToArray();

        Assert.Equal(words.Length, words.Distinct(StringComparer.Ordinal).Count());
        Assert.All(words, w => Assert.DoesNotContain(w, ContractNames));
        Assert.All(words, w => Assert.True(char.IsUpper(w[0]), w));
    }

    [Theory]
    [InlineData("userSuspended", "User suspended")]
    [InlineData("outsideSchedule", "Outside the schedule")]
    [InlineData("aReasonOfANewerVersion", "aReasonOfANewerVersion")]
    [InlineData(null, "")]
    public void DescribeApiName_Code_IsItsWords(string? code, string words) =>
        Assert.Equal(words, AccessReasons.DescribeApiName(code));

    [Fact]
    public void Granted_OnlyForGrantedReason_IsTrue()
    {
        foreach (var reason in Enum.GetValues<AccessReason>())
        {
            Assert.Equal(reason == AccessReason.Granted, new AccessDecision(reason).Granted);
        }
    }
}
