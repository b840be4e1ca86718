using Gatehouse.Core.Schedules;

namespace Gatehouse.Core.Tests.Schedules;

public class ScheduleRulesTests
{
    private static ScheduleWindowInput Window(string start, string end, params string?[] days) => new(days, start, end);

    private static ScheduleHolidayInput Holiday(string? date) => new(date, "Holiday");

    [Fact]
    public void Parse_ValidWindowsAndHolidays_ExpandsOneWindowPerDay()
    {
        var result = ScheduleRules.Parse(
            [Window("08:00", "18:00", "Monday", "Friday"), Window("10:00", "24:00", "saturday")],
            [Holiday("2026-12-25"), Holiday("2027-01-01")]);

        Assert.True(result.IsValid);
        Assert.Empty(result.Errors);
        Assert.Equal(
            [
                new WeeklyWindow(DayOfWeek.Monday, new TimeOnly(8, 0), new TimeOnly(18, 0)),
                new WeeklyWindow(DayOfWeek.Friday, new TimeOnly(8, 0), new TimeOnly(18, 0)),
                new WeeklyWindow(DayOfWeek.Saturday, new TimeOnly(10, 0), WeeklyWindow.EndOfDay),
            ],
            result.Windows);
        Assert.Equal([new DateOnly(2026, 12, 25), new DateOnly(2027, 1, 1)], result.Holidays);
    }

    [Fact]
    public void Parse_EmptyWindowsAndNoHolidays_IsValidScheduleThatNeverOpens()
    {
        var result = ScheduleRules.Parse([], null);

        Assert.True(result.IsValid);
        Assert.Empty(result.Windows);
        Assert.Empty(result.Holidays);
    }

    [Theory]
    [InlineData("18:00", "08:00")]
    [InlineData("08:00", "08:00")]
    [InlineData("22:00", "02:00")]
    [InlineData("00:00", "00:00")]
    public void Parse_EndNotAfterStart_ErrorOnThatWindowsEnd(string start, string end)
    {
        var result = ScheduleRules.Parse([Window("08:00", "12:00", "Monday"), Window(start, end, "Monday")], null);

        var error = Assert.Single(result.Errors);
        Assert.Equal("windows[1].end", error.Field);
        Assert.StartsWith("End must be after start.", error.Message, StringComparison.Ordinal);
        Assert.False(result.IsValid);
        Assert.Empty(result.Windows);
    }

    [Fact]
    public void Parse_UnknownWeekday_ErrorNamesTheDayEntry()
    {
        var result = ScheduleRules.Parse([Window("08:00", "12:00", "Monday", "Funday", "1", "Mon", null)], null);

        Assert.Equal(
            ["windows[0].days[1]", "windows[0].days[2]", "windows[0].days[3]", "windows[0].days[4]"],
            result.Errors.Select(e => e.Field));
        Assert.Contains("Funday", result.Errors[0].Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_DayListedTwice_ErrorOnTheRepeat()
    {
        var result = ScheduleRules.Parse([Window("08:00", "12:00", "Monday", "Tuesday", "monday")], null);

        Assert.Equal("windows[0].days[2]", Assert.Single(result.Errors).Field);
    }

    [Fact]
    public void Parse_WindowWithoutDays_ErrorOnDays()
    {
        var result = ScheduleRules.Parse([Window("08:00", "12:00"), new ScheduleWindowInput(null, "08:00", "12:00")], null);

        Assert.Equal(["windows[0].days", "windows[1].days"], result.Errors.Select(e => e.Field));
    }

    [Theory]
    [InlineData("8:00")]
    [InlineData("24:00")]
    [InlineData("08:60")]
    [InlineData("08:00:00")]
    [InlineData("08h00")]
    [InlineData("")]
    [InlineData(null)]
    public void Parse_MalformedStart_ErrorOnStart(string? start)
    {
        var result = ScheduleRules.Parse([new ScheduleWindowInput(["Monday"], start, "18:00")], null);

        Assert.Equal("windows[0].start", Assert.Single(result.Errors).Field);
    }

    [Theory]
    [InlineData("24:01")]
    [InlineData("25:00")]
    [InlineData("1800")]
    [InlineData(null)]
    public void Parse_MalformedEnd_ErrorOnEnd(string? end)
    {
        var result = ScheduleRules.Parse([new ScheduleWindowInput(["Monday"], "08:00", end)], null);

        Assert.Equal("windows[0].end", Assert.Single(result.Errors).Field);
    }

    [Fact]
    public void Parse_SeveralBadFields_ReportsEveryOne()
    {
        var result = ScheduleRules.Parse(
            [Window("8", "18:00", "Someday"), null, Window("09:00", "08:00", "Sunday")],
            [Holiday("2026-02-30"), null]);

        Assert.Equal(
            ["windows[0].days[0]", "windows[0].start", "windows[1]", "windows[2].end", "holidays[0].date", "holidays[1]"],
            result.Errors.Select(e => e.Field));
    }

    [Fact]
    public void Parse_DuplicateHolidayDates_ErrorOnTheRepeat()
    {
        var result = ScheduleRules.Parse([], [Holiday("2026-12-25"), Holiday("2026-12-26"), Holiday("2026-12-25")]);

        var error = Assert.Single(result.Errors);
        Assert.Equal("holidays[2].date", error.Field);
        Assert.Contains("2026-12-25", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("2026-13-01")]
    [InlineData("25.12.2026")]
    [InlineData("2026-12-25T00:00:00Z")]
    [InlineData(null)]
    public void Parse_MalformedHolidayDate_ErrorOnDate(string? date)
    {
        var result = ScheduleRules.Parse([], [Holiday(date)]);

        Assert.Equal("holidays[0].date", Assert.Single(result.Errors).Field);
    }

    [Fact]
    public void Parse_NullWindows_ErrorOnWindows()
    {
        var result = ScheduleRules.Parse(null, []);

        Assert.Equal("windows", Assert.Single(result.Errors).Field);
    }

    [Fact]
    public void FormatTime_EndOfDay_Is2400()
    {
        Assert.Equal("24:00", ScheduleRules.FormatTime(WeeklyWindow.EndOfDay));
        Assert.Equal("08:05", ScheduleRules.FormatTime(new TimeOnly(8, 5)));
    }

    [Fact]
    public void FormatDay_EveryDay_RoundTripsThroughTryParseDay()
    {
        foreach (var day in Enum.GetValues<DayOfWeek>())
        {
            Assert.True(ScheduleRules.TryParseDay(ScheduleRules.FormatDay(day), out var parsed));
            Assert.Equal(day, parsed);
        }
    }
}
