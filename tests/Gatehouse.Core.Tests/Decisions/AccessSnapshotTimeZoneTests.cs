using Gatehouse.Core.Decisions;
using Gatehouse.Core.Schedules;

namespace Gatehouse.Core.Tests.Decisions;

/// <summary>
/// Windows and holidays are read at the door's site. Every case runs twice: with the zone tables built
/// around 2026 and with tables built around 1990, so that 2026 goes through the TimeZoneInfo fallback.
/// </summary>
public class AccessSnapshotTimeZoneTests
{
    private const string NewYork = "America/New_York";
    private const string Berlin = "Europe/Berlin";
    private static readonly CredentialKey Card = new(7, 42);

    public static TheoryData<DateTimeOffset> BuildTimes => new()
    {
        SourceBuilder.BuiltAt,
        new DateTimeOffset(1990, 6, 1, 0, 0, 0, TimeSpan.Zero),
    };

    [Theory]
    [MemberData(nameof(BuildTimes))]
    public void Decide_SameInstantAtSitesInDifferentZones_ReadsEachDoorsLocalTime(DateTimeOffset builtAt)
    {
        var source = new SourceBuilder();
        var newYorkDoor = source.Door(NewYork);
        var berlinDoor = source.Door(Berlin);
        var schedule = source.Schedule(SourceBuilder.AllWeek("09:00", "17:00"));
        source.Credential(source.User(source.Group(schedule, newYorkDoor, berlinDoor)), Card);
        var snapshot = source.Build(builtAt);

        // 13:30 in New York (EDT since 8 March), 18:30 in Berlin (still CET).
        var at = new DateTimeOffset(2026, 3, 9, 17, 30, 0, TimeSpan.Zero);

        Assert.Equal(AccessReason.Granted, snapshot.Decide(Card, newYorkDoor, at).Reason);
        Assert.Equal(AccessReason.OutsideSchedule, snapshot.Decide(Card, berlinDoor, at).Reason);
    }

    // New York, Sunday 2026-03-08: at 07:00Z the clocks go from 02:00 EST to 03:00 EDT.
    [Theory]
    [InlineData("00:00", "02:00", "2026-03-08T06:59:59Z", AccessReason.Granted)]
    [InlineData("00:00", "02:00", "2026-03-08T07:00:00Z", AccessReason.OutsideSchedule)]
    [InlineData("01:00", "02:30", "2026-03-08T06:59:59Z", AccessReason.Granted)]
    [InlineData("01:00", "02:30", "2026-03-08T07:00:00Z", AccessReason.OutsideSchedule)]
    [InlineData("02:30", "04:00", "2026-03-08T06:59:59Z", AccessReason.OutsideSchedule)]
    [InlineData("02:30", "04:00", "2026-03-08T07:00:00Z", AccessReason.Granted)]
    [InlineData("02:00", "03:00", "2026-03-08T06:59:59Z", AccessReason.OutsideSchedule)]
    [InlineData("02:00", "03:00", "2026-03-08T07:00:00Z", AccessReason.OutsideSchedule)]
    [InlineData("03:00", "05:00", "2026-03-08T06:59:59Z", AccessReason.OutsideSchedule)]
    [InlineData("03:00", "05:00", "2026-03-08T07:00:00Z", AccessReason.Granted)]
    [InlineData("08:00", "09:00", "2026-03-08T12:30:00Z", AccessReason.Granted)]
    [InlineData("08:00", "09:00", "2026-03-08T13:30:00Z", AccessReason.OutsideSchedule)]
    public void Decide_NewYorkSpringForward_ReadsWallClockAcrossSkippedHour(
        string start, string end, string instant, AccessReason expected) =>
        AssertSundayWindow(NewYork, start, end, instant, expected);

    // New York, Sunday 2026-11-01: at 06:00Z the clocks go from 02:00 EDT back to 01:00 EST, so 01:00–02:00
    // happens twice: 05:00Z–06:00Z (EDT) and 06:00Z–07:00Z (EST).
    [Theory]
    [InlineData("01:15", "01:45", "2026-11-01T05:30:00Z", AccessReason.Granted)]
    [InlineData("01:15", "01:45", "2026-11-01T06:30:00Z", AccessReason.Granted)]
    [InlineData("01:15", "01:45", "2026-11-01T05:59:59Z", AccessReason.OutsideSchedule)]
    [InlineData("01:15", "01:45", "2026-11-01T06:00:00Z", AccessReason.OutsideSchedule)]
    [InlineData("01:00", "02:00", "2026-11-01T05:59:59Z", AccessReason.Granted)]
    [InlineData("01:00", "02:00", "2026-11-01T06:00:00Z", AccessReason.Granted)]
    [InlineData("01:00", "02:00", "2026-11-01T06:59:59Z", AccessReason.Granted)]
    [InlineData("01:00", "02:00", "2026-11-01T07:00:00Z", AccessReason.OutsideSchedule)]
    [InlineData("02:00", "03:00", "2026-11-01T06:59:59Z", AccessReason.OutsideSchedule)]
    [InlineData("02:00", "03:00", "2026-11-01T07:00:00Z", AccessReason.Granted)]
    [InlineData("00:00", "01:00", "2026-11-01T04:59:59Z", AccessReason.Granted)]
    [InlineData("00:00", "01:00", "2026-11-01T05:00:00Z", AccessReason.OutsideSchedule)]
    public void Decide_NewYorkFallBack_OpensOnBothPassesOfRepeatedHour(
        string start, string end, string instant, AccessReason expected) =>
        AssertSundayWindow(NewYork, start, end, instant, expected);

    // Berlin, Sunday 2026-03-29: at 01:00Z from 02:00 CET to 03:00 CEST; Sunday 2026-10-25: at 01:00Z from
    // 03:00 CEST back to 02:00 CET, so 02:00–03:00 happens at 00:00Z–01:00Z and again at 01:00Z–02:00Z.
    [Theory]
    [InlineData("01:00", "02:30", "2026-03-29T00:59:59Z", AccessReason.Granted)]
    [InlineData("01:00", "02:30", "2026-03-29T01:00:00Z", AccessReason.OutsideSchedule)]
    [InlineData("02:30", "04:00", "2026-03-29T00:59:59Z", AccessReason.OutsideSchedule)]
    [InlineData("02:30", "04:00", "2026-03-29T01:00:00Z", AccessReason.Granted)]
    [InlineData("02:15", "02:45", "2026-10-25T00:30:00Z", AccessReason.Granted)]
    [InlineData("02:15", "02:45", "2026-10-25T01:30:00Z", AccessReason.Granted)]
    [InlineData("02:15", "02:45", "2026-10-25T00:59:59Z", AccessReason.OutsideSchedule)]
    [InlineData("02:15", "02:45", "2026-10-25T01:00:00Z", AccessReason.OutsideSchedule)]
    [InlineData("03:00", "04:00", "2026-10-25T01:59:59Z", AccessReason.OutsideSchedule)]
    [InlineData("03:00", "04:00", "2026-10-25T02:00:00Z", AccessReason.Granted)]
    public void Decide_BerlinTransitions_ReadsWallClock(string start, string end, string instant, AccessReason expected) =>
        AssertSundayWindow(Berlin, start, end, instant, expected);

    [Theory]
    [MemberData(nameof(BuildTimes))]
    public void Decide_HolidayInUtcButNotYetLocally_Grants(DateTimeOffset builtAt)
    {
        // 2026-12-25T03:00Z is still Thursday 24 December, 22:00, in New York.
        var reason = DecideAtHolidayDoor(NewYork, "2026-12-25T03:00:00Z", builtAt);

        Assert.Equal(AccessReason.Granted, reason);
    }

    [Theory]
    [MemberData(nameof(BuildTimes))]
    public void Decide_HolidayLocallyButNoLongerInUtc_DeniesWithHoliday(DateTimeOffset builtAt)
    {
        // 2026-12-26T03:00Z is still Friday 25 December, 22:00, in New York.
        var reason = DecideAtHolidayDoor(NewYork, "2026-12-26T03:00:00Z", builtAt);

        Assert.Equal(AccessReason.Holiday, reason);
    }

    [Theory]
    [MemberData(nameof(BuildTimes))]
    public void Decide_HolidayLocallyButNotYetInUtc_DeniesWithHoliday(DateTimeOffset builtAt)
    {
        // 2026-12-24T23:30Z is already Friday 25 December, 00:30, in Berlin.
        var reason = DecideAtHolidayDoor(Berlin, "2026-12-24T23:30:00Z", builtAt);

        Assert.Equal(AccessReason.Holiday, reason);
    }

    [Theory]
    [MemberData(nameof(BuildTimes))]
    public void Decide_HolidayInUtcButOverLocally_Grants(DateTimeOffset builtAt)
    {
        // 2026-12-25T23:30Z is already Saturday 26 December, 00:30, in Berlin.
        var reason = DecideAtHolidayDoor(Berlin, "2026-12-25T23:30:00Z", builtAt);

        Assert.Equal(AccessReason.Granted, reason);
    }

    [Fact]
    public void Decide_AtTheEndsOfTime_AnswersWithoutThrowing()
    {
        var source = new SourceBuilder();
        var door = source.Door("Etc/GMT-14");
        var westDoor = source.Door("Etc/GMT+12");
        var schedule = source.Schedule(SourceBuilder.AllWeek("00:00", "24:00"));
        source.Credential(source.User(source.Group(schedule, door, westDoor)), Card);
        var snapshot = source.Build();

        Assert.True(snapshot.Decide(Card, door, DateTimeOffset.MaxValue).Granted);
        Assert.True(snapshot.Decide(Card, westDoor, DateTimeOffset.MaxValue).Granted);
        Assert.True(snapshot.Decide(Card, door, DateTimeOffset.MinValue).Granted);
        // Twelve hours before year 1 began locally: no local day exists, so no window is open.
        Assert.Equal(AccessReason.OutsideSchedule, snapshot.Decide(Card, westDoor, DateTimeOffset.MinValue).Reason);
    }

    private static void AssertSundayWindow(string zone, string start, string end, string instant, AccessReason expected)
    {
        foreach (var builtAt in BuildTimes)
        {
            var source = new SourceBuilder();
            var door = source.Door(zone);
            var schedule = source.Schedule([SourceBuilder.Window(DayOfWeek.Sunday, start, end)]);
            source.Credential(source.User(source.Group(schedule, door)), Card);

            var decision = source.Build(builtAt).Decide(Card, door, DateTimeOffset.Parse(instant, null));

            Assert.True(
                expected == decision.Reason,
                $"{zone} {start}–{end} at {instant} built at {builtAt:O}: expected {expected}, got {decision.Reason}.");
        }
    }

    private static AccessReason DecideAtHolidayDoor(string zone, string instant, DateTimeOffset builtAt)
    {
        var source = new SourceBuilder();
        var door = source.Door(zone);
        var schedule = source.Schedule(SourceBuilder.AllWeek("00:00", "24:00"), new DateOnly(2026, 12, 25));
        source.Credential(source.User(source.Group(schedule, door)), Card);
        return source.Build(builtAt).Decide(Card, door, DateTimeOffset.Parse(instant, null)).Reason;
    }
}
