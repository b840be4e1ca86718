using Gatehouse.Core.Schedules;

namespace Gatehouse.Core.Tests.Schedules;

public class ZoneOffsetTableTests
{
    private static readonly DateTime From = new(2024, 1, 1, 0, 0, 0, DateTimeKind.Utc);
    private static readonly DateTime Until = new(2036, 1, 1, 0, 0, 0, DateTimeKind.Utc);

    [Theory]
    [InlineData("America/New_York")]
    [InlineData("Europe/Berlin")]
    [InlineData("Australia/Lord_Howe")]
    [InlineData("America/Santiago")]
    [InlineData("Asia/Kolkata")]
    [InlineData("UTC")]
    public void OffsetTicks_EverySeventeenMinutesFrom2023To2037_MatchesTimeZoneInfo(string id)
    {
        Assert.True(TimeZones.TryFind(id, out var zone));
        var table = ZoneOffsetTable.Create(zone, From, Until);

        var end = new DateTime(2037, 1, 1, 0, 0, 0, DateTimeKind.Utc).Ticks;
        for (var t = new DateTime(2023, 1, 1, 0, 0, 0, DateTimeKind.Utc).Ticks; t < end; t += TimeSpan.TicksPerMinute * 17)
        {
            var expected = zone.GetUtcOffset(new DateTime(t, DateTimeKind.Utc)).Ticks;
            Assert.True(expected == table.OffsetTicks(t), $"{id} at {new DateTime(t, DateTimeKind.Utc):O}");
        }
    }

    [Theory]
    [InlineData("America/New_York", "2026-03-08T07:00:00Z", -5, -4)]
    [InlineData("America/New_York", "2026-11-01T06:00:00Z", -4, -5)]
    [InlineData("Europe/Berlin", "2026-03-29T01:00:00Z", 1, 2)]
    [InlineData("Europe/Berlin", "2026-10-25T01:00:00Z", 2, 1)]
    public void OffsetTicks_AroundTransition_ChangesExactlyAtTheInstant(string id, string instant, int hoursBefore, int hoursAfter)
    {
        Assert.True(TimeZones.TryFind(id, out var zone));
        var table = ZoneOffsetTable.Create(zone, From, Until);
        var at = DateTimeOffset.Parse(instant, null).UtcTicks;

        Assert.Equal(TimeSpan.FromHours(hoursBefore).Ticks, table.OffsetTicks(at - 1));
        Assert.Equal(TimeSpan.FromHours(hoursAfter).Ticks, table.OffsetTicks(at));
    }

    [Fact]
    public void Create_TwelveYearsOfNewYork_HoldsTwoPeriodsAYear()
    {
        Assert.True(TimeZones.TryFind("America/New_York", out var zone));

        Assert.Equal(1 + (12 * 2), ZoneOffsetTable.Create(zone, From, Until).PeriodCount);
    }

    [Fact]
    public void OffsetTicks_OutsideTheTable_FallsBackToTimeZoneInfo()
    {
        Assert.True(TimeZones.TryFind("Europe/Berlin", out var zone));
        var table = ZoneOffsetTable.Create(zone, From, Until);

        Assert.Equal(TimeSpan.FromHours(2).Ticks, table.OffsetTicks(new DateTime(2050, 7, 1, 0, 0, 0, DateTimeKind.Utc).Ticks));
        Assert.Equal(TimeSpan.FromHours(1).Ticks, table.OffsetTicks(new DateTime(2000, 1, 1, 0, 0, 0, DateTimeKind.Utc).Ticks));
    }
}
