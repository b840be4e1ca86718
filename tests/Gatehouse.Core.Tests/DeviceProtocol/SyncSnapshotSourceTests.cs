using Gatehouse.Core.Cards;
using Gatehouse.Core.Decisions;
using Gatehouse.Core.DeviceProtocol;
using Gatehouse.Core.Schedules;
using Microsoft.Extensions.Time.Testing;

namespace Gatehouse.Core.Tests.DeviceProtocol;

public sealed class SyncSnapshotSourceTests
{
    private static readonly DateTimeOffset Monday10 = new(2026, 3, 9, 10, 0, 0, TimeSpan.Zero);
    private static readonly Guid Door = Id(1);
    private static readonly Guid Schedule = Id(2);
    private static readonly Guid Group = Id(3);
    private static readonly Guid User = Id(4);
    private static readonly Guid Card = Id(5);
    private static readonly CardIdentity Hid = CardIdentity.Parse("H10301:1:11572");

    private readonly List<SyncDoor> _doors = [new(Door, "Front", "Europe/Berlin")];
    private readonly List<SyncSchedule> _schedules = [new(Schedule, [new SyncWindow(DayOfWeek.Monday, "08:00", "18:00")], [])];
    private readonly List<SyncAccessGroup> _groups = [new(Group, Schedule, [Door])];
    private readonly List<SyncUser> _users = [new(User, false, [Group])];
    private readonly List<SyncCredential> _credentials = [new(Card, User, "card", false, Card: "H10301:1:11572")];
    private readonly List<string> _problems = [];

    [Fact]
    public void Build_ConsistentStore_DecidesLikeTheServer()
    {
        var snapshot = Build();

        var decision = snapshot.Decide(Hid.ToKey(), Door, Monday10);

        Assert.True(decision.Granted);
        Assert.Equal(Card, decision.CredentialId);
        Assert.Equal(User, decision.UserId);
        Assert.Equal(Group, decision.AccessGroupId);
        Assert.Empty(_problems);
    }

    [Fact]
    public void Build_CardTextInLowerCaseHex_MatchesTheCardAtTheReader()
    {
        _credentials[0] = _credentials[0] with { Card = "csn:04a224b2c15e80" };

        var snapshot = Build();

        Assert.True(snapshot.Decide(CardIdentity.Parse("CSN:04A224B2C15E80").ToKey(), Door, Monday10).Granted);
    }

    [Fact]
    public void Build_WindowReadAtTheDoorsZone_ClosesOutsideItsLocalHours()
    {
        // 17:30 UTC is 18:30 in Berlin (winter time), after the 08:00–18:00 window.
        var snapshot = Build();

        var decision = snapshot.Decide(Hid.ToKey(), Door, new DateTimeOffset(2026, 3, 9, 17, 30, 0, TimeSpan.Zero));

        Assert.Equal(AccessReason.OutsideSchedule, decision.Reason);
    }

    [Fact]
    public void Build_WindowEndingAt2400_OpensUntilMidnight()
    {
        _schedules[0] = _schedules[0] with { Windows = [new SyncWindow(DayOfWeek.Monday, "20:00", "24:00")] };

        var snapshot = Build();

        // 22:59 UTC is 23:59 Monday in Berlin.
        Assert.True(snapshot.Decide(Hid.ToKey(), Door, new DateTimeOffset(2026, 3, 9, 22, 59, 0, TimeSpan.Zero)).Granted);
        Assert.Equal(
            AccessReason.OutsideSchedule,
            snapshot.Decide(Hid.ToKey(), Door, new DateTimeOffset(2026, 3, 9, 23, 0, 0, TimeSpan.Zero)).Reason);
    }

    [Fact]
    public void Build_HolidayOfTheSchedule_DeniesWithHoliday()
    {
        _schedules[0] = _schedules[0] with { Holidays = [new DateOnly(2026, 3, 9)] };

        Assert.Equal(AccessReason.Holiday, Build().Decide(Hid.ToKey(), Door, Monday10).Reason);
    }

    [Theory]
    [InlineData("8:00", "18:00")]
    [InlineData("08:00", "24:01")]
    [InlineData("18:00", "08:00")]
    [InlineData("24:00", "24:00")]
    [InlineData("", "18:00")]
    public void Build_UnreadableWindow_LeavesItOutAndNeverOpensThere(string start, string end)
    {
        _schedules[0] = _schedules[0] with { Windows = [new SyncWindow(DayOfWeek.Monday, start, end)] };

        var snapshot = Build();

        Assert.Equal(AccessReason.OutsideSchedule, snapshot.Decide(Hid.ToKey(), Door, Monday10).Reason);
        Assert.Contains(_problems, p => p.Contains(Schedule.ToString(), StringComparison.Ordinal));
    }

    [Fact]
    public void Build_UnreadableCardText_LeavesTheCredentialOutWithoutNamingTheCard()
    {
        _credentials[0] = _credentials[0] with { Card = "H10301:999:11572" };

        var snapshot = Build();

        Assert.Equal(0, snapshot.CredentialCount);
        var problem = Assert.Single(_problems);
        Assert.Contains(Card.ToString(), problem, StringComparison.Ordinal);
        Assert.DoesNotContain("11572", problem, StringComparison.Ordinal);
    }

    [Fact]
    public void Build_TwoCredentialsWithTheSameCard_KeepsTheFirst()
    {
        var second = Id(6);
        _credentials.Add(new SyncCredential(second, User, "card", false, Card: "H10301:1:11572"));

        var decision = Build().Decide(Hid.ToKey(), Door, Monday10);

        Assert.Equal(Card, decision.CredentialId);
        Assert.Contains(_problems, p => p.Contains(second.ToString(), StringComparison.Ordinal));
    }

    [Fact]
    public void Build_SameIdTwice_KeepsTheLaterRecord()
    {
        _credentials.Add(_credentials[0] with { Suspended = true });

        Assert.Equal(AccessReason.CredentialSuspended, Build().Decide(Hid.ToKey(), Door, Monday10).Reason);
        Assert.Empty(_problems);
    }

    [Fact]
    public void Build_CredentialOfMissingUser_IsLeftOut()
    {
        _users.Clear();

        Assert.Equal(AccessReason.UnknownCredential, Build().Decide(Hid.ToKey(), Door, Monday10).Reason);
        Assert.Single(_problems);
    }

    [Fact]
    public void Build_GroupOfMissingSchedule_GrantsNothing()
    {
        _schedules.Clear();

        Assert.Equal(AccessReason.NoAccessToDoor, Build().Decide(Hid.ToKey(), Door, Monday10).Reason);
        Assert.Single(_problems);
    }

    [Fact]
    public void Build_DoorInUnknownZone_IsLeftOut()
    {
        _doors[0] = _doors[0] with { TimeZone = "Mars/Olympus_Mons" };

        var snapshot = Build();

        Assert.False(snapshot.ContainsDoor(Door));
        Assert.Single(_problems);
    }

    [Fact]
    public void Build_CredentialWithoutCard_IsDecidedByIdOnly()
    {
        _credentials[0] = new SyncCredential(Card, User, "cloudKey", false);

        var snapshot = Build();

        Assert.True(snapshot.DecideCredential(Card, Door, Monday10).Granted);
        Assert.Equal(AccessReason.UnknownCredential, snapshot.Decide(Hid.ToKey(), Door, Monday10).Reason);
    }

    [Fact]
    public void ToSyncWindow_EndOfDay_RoundTripsAs2400()
    {
        var window = new WeeklyWindow(DayOfWeek.Friday, new TimeOnly(7, 5), WeeklyWindow.EndOfDay);

        var text = SyncSnapshotSource.ToSyncWindow(window);

        Assert.Equal(new SyncWindow(DayOfWeek.Friday, "07:05", "24:00"), text);
        Assert.True(SyncSnapshotSource.TryParseWindow(text, out var back));
        Assert.Equal(window, back);
    }

    private AccessSnapshot Build() =>
        AccessSnapshot.Build(
            SyncSnapshotSource.Build(_doors, _schedules, _groups, _users, _credentials, _problems),
            new FakeTimeProvider(Monday10));

    private static Guid Id(int n) => Guid.Parse($"00000000-0000-4000-8000-{n:D12}");
}
