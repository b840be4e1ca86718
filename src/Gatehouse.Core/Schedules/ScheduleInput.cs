namespace Gatehouse.Core.Schedules;

/// <summary>
/// One window of a schedule as the API receives it: <c>{days: ["Monday", …], start: "08:00", end: "18:00"}</c>.
/// </summary>
/// <param name="Days">English day names, <c>Monday</c> … <c>Sunday</c>.</param>
/// <param name="Start">Local time of day <c>"HH:mm"</c>, inclusive.</param>
/// <param name="End">Local time of day <c>"HH:mm"</c> (or <c>"24:00"</c>), exclusive; after <paramref name="Start"/>.</param>
public sealed record ScheduleWindowInput(IReadOnlyList<string?>? Days, string? Start, string? End);

/// <summary>One holiday of a schedule as the API receives it: <c>{date: "2026-12-25", name: "Christmas"}</c>.</summary>
/// <param name="Date">The local date <c>"YYYY-MM-DD"</c> on which the schedule opens nothing.</param>
/// <param name="Name">A label for people; not interpreted.</param>
public sealed record ScheduleHolidayInput(string? Date, string? Name);

/// <summary>A validation failure of a schedule, naming the field as the API spells it (<c>windows[1].end</c>).</summary>
/// <param name="Field">The path of the bad field, e.g. <c>windows[0].days[2]</c> or <c>holidays[3].date</c>.</param>
/// <param name="Message">What is wrong, in a sentence an administrator can act on.</param>
public readonly record struct ScheduleFieldError(string Field, string Message);

/// <summary>The outcome of <see cref="ScheduleRules.Parse"/>: either the parsed schedule or the errors.</summary>
public sealed class ScheduleParseResult
{
    internal ScheduleParseResult(
        IReadOnlyList<WeeklyWindow> windows, IReadOnlyList<DateOnly> holidays, IReadOnlyList<ScheduleFieldError> errors)
    {
        Windows = windows;
        Holidays = holidays;
        Errors = errors;
    }

    /// <summary>True when there are no <see cref="Errors"/>.</summary>
    public bool IsValid => Errors.Count == 0;

    /// <summary>One <see cref="WeeklyWindow"/> per listed day of each input window, in input order. Empty when invalid.</summary>
    public IReadOnlyList<WeeklyWindow> Windows { get; }

    /// <summary>The holiday dates, in input order. Empty when invalid.</summary>
    public IReadOnlyList<DateOnly> Holidays { get; }

    /// <summary>Every problem found, in input order.</summary>
    public IReadOnlyList<ScheduleFieldError> Errors { get; }
}
