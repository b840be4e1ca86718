using System.Globalization;

namespace Gatehouse.Core.Schedules;

/// <summary>
/// The rules of a schedule's API shape, shared by the server (which turns the errors into a 400) and
/// anything else that accepts schedules: day names, <c>"HH:mm"</c> times, <c>[start, end)</c> windows
/// within one day, and distinct <c>"YYYY-MM-DD"</c> holidays.
/// </summary>
public static class ScheduleRules
{
    private static readonly string[] DayNames =
        ["Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"];

    /// <summary>
    /// Validates and parses a schedule's <c>windows</c> and <c>holidays</c>. Every problem is reported, each
    /// naming its field (<c>windows[1].end</c>: "End must be after start."). A window that would cross
    /// midnight is rejected: write it as two windows. <c>"24:00"</c> is accepted as an end and parses to
    /// <see cref="WeeklyWindow.EndOfDay"/>. Windows may overlap; they simply add up.
    /// </summary>
    /// <param name="windows">The windows; required, but may be empty (a schedule that never opens).</param>
    /// <param name="holidays">The holidays; <see langword="null"/> is read as none.</param>
    public static ScheduleParseResult Parse(
        IReadOnlyList<ScheduleWindowInput?>? windows, IReadOnlyList<ScheduleHolidayInput?>? holidays)
    {
        var errors = new List<ScheduleFieldError>();
        var parsedWindows = new List<WeeklyWindow>();
        var parsedHolidays = new List<DateOnly>();

        if (windows is null)
        {
            errors.Add(new("windows", "Windows are required; send an empty list for a schedule that never opens."));
        }
        else
        {
            for (var i = 0; i < windows.Count; i++)
            {
                ParseWindow(windows[i], $"windows[{i}]", parsedWindows, errors);
            }
        }

        if (holidays is not null)
        {
            var seen = new HashSet<DateOnly>();
            for (var i = 0; i < holidays.Count; i++)
            {
                var field = $"holidays[{i}]";
                var holiday = holidays[i];
                if (holiday is null)
                {
                    errors.Add(new(field, "A holiday is required here."));
                }
                else if (!TryParseDate(holiday.Date, out var date))
                {
                    errors.Add(new(field + ".date", "Date must be a date \"YYYY-MM-DD\"."));
                }
                else if (!seen.Add(date))
                {
                    errors.Add(new(field + ".date", $"The date {FormatDate(date)} is listed twice."));
                }
                else
                {
                    parsedHolidays.Add(date);
                }
            }
        }

        return errors.Count == 0
            ? new ScheduleParseResult(parsedWindows, parsedHolidays, errors)
            : new ScheduleParseResult([], [], errors);
    }

    /// <summary>Reads an English day name (<c>Monday</c>; case is ignored). Numbers and abbreviations are not days.</summary>
    public static bool TryParseDay(string? text, out DayOfWeek day)
    {
        for (var i = 0; i < DayNames.Length; i++)
        {
            if (string.Equals(text, DayNames[i], StringComparison.OrdinalIgnoreCase))
            {
                day = (DayOfWeek)i;
                return true;
            }
        }

        day = default;
        return false;
    }

    /// <summary>The API spelling of a day: <c>Monday</c> … <c>Sunday</c>.</summary>
    public static string FormatDay(DayOfWeek day) => DayNames[(int)day];

    /// <summary>
    /// Reads a local time of day written exactly <c>"HH:mm"</c> (00:00–23:59). With
    /// <paramref name="allowEndOfDay"/>, <c>"24:00"</c> reads as <see cref="WeeklyWindow.EndOfDay"/>.
    /// </summary>
    public static bool TryParseTime(string? text, bool allowEndOfDay, out TimeOnly time)
    {
        time = default;
        if (text is not { Length: 5 } || text[2] != ':'
            || !IsDigit(text[0]) || !IsDigit(text[1]) || !IsDigit(text[3]) || !IsDigit(text[4]))
        {
            return false;
        }

        var hours = ((text[0] - '0') * 10) + (text[1] - '0');
        var minutes = ((text[3] - '0') * 10) + (text[4] - '0');
        if (allowEndOfDay && hours == 24 && minutes == 0)
        {
            time = WeeklyWindow.EndOfDay;
            return true;
        }

        if (hours > 23 || minutes > 59)
        {
            return false;
        }

        time = new TimeOnly(hours, minutes);
        return true;
    }

    /// <summary>The API spelling of a window time: <c>"HH:mm"</c>, and <c>"24:00"</c> for <see cref="WeeklyWindow.EndOfDay"/>.</summary>
    public static string FormatTime(TimeOnly time) =>
        time == WeeklyWindow.EndOfDay ? "24:00" : time.ToString("HH':'mm", CultureInfo.InvariantCulture);

    /// <summary>Reads a date written exactly <c>"YYYY-MM-DD"</c>.</summary>
    public static bool TryParseDate(string? text, out DateOnly date) =>
        DateOnly.TryParseExact(text, "yyyy'-'MM'-'dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out date);

    /// <summary>The API spelling of a date: <c>"YYYY-MM-DD"</c>.</summary>
    public static string FormatDate(DateOnly date) => date.ToString("yyyy'-'MM'-'dd", CultureInfo.InvariantCulture);

    private static void ParseWindow(
        ScheduleWindowInput? window, string field, List<WeeklyWindow> parsed, List<ScheduleFieldError> errors)
    {
        if (window is null)
        {
            errors.Add(new(field, "A window is required here."));
            return;
        }

        var errorCount = errors.Count;
        var days = new List<DayOfWeek>();
        if (window.Days is null || window.Days.Count == 0)
        {
            errors.Add(new(field + ".days", "At least one day is required."));
        }
        else
        {
            for (var j = 0; j < window.Days.Count; j++)
            {
                var dayField = $"{field}.days[{j}]";
                if (!TryParseDay(window.Days[j], out var day))
                {
                    errors.Add(new(dayField, $"Unknown day \"{window.Days[j]}\"; use Monday, Tuesday, … Sunday."));
                }
                else if (days.Contains(day))
                {
                    errors.Add(new(dayField, $"{FormatDay(day)} is listed twice."));
                }
                else
                {
                    days.Add(day);
                }
            }
        }

        var hasStart = TryParseTime(window.Start, allowEndOfDay: false, out var start);
        if (!hasStart)
        {
            errors.Add(new(field + ".start", "Start must be a time of day \"HH:mm\" (00:00–23:59)."));
        }

        var hasEnd = TryParseTime(window.End, allowEndOfDay: true, out var end);
        if (!hasEnd)
        {
            errors.Add(new(field + ".end", "End must be a time of day \"HH:mm\" (00:01–24:00)."));
        }
        else if (hasStart && new WeeklyWindow(default, start, end).EndTicks <= start.Ticks)
        {
            errors.Add(new(field + ".end", "End must be after start. A window cannot cross midnight: use two windows."));
        }

        if (errors.Count == errorCount)
        {
            foreach (var day in days)
            {
                parsed.Add(new WeeklyWindow(day, start, end));
            }
        }
    }

    private static bool IsDigit(char c) => c is >= '0' and <= '9';
}
