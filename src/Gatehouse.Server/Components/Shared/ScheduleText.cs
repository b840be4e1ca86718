using System.Globalization;
using Gatehouse.Core.Schedules;

namespace Gatehouse.Server.Components.Shared;

/// <summary>Schedules in words and bars for the console ("Mon–Fri 08:00–18:00").</summary>
public static class ScheduleText
{
    private static readonly DayOfWeek[] Week =
        [DayOfWeek.Monday, DayOfWeek.Tuesday, DayOfWeek.Wednesday, DayOfWeek.Thursday, DayOfWeek.Friday, DayOfWeek.Saturday, DayOfWeek.Sunday];

    /// <summary>The most windows <see cref="Describe"/> spells out; the rest are counted.</summary>
    public const int MaxDescribedWindows = 10;

    /// <summary>
    /// The bars of windows given as API day names and "HH:mm" times; unreadable windows are skipped. Overlapping
    /// and touching windows of a day make one bar, so a chart never draws more bars than a day has gaps.
    /// </summary>
    public static IReadOnlyList<(DayOfWeek Day, int StartMinute, int EndMinute)> Spans(
        IEnumerable<(IEnumerable<string> Days, string? Start, string? End)> windows)
    {
        var spans = new List<(DayOfWeek, int, int)>();
        foreach (var (days, start, end) in windows)
        {
            if (!ScheduleRules.TryParseTime(start, allowEndOfDay: false, out var s) || !ScheduleRules.TryParseTime(end, allowEndOfDay: true, out var e))
            {
                continue;
            }

            var from = (s.Hour * 60) + s.Minute;
            var to = e == WeeklyWindow.EndOfDay ? 1440 : (e.Hour * 60) + e.Minute;
            if (to <= from)
            {
                continue;
            }

            foreach (var name in days)
            {
                if (ScheduleRules.TryParseDay(name, out var day))
                {
                    spans.Add((day, from, to));
                }
            }
        }

        return [.. spans.GroupBy(s => s.Item1).SelectMany(Merge)];

        static IEnumerable<(DayOfWeek, int, int)> Merge(IEnumerable<(DayOfWeek Day, int From, int To)> day)
        {
            (DayOfWeek Day, int From, int To)? open = null;
            foreach (var span in day.OrderBy(s => s.From))
            {
                if (open is { } o && span.From <= o.To)
                {
                    open = o with { To = Math.Max(o.To, span.To) };
                    continue;
                }

                if (open is { } done)
                {
                    yield return done;
                }

                open = span;
            }

            if (open is { } last)
            {
                yield return last;
            }
        }
    }

    /// <summary>"Mon–Fri 08:00–18:00; Sat 09:00–13:00", or "Never open"; past <see cref="MaxDescribedWindows"/> windows, "… and 5 more windows".</summary>
    public static string Describe(IEnumerable<(IEnumerable<string> Days, string? Start, string? End)> windows)
    {
        var all = windows.ToList();
        var parts = all.Take(MaxDescribedWindows).Select(w => $"{Days(w.Days)} {w.Start}–{w.End}").ToList();
        var more = all.Count - parts.Count;
        return parts.Count == 0 ? "Never open"
            : more > 0 ? $"{string.Join("; ", parts)} and {more} more {(more == 1 ? "window" : "windows")}"
            : string.Join("; ", parts);
    }

    /// <summary>Days in week order with runs shortened: Monday, Tuesday, Wednesday → "Mon–Wed".</summary>
    public static string Days(IEnumerable<string> names)
    {
        var set = names.Select(n => ScheduleRules.TryParseDay(n, out var d) ? (DayOfWeek?)d : null).OfType<DayOfWeek>().ToHashSet();
        if (set.Count == 7)
        {
            return "Every day";
        }

        var runs = new List<string>();
        var i = 0;
        while (i < Week.Length)
        {
            if (!set.Contains(Week[i]))
            {
                i++;
                continue;
            }

            var start = i;
            while (i + 1 < Week.Length && set.Contains(Week[i + 1]))
            {
                i++;
            }

            runs.Add(i - start >= 2 ? $"{Abbreviation(Week[start])}–{Abbreviation(Week[i])}" : string.Join(", ", Week[start..(i + 1)].Select(Abbreviation)));
            i++;
        }

        return string.Join(", ", runs);
    }

    public static string Abbreviation(DayOfWeek day) => CultureInfo.InvariantCulture.DateTimeFormat.GetAbbreviatedDayName(day);
}
