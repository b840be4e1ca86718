using Gatehouse.Core.Decisions;

namespace Gatehouse.Core.Tests.Decisions;

public class AccessSnapshotTests
{
    private static readonly CredentialKey Card = new(1, (1UL << 32) | 11572);
    private static readonly DateTimeOffset MondayNoon = new(2026, 3, 9, 12, 15, 0, TimeSpan.Zero);

    private readonly SourceBuilder _source = new();
    private readonly Guid _door;
    private readonly Guid _schedule;
    private readonly Guid _group;

    public AccessSnapshotTests()
    {
        _door = _source.Door("UTC");
        _schedule = _source.Schedule(SourceBuilder.AllWeek("08:00", "18:00"), new DateOnly(2026, 12, 25));
        _group = _source.Group(_schedule, _door);
    }

    [Fact]
    public void Decide_CardInOpenSchedule_GrantsNamingUserCredentialAndGroup()
    {
        var user = _source.User(_group);
        var credential = _source.Credential(user, Card);

        var decision = _source.Build().Decide(Card, _door, MondayNoon);

        Assert.Equal(new AccessDecision(AccessReason.Granted, user, credential, _group), decision);
        Assert.True(decision.Granted);
    }

    [Fact]
    public void Decide_UnknownCard_DeniesWithUnknownCredentialAndNoIds()
    {
        _source.Credential(_source.User(_group), Card);

        var decision = _source.Build().Decide(new CredentialKey(1, 99), _door, MondayNoon);

        Assert.Equal(new AccessDecision(AccessReason.UnknownCredential), decision);
        Assert.False(decision.Granted);
    }

    [Fact]
    public void Decide_SuspendedCredential_DeniesWithCredentialSuspended()
    {
        var user = _source.User(_group);
        var credential = _source.Credential(user, Card, suspended: true);

        var decision = _source.Build().Decide(Card, _door, MondayNoon);

        Assert.Equal(new AccessDecision(AccessReason.CredentialSuspended, user, credential), decision);
    }

    [Theory]
    [InlineData(-1, AccessReason.CredentialNotYetValid)]
    [InlineData(0, AccessReason.Granted)]
    [InlineData(1, AccessReason.Granted)]
    public void Decide_AroundCredentialValidFrom_ValidFromIsInclusive(long ticksAfterValidFrom, AccessReason expected)
    {
        _source.Credential(_source.User(_group), Card, validFrom: MondayNoon);

        var decision = _source.Build().Decide(Card, _door, MondayNoon.AddTicks(ticksAfterValidFrom));

        Assert.Equal(expected, decision.Reason);
    }

    [Theory]
    [InlineData(-1, AccessReason.Granted)]
    [InlineData(0, AccessReason.CredentialExpired)]
    [InlineData(1, AccessReason.CredentialExpired)]
    public void Decide_AroundCredentialValidUntil_ValidUntilIsExclusive(long ticksAfterValidUntil, AccessReason expected)
    {
        _source.Credential(_source.User(_group), Card, validUntil: MondayNoon);

        var decision = _source.Build().Decide(Card, _door, MondayNoon.AddTicks(ticksAfterValidUntil));

        Assert.Equal(expected, decision.Reason);
    }

    [Fact]
    public void Decide_ValidityGivenInAnotherOffset_ComparesInstants()
    {
        var until = new DateTimeOffset(2026, 3, 9, 8, 15, 0, TimeSpan.FromHours(-4));
        _source.Credential(_source.User(_group), Card, validUntil: until);

        var decision = _source.Build().Decide(Card, _door, MondayNoon);

        Assert.Equal(AccessReason.CredentialExpired, decision.Reason);
    }

    [Fact]
    public void Decide_SuspendedUser_DeniesWithUserSuspended()
    {
        var user = _source.User(suspended: true, null, null, _group);
        var credential = _source.Credential(user, Card);

        var decision = _source.Build().Decide(Card, _door, MondayNoon);

        Assert.Equal(new AccessDecision(AccessReason.UserSuspended, user, credential), decision);
    }

    [Theory]
    [InlineData(-1, AccessReason.UserNotYetValid)]
    [InlineData(0, AccessReason.Granted)]
    public void Decide_AroundUserValidFrom_ValidFromIsInclusive(long ticksAfterValidFrom, AccessReason expected)
    {
        _source.Credential(_source.User(suspended: false, MondayNoon, null, _group), Card);

        var decision = _source.Build().Decide(Card, _door, MondayNoon.AddTicks(ticksAfterValidFrom));

        Assert.Equal(expected, decision.Reason);
    }

    [Theory]
    [InlineData(-1, AccessReason.Granted)]
    [InlineData(0, AccessReason.UserExpired)]
    public void Decide_AroundUserValidUntil_ValidUntilIsExclusive(long ticksAfterValidUntil, AccessReason expected)
    {
        _source.Credential(_source.User(suspended: false, null, MondayNoon, _group), Card);

        var decision = _source.Build().Decide(Card, _door, MondayNoon.AddTicks(ticksAfterValidUntil));

        Assert.Equal(expected, decision.Reason);
    }

    [Fact]
    public void Decide_NoGroupOfUserCoversDoor_DeniesWithNoAccessToDoor()
    {
        var otherDoor = _source.Door("UTC");
        var otherGroup = _source.Group(_schedule, otherDoor);
        var user = _source.User(otherGroup);
        var credential = _source.Credential(user, Card);

        var decision = _source.Build().Decide(Card, _door, MondayNoon);

        Assert.Equal(new AccessDecision(AccessReason.NoAccessToDoor, user, credential), decision);
    }

    [Fact]
    public void Decide_UserWithoutGroups_DeniesWithNoAccessToDoor()
    {
        _source.Credential(_source.User(), Card);

        Assert.Equal(AccessReason.NoAccessToDoor, _source.Build().Decide(Card, _door, MondayNoon).Reason);
    }

    [Fact]
    public void Decide_DoorNotInSnapshot_DeniesWithNoAccessToDoorAndContainsDoorIsFalse()
    {
        _source.Credential(_source.User(_group), Card);
        var unknownDoor = Guid.Parse("00000000-0000-4000-8000-999999999999");
        var snapshot = _source.Build();

        Assert.Equal(AccessReason.NoAccessToDoor, snapshot.Decide(Card, unknownDoor, MondayNoon).Reason);
        Assert.False(snapshot.ContainsDoor(unknownDoor));
        Assert.True(snapshot.ContainsDoor(_door));
    }

    [Theory]
    [InlineData(7, 59, AccessReason.OutsideSchedule)]
    [InlineData(8, 0, AccessReason.Granted)]
    [InlineData(17, 59, AccessReason.Granted)]
    [InlineData(18, 0, AccessReason.OutsideSchedule)]
    public void Decide_AroundWindowBounds_StartIsInclusiveEndExclusive(int hour, int minute, AccessReason expected)
    {
        var user = _source.User(_group);
        var credential = _source.Credential(user, Card);
        var at = new DateTimeOffset(2026, 3, 9, hour, minute, 0, TimeSpan.Zero);

        var decision = _source.Build().Decide(Card, _door, at);

        Assert.Equal(new AccessDecision(expected, user, credential, _group), decision);
    }

    [Fact]
    public void Decide_OnHoliday_DeniesWithHolidayNamingGroup()
    {
        var user = _source.User(_group);
        var credential = _source.Credential(user, Card);
        var christmasNoon = new DateTimeOffset(2026, 12, 25, 12, 0, 0, TimeSpan.Zero);

        var decision = _source.Build().Decide(Card, _door, christmasNoon);

        Assert.Equal(new AccessDecision(AccessReason.Holiday, user, credential, _group), decision);
    }

    [Fact]
    public void Decide_SuspendedAndExpiredCredentialOfSuspendedUser_ReportsCredentialSuspendedFirst()
    {
        var user = _source.User(suspended: true, null, MondayNoon, _group);
        _source.Credential(user, Card, suspended: true, validUntil: MondayNoon);

        Assert.Equal(AccessReason.CredentialSuspended, _source.Build().Decide(Card, _door, MondayNoon).Reason);
    }

    [Fact]
    public void Decide_ExpiredCredentialOfSuspendedUser_ReportsCredentialExpired()
    {
        _source.Credential(_source.User(suspended: true, null, null, _group), Card, validUntil: MondayNoon);

        Assert.Equal(AccessReason.CredentialExpired, _source.Build().Decide(Card, _door, MondayNoon).Reason);
    }

    [Fact]
    public void Decide_SuspendedExpiredUserWithoutAccessToDoor_ReportsUserSuspended()
    {
        _source.Credential(_source.User(suspended: true, null, MondayNoon), Card);

        Assert.Equal(AccessReason.UserSuspended, _source.Build().Decide(Card, _door, MondayNoon).Reason);
    }

    [Fact]
    public void Decide_ExpiredUserWithoutAccessToDoor_ReportsUserExpired()
    {
        _source.Credential(_source.User(suspended: false, null, MondayNoon), Card);

        Assert.Equal(AccessReason.UserExpired, _source.Build().Decide(Card, _door, MondayNoon).Reason);
    }

    [Fact]
    public void Decide_OneCoveringGroupOpenOneClosed_GrantsNamingTheOpenGroup()
    {
        var night = _source.Group(_source.Schedule(SourceBuilder.AllWeek("20:00", "23:00")), _door);
        var user = _source.User(night, _group);
        var credential = _source.Credential(user, Card);

        var decision = _source.Build().Decide(Card, _door, MondayNoon);

        Assert.Equal(new AccessDecision(AccessReason.Granted, user, credential, _group), decision);
    }

    [Fact]
    public void Decide_AllCoveringGroupsOnHoliday_DeniesWithHolidayNamingFirstGroup()
    {
        var christmas = new DateOnly(2026, 12, 25);
        var other = _source.Group(_source.Schedule(SourceBuilder.AllWeek("00:00", "24:00"), christmas), _door);
        var user = _source.User(other, _group);
        _source.Credential(user, Card);

        var decision = _source.Build().Decide(Card, _door, new DateTimeOffset(2026, 12, 25, 12, 0, 0, TimeSpan.Zero));

        Assert.Equal(AccessReason.Holiday, decision.Reason);
        Assert.Equal(_group, decision.AccessGroupId);
    }

    [Fact]
    public void Decide_OneCoveringGroupOnHolidayOtherOutsideWindows_DeniesWithOutsideScheduleNamingThatGroup()
    {
        var night = _source.Group(_source.Schedule(SourceBuilder.AllWeek("20:00", "23:00")), _door);
        var user = _source.User(_group, night);
        _source.Credential(user, Card);

        var decision = _source.Build().Decide(Card, _door, new DateTimeOffset(2026, 12, 25, 12, 0, 0, TimeSpan.Zero));

        Assert.Equal(AccessReason.OutsideSchedule, decision.Reason);
        Assert.Equal(night, decision.AccessGroupId);
    }

    [Fact]
    public void Decide_GroupNotCoveringDoorIsOpen_DoesNotGrant()
    {
        var otherDoor = _source.Door("UTC");
        var always = _source.Group(_source.Schedule(SourceBuilder.AllWeek("00:00", "24:00")), otherDoor);
        _source.Credential(_source.User(always, _group), Card);

        var decision = _source.Build().Decide(Card, _door, new DateTimeOffset(2026, 3, 9, 22, 0, 0, TimeSpan.Zero));

        Assert.Equal(AccessReason.OutsideSchedule, decision.Reason);
        Assert.Equal(_group, decision.AccessGroupId);
    }

    [Fact]
    public void Decide_ManyCardsOfManyUsers_EachFindsItsOwnUser()
    {
        var users = new Guid[500];
        for (var i = 0; i < users.Length; i++)
        {
            users[i] = _source.User(_group);
            _source.Credential(users[i], new CredentialKey(1, (ulong)i));
        }

        var snapshot = _source.Build();

        for (var i = 0; i < users.Length; i++)
        {
            Assert.Equal(users[i], snapshot.Decide(new CredentialKey(1, (ulong)i), _door, MondayNoon).UserId);
        }

        Assert.Equal(AccessReason.UnknownCredential, snapshot.Decide(new CredentialKey(2, 0), _door, MondayNoon).Reason);
        Assert.Equal(500, snapshot.CredentialCount);
    }

    [Fact]
    public void DecideCredential_KeylessCredentialInSchedule_Grants()
    {
        var user = _source.User(_group);
        _source.Credential(user, Card);
        var cloudKey = _source.Credential(user, key: null);

        var decision = _source.Build().DecideCredential(cloudKey, _door, MondayNoon);

        Assert.Equal(new AccessDecision(AccessReason.Granted, user, cloudKey, _group), decision);
    }

    [Fact]
    public void DecideCredential_KeylessCredentialExpired_DeniesWithCredentialExpired()
    {
        var cloudKey = _source.Credential(_source.User(_group), key: null, validUntil: MondayNoon);

        Assert.Equal(AccessReason.CredentialExpired, _source.Build().DecideCredential(cloudKey, _door, MondayNoon).Reason);
    }

    [Fact]
    public void DecideCredential_KeylessCredentialSuspended_DeniesWithCredentialSuspended()
    {
        var cloudKey = _source.Credential(_source.User(_group), key: null, suspended: true);

        Assert.Equal(AccessReason.CredentialSuspended, _source.Build().DecideCredential(cloudKey, _door, MondayNoon).Reason);
    }

    [Fact]
    public void DecideCredential_CardById_DecidesLikeTheCard()
    {
        var user = _source.User(_group);
        var card = _source.Credential(user, Card);

        var decision = _source.Build().DecideCredential(card, _door, MondayNoon);

        Assert.Equal(new AccessDecision(AccessReason.Granted, user, card, _group), decision);
    }

    [Fact]
    public void DecideCredential_UnknownId_DeniesWithUnknownCredential()
    {
        _source.Credential(_source.User(_group), key: null);

        var decision = _source.Build().DecideCredential(Guid.Parse("00000000-0000-4000-8000-999999999999"), _door, MondayNoon);

        Assert.Equal(new AccessDecision(AccessReason.UnknownCredential), decision);
    }

    [Fact]
    public void Decide_KeylessCredentialsOnly_UnknownCard()
    {
        _source.Credential(_source.User(_group), key: null);

        Assert.Equal(AccessReason.UnknownCredential, _source.Build().Decide(Card, _door, MondayNoon).Reason);
    }

    [Fact]
    public void Decide_ManyDecisions_AllocateNothing()
    {
        var user = _source.User(_group);
        _source.Credential(user, Card);
        var cloudKey = _source.Credential(user, key: null);
        var snapshot = _source.Build();
        var at = new DateTimeOffset(2026, 3, 9, 9, 0, 0, TimeSpan.FromHours(-5));
        snapshot.Decide(Card, _door, at);
        snapshot.DecideCredential(cloudKey, _door, at);

        var before = GC.GetAllocatedBytesForCurrentThread();
        var granted = 0;
        for (var i = 0; i < 1000; i++)
        {
            granted += snapshot.Decide(Card, _door, at.AddMinutes(i)).Granted ? 1 : 0;
            granted += snapshot.DecideCredential(cloudKey, _door, at.AddMinutes(i)).Granted ? 1 : 0;
        }

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
        Assert.True(granted > 0);
    }

    [Fact]
    public void Build_GroupListsDoorAndUserListsGroupNotInSource_IgnoresThem()
    {
        var missing = Guid.Parse("00000000-0000-4000-8000-999999999999");
        var group = _source.Group(_schedule, missing, _door);
        var user = _source.User(missing, group);
        _source.Credential(user, Card);

        Assert.True(_source.Build().Decide(Card, _door, MondayNoon).Granted);
    }

    [Fact]
    public void Build_TwoCredentialsWithSameKey_Throws()
    {
        var user = _source.User(_group);
        _source.Credential(user, Card);
        _source.Credential(user, Card);

        Assert.Throws<ArgumentException>(() => _source.Build());
    }

    [Fact]
    public void Build_CredentialOfUnknownUser_Throws()
    {
        _source.Credential(Guid.Parse("00000000-0000-4000-8000-999999999999"), Card);

        Assert.Throws<ArgumentException>(() => _source.Build());
    }

    [Fact]
    public void Build_GroupOfUnknownSchedule_Throws()
    {
        _source.Group(Guid.Parse("00000000-0000-4000-8000-999999999999"), _door);

        Assert.Throws<ArgumentException>(() => _source.Build());
    }

    [Theory]
    [InlineData("Eastern Standard Time")]
    [InlineData("Mars/Olympus_Mons")]
    [InlineData("")]
    public void Build_DoorWithoutIanaTimeZone_Throws(string timeZoneId)
    {
        _source.Door(timeZoneId);

        var error = Assert.Throws<ArgumentException>(() => _source.Build());
        Assert.Contains("time zone", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Build_DuplicateDoorId_Throws()
    {
        _source.Doors.Add(_source.Doors[0]);

        Assert.Throws<ArgumentException>(() => _source.Build());
    }

    [Fact]
    public void Build_WindowEndingBeforeItStarts_Throws()
    {
        _source.Schedule([new(DayOfWeek.Monday, new TimeOnly(18, 0), new TimeOnly(8, 0))]);

        Assert.Throws<ArgumentException>(() => _source.Build());
    }
}
