using BenchmarkDotNet.Attributes;
using Gatehouse.Core.Schedules;

namespace Gatehouse.Benchmarks;

/// <summary>
/// UTC → local offset for instants spread over 2026: <see cref="TimeZoneInfo.GetUtcOffset(DateTime)"/>
/// (the baseline) against the snapshot's precomputed transition table.
/// </summary>
[MemoryDiagnoser]
[MinColumn, MedianColumn]
public class ZoneOffsetBenchmarks
{
    private const int Batch = 1024;

    private TimeZoneInfo _zone = null!;
    private ZoneOffsetTable _table = null!;
    private long[] _instants = null!;

    [Params("America/New_York", "Europe/Berlin")]
    public string Zone { get; set; } = "";

    [GlobalSetup]
    public void Setup()
    {
        TimeZones.TryFind(Zone, out var zone);
        _zone = zone!;
        _table = ZoneOffsetTable.Create(_zone, new DateTime(2024, 1, 1), new DateTime(2036, 1, 1));
        var random = new Random(7);
        var start = new DateTime(2026, 1, 1, 0, 0, 0, DateTimeKind.Utc).Ticks;
        _instants = new long[Batch];
        for (var i = 0; i < Batch; i++)
        {
            _instants[i] = start + random.NextInt64(TimeSpan.TicksPerDay * 365);
        }
    }

    [Benchmark(Baseline = true, OperationsPerInvoke = Batch, Description = "TimeZoneInfo.GetUtcOffset")]
    public long TimeZoneInfoOffset()
    {
        var sum = 0L;
        foreach (var t in _instants)
        {
            sum += _zone.GetUtcOffset(new DateTime(t, DateTimeKind.Utc)).Ticks;
        }

        return sum;
    }

    [Benchmark(OperationsPerInvoke = Batch, Description = "ZoneOffsetTable.OffsetTicks")]
    public long TableOffset()
    {
        var sum = 0L;
        foreach (var t in _instants)
        {
            sum += _table.OffsetTicks(t);
        }

        return sum;
    }
}
