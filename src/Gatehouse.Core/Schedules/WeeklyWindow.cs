namespace Gatehouse.Core.Schedules;

/// <summary>
/// A weekly window of local wall-clock time, <c>[Start, End)</c>, on one day of the week. An
/// <see cref="End"/> equal to <see cref="EndOfDay"/> runs to midnight (the API's <c>"24:00"</c>).
/// </summary>
public readonly record struct WeeklyWindow(DayOfWeek Day, TimeOnly Start, TimeOnly End)
{
    /// <summary>
    /// The <see cref="End"/> of a window that runs to the end of its day, written <c>"24:00"</c> in the API.
    /// <see cref="TimeOnly"/> cannot hold 24:00, so its last value stands for it.
    /// </summary>
    public static TimeOnly EndOfDay => TimeOnly.MaxValue;

    /// <summary>The start as ticks since local midnight.</summary>
    internal long StartTicks => Start.Ticks;

    /// <summary>The end as ticks since local midnight; <see cref="EndOfDay"/> is a whole day.</summary>
    internal long EndTicks => End == EndOfDay ? TimeSpan.TicksPerDay : End.Ticks;
}
