namespace Gatehouse.Core.Schedules;

/// <summary>What a schedule says at a local time.</summary>
internal enum ScheduleState
{
    /// <summary>A window is open.</summary>
    Open,

    /// <summary>No window is open.</summary>
    Closed,

    /// <summary>The local date is a holiday of the schedule, so nothing is open.</summary>
    Holiday,
}

/// <summary>
/// Schedules compiled for evaluation: for each schedule and day of the week a sorted, merged run of
/// <c>[start, end)</c> tick ranges since local midnight, and the holidays as sorted day numbers.
/// Evaluation reads arrays only.
/// </summary>
internal sealed class ScheduleTable
{
    private readonly long[] _rangeStarts;
    private readonly long[] _rangeEnds;

    // Ranges of schedule s on day d are [_dayStart[s*7+d], _dayStart[s*7+d+1]).
    private readonly int[] _dayStart;
    private readonly int[] _holidays;

    // Holidays of schedule s are [_holidayStart[s], _holidayStart[s+1]), sorted.
    private readonly int[] _holidayStart;

    private ScheduleTable(long[] rangeStarts, long[] rangeEnds, int[] dayStart, int[] holidays, int[] holidayStart)
    {
        _rangeStarts = rangeStarts;
        _rangeEnds = rangeEnds;
        _dayStart = dayStart;
        _holidays = holidays;
        _holidayStart = holidayStart;
    }

    public int Count => _holidayStart.Length - 1;

    /// <summary>Compiles schedules; their index in the list is their index here.</summary>
    /// <exception cref="ArgumentException">A window does not end after it starts, or names no day of the week.</exception>
    public static ScheduleTable Compile(IReadOnlyList<(IReadOnlyList<WeeklyWindow> Windows, IReadOnlyList<DateOnly> Holidays)> schedules)
    {
        var rangeStarts = new List<long>();
        var rangeEnds = new List<long>();
        var dayStart = new int[(schedules.Count * 7) + 1];
        var holidays = new List<int>();
        var holidayStart = new int[schedules.Count + 1];
        var day = new List<(long Start, long End)>();

        for (var s = 0; s < schedules.Count; s++)
        {
            var (windows, scheduleHolidays) = schedules[s];
            foreach (var window in windows)
            {
                if ((uint)window.Day > (uint)DayOfWeek.Saturday)
                {
                    throw new ArgumentException($"Schedule {s} has a window on an unknown day {(int)window.Day}.", nameof(schedules));
                }

                if (window.EndTicks <= window.StartTicks)
                {
                    throw new ArgumentException(
                        $"Schedule {s} has a window {window.Start}–{window.End} that does not end after it starts.",
                        nameof(schedules));
                }
            }

            for (var d = 0; d < 7; d++)
            {
                dayStart[(s * 7) + d] = rangeStarts.Count;
                day.Clear();
                foreach (var window in windows)
                {
                    if ((int)window.Day == d)
                    {
                        day.Add((window.StartTicks, window.EndTicks));
                    }
                }

                day.Sort();
                foreach (var (start, end) in day)
                {
                    var last = rangeEnds.Count - 1;
                    if (last >= dayStart[(s * 7) + d] && start <= rangeEnds[last])
                    {
                        rangeEnds[last] = Math.Max(rangeEnds[last], end);
                    }
                    else
                    {
                        rangeStarts.Add(start);
                        rangeEnds.Add(end);
                    }
                }
            }

            holidayStart[s] = holidays.Count;
            var first = holidays.Count;
            foreach (var holiday in scheduleHolidays)
            {
                holidays.Add(holiday.DayNumber);
            }

            holidays.Sort(first, holidays.Count - first, comparer: null);
            var write = first;
            for (var read = first; read < holidays.Count; read++)
            {
                if (write == first || holidays[write - 1] != holidays[read])
                {
                    holidays[write++] = holidays[read];
                }
            }

            holidays.RemoveRange(write, holidays.Count - write);
        }

        dayStart[schedules.Count * 7] = rangeStarts.Count;
        holidayStart[schedules.Count] = holidays.Count;
        return new ScheduleTable([.. rangeStarts], [.. rangeEnds], dayStart, [.. holidays], holidayStart);
    }

    /// <summary>The starts (ticks since local midnight, ascending) of schedule <paramref name="schedule"/>'s merged windows on <paramref name="day"/>.</summary>
    public ReadOnlySpan<long> RangeStarts(int schedule, DayOfWeek day)
    {
        var slot = (schedule * 7) + (int)day;
        return _rangeStarts.AsSpan(_dayStart[slot], _dayStart[slot + 1] - _dayStart[slot]);
    }

    /// <summary>What schedule <paramref name="schedule"/> says at local wall-clock ticks <paramref name="localTicks"/>.</summary>
    public ScheduleState Evaluate(int schedule, long localTicks)
    {
        var dayNumber = (int)(localTicks / TimeSpan.TicksPerDay);
        var timeOfDay = localTicks - (dayNumber * TimeSpan.TicksPerDay);

        var holidays = _holidays;
        var low = _holidayStart[schedule];
        var high = _holidayStart[schedule + 1] - 1;
        while (low <= high)
        {
            var middle = (low + high) >>> 1;
            var value = holidays[middle];
            if (value == dayNumber)
            {
                return ScheduleState.Holiday;
            }

            if (value < dayNumber)
            {
                low = middle + 1;
            }
            else
            {
                high = middle - 1;
            }
        }

        // Day 0 (0001-01-01) was a Monday; DayOfWeek counts from Sunday.
        var slot = (schedule * 7) + ((dayNumber + 1) % 7);
        var end = _dayStart[slot + 1];
        for (var i = _dayStart[slot]; i < end; i++)
        {
            if (timeOfDay < _rangeStarts[i])
            {
                break;
            }

            if (timeOfDay < _rangeEnds[i])
            {
                return ScheduleState.Open;
            }
        }

        return ScheduleState.Closed;
    }
}
