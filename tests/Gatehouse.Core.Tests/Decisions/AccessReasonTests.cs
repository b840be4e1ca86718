using Gatehouse.Core.Decisions;

namespace Gatehouse.Core.Tests.Decisions;

public class AccessReasonTests
{
    private static readonly string[] ContractNames =
    [
        "granted", "unknownCredential", "credentialSuspended", "credentialExpired", "credentialNotYetValid",
        "userSuspended", "userExpired", "userNotYetValid", "noAccessToDoor", "outsideSchedule", "holiday",
        "wrongPin", "credentialUsed", "credentialRevoked", "credentialLocked",
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
    public void Granted_OnlyForGrantedReason_IsTrue()
    {
        foreach (var reason in Enum.GetValues<AccessReason>())
        {
            Assert.Equal(reason == AccessReason.Granted, new AccessDecision(reason).Granted);
        }
    }
}
