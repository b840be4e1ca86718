namespace Gatehouse.Core.Schedules;

/// <summary>
/// UTC → local conversion for one zone without allocating and without <see cref="TimeZoneInfo"/>'s
/// rule search: the zone's UTC offsets over a span of years, as a sorted table of the instants at which
/// the offset changes, read by binary search. Instants outside the span fall back to
/// <see cref="TimeZoneInfo.GetUtcOffset(DateTime)"/>, so the answer is the same everywhere.
/// </summary>
internal sealed class ZoneOffsetTable
{
    private readonly TimeZoneInfo _zone;
    private readonly long _fromUtc;
    private readonly long _untilUtc;

    // _offsets[i] is in force from _starts[i] (inclusive) to _starts[i + 1]; _starts[0] == _fromUtc.
    private readonly long[] _starts;
    private readonly long[] _offsets;

    private ZoneOffsetTable(TimeZoneInfo zone, long fromUtc, long untilUtc, long[] starts, long[] offsets)
    {
        _zone = zone;
        _fromUtc = fromUtc;
        _untilUtc = untilUtc;
        _starts = starts;
        _offsets = offsets;
    }

    public TimeZoneInfo Zone => _zone;

    /// <summary>The number of offset periods in the table (1 for a zone without transitions in the span).</summary>
    public int PeriodCount => _starts.Length;

    /// <summary>
    /// Tabulates <paramref name="zone"/> over whole UTC days from <paramref name="from"/> up to
    /// <paramref name="until"/>. The zone is sampled once a day and each change is then pinned to the
    /// second by bisection; tz rules never change the offset twice within one day.
    /// </summary>
    public static ZoneOffsetTable Create(TimeZoneInfo zone, DateTime from, DateTime until)
    {
        var fromUtc = from.Date.Ticks;
        var untilUtc = until.Date.Ticks;
        var starts = new List<long> { fromUtc };
        var offsets = new List<long> { OffsetFromZone(zone, fromUtc) };
        var previous = offsets[0];
        for (var day = fromUtc + TimeSpan.TicksPerDay; day <= untilUtc; day += TimeSpan.TicksPerDay)
        {
            var offset = OffsetFromZone(zone, day);
            if (offset == previous)
            {
                continue;
            }

            var low = (day - TimeSpan.TicksPerDay) / TimeSpan.TicksPerSecond;
            var high = day / TimeSpan.TicksPerSecond;
            while (high - low > 1)
            {
                var middle = low + ((high - low) / 2);
                if (OffsetFromZone(zone, middle * TimeSpan.TicksPerSecond) == previous)
                {
                    low = middle;
                }
                else
                {
                    high = middle;
                }
            }

            starts.Add(high * TimeSpan.TicksPerSecond);
            offsets.Add(offset);
            previous = offset;
        }

        return new ZoneOffsetTable(zone, fromUtc, untilUtc, [.. starts], [.. offsets]);
    }

    /// <summary>The zone's UTC offset, in ticks, at the instant <paramref name="utcTicks"/>.</summary>
    public long OffsetTicks(long utcTicks)
    {
        if (utcTicks < _fromUtc || utcTicks >= _untilUtc)
        {
            return OffsetFromZone(_zone, utcTicks);
        }

        var starts = _starts;
        var low = 0;
        var high = starts.Length - 1;
        while (low < high)
        {
            var middle = (low + high + 1) >>> 1;
            if (starts[middle] <= utcTicks)
            {
                low = middle;
            }
            else
            {
                high = middle - 1;
            }
        }

        return _offsets[low];
    }

    /// <summary>The local wall-clock ticks (as <see cref="DateTime.Ticks"/>) at the instant <paramref name="utcTicks"/>.</summary>
    public long ToLocalTicks(long utcTicks) => utcTicks + OffsetTicks(utcTicks);

    private static long OffsetFromZone(TimeZoneInfo zone, long utcTicks) =>
        zone.GetUtcOffset(new DateTime(utcTicks, DateTimeKind.Utc)).Ticks;
}
