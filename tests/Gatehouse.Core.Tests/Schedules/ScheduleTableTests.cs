using Gatehouse.Core.Schedules;

namespace Gatehouse.Core.Tests.Schedules;

public class ScheduleTableTests
{
    // Monday 9 March 2026.
    private static readonly DateTime Monday = new(2026, 3, 9);

    private static ScheduleState Evaluate(IReadOnlyList<WeeklyWindow> windows, DateTime local, params DateOnly[] holidays) =>
        ScheduleTable.Compile([(windows, holidays)]).Evaluate(0, local.Ticks);

    private static WeeklyWindow Window(DayOfWeek day, int startHour, int endHour) =>
        new(day, new TimeOnly(startHour, 0), endHour == 24 ? WeeklyWindow.EndOfDay : new TimeOnly(endHour, 0));

    [Theory]
    [InlineData(8, false)]
    [InlineData(9, true)]
    [InlineData(11, true)]
    [InlineData(12, true)]
    [InlineData(13, false)]
    [InlineData(14, true)]
    [InlineData(16, false)]
    public void Evaluate_OverlappingAndSeparateWindows_OpenInTheirUnion(int hour, bool open)
    {
        WeeklyWindow[] windows =
        [
            Window(DayOfWeek.Monday, 14, 16), Window(DayOfWeek.Monday, 11, 13), Window(DayOfWeek.Monday, 9, 12),
        ];

        Assert.Equal(open ? ScheduleState.Open : ScheduleState.Closed, Evaluate(windows, Monday.AddHours(hour)));
    }

    [Fact]
    public void Evaluate_WindowOfAnotherDay_Closed() =>
        Assert.Equal(ScheduleState.Closed, Evaluate([Window(DayOfWeek.Tuesday, 0, 24)], Monday.AddHours(12)));

    [Fact]
    public void Evaluate_WindowToEndOfDay_OpenInLastTickAndClosedAtMidnight()
    {
        WeeklyWindow[] windows = [Window(DayOfWeek.Monday, 20, 24)];

        Assert.Equal(ScheduleState.Open, Evaluate(windows, Monday.AddDays(1).AddTicks(-1)));
        Assert.Equal(ScheduleState.Closed, Evaluate(windows, Monday.AddDays(1)));
    }

    [Fact]
    public void Evaluate_Holiday_WinsOverOpenWindow()
    {
        WeeklyWindow[] windows = [Window(DayOfWeek.Monday, 0, 24)];

        Assert.Equal(ScheduleState.Holiday, Evaluate(windows, Monday.AddHours(12), new DateOnly(2026, 3, 9), new DateOnly(2026, 1, 1)));
        Assert.Equal(ScheduleState.Open, Evaluate(windows, Monday.AddHours(12), new DateOnly(2026, 3, 2), new DateOnly(2026, 3, 16)));
    }

    [Fact]
    public void Evaluate_SeveralSchedules_KeepsTheirWindowsAndHolidaysApart()
    {
        var table = ScheduleTable.Compile(
        [
            ([Window(DayOfWeek.Monday, 8, 10)], [new DateOnly(2026, 3, 16)]),
            ([Window(DayOfWeek.Monday, 10, 12)], []),
        ]);

        Assert.Equal(ScheduleState.Open, table.Evaluate(0, Monday.AddHours(9).Ticks));
        Assert.Equal(ScheduleState.Closed, table.Evaluate(1, Monday.AddHours(9).Ticks));
        Assert.Equal(ScheduleState.Holiday, table.Evaluate(0, Monday.AddDays(7).AddHours(9).Ticks));
        Assert.Equal(ScheduleState.Open, table.Evaluate(1, Monday.AddDays(7).AddHours(11).Ticks));
    }

    [Fact]
    public void Compile_WindowOnUnknownDay_Throws() =>
        Assert.Throws<ArgumentException>(() =>
            ScheduleTable.Compile([([new WeeklyWindow((DayOfWeek)7, new TimeOnly(8, 0), new TimeOnly(9, 0))], [])]));
}
