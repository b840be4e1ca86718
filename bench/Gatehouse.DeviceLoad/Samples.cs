using System.Diagnostics;
using System.Globalization;

namespace Gatehouse.DeviceLoad;

/// <summary>Durations of one kind, in milliseconds, with the percentiles the report prints.</summary>
internal sealed class Samples(string name)
{
    private readonly List<double> _values = [];

    public string Name { get; } = name;

    public int Count => _values.Count;

    public IReadOnlyList<double> Values => _values;

    public void Add(double milliseconds) => _values.Add(milliseconds);

    public void AddElapsed(long startTimestamp, long endTimestamp) =>
        Add(Stopwatch.GetElapsedTime(startTimestamp, endTimestamp).TotalMilliseconds);

    /// <summary>All of <paramref name="parts"/>' samples in one (each part kept by one worker, merged after the run).</summary>
    public static Samples Merge(IEnumerable<Samples> parts, string name = "")
    {
        var all = new Samples(name);
        foreach (var part in parts)
        {
            all._values.AddRange(part._values);
        }

        return all;
    }

    /// <summary>The nearest-rank percentile: the smallest sample with at least <paramref name="percent"/> % of all at or below it.</summary>
    public double Percentile(double percent)
    {
        if (_values.Count == 0)
        {
            return double.NaN;
        }

        var sorted = _values.Order().ToList();
        var rank = (int)Math.Ceiling(percent / 100 * sorted.Count);
        return sorted[Math.Clamp(rank - 1, 0, sorted.Count - 1)];
    }

    public double Min => _values.Count == 0 ? double.NaN : _values.Min();

    public double Max => _values.Count == 0 ? double.NaN : _values.Max();

    public double Mean => _values.Count == 0 ? double.NaN : _values.Average();

    public static string Header => "| What | n | p50 | p90 | p99 | max | mean |\n|---|---:|---:|---:|---:|---:|---:|";

    /// <summary>One row of a Markdown table.</summary>
    public string Row() =>
        $"| {Name} | {Count} | {Ms(Percentile(50))} | {Ms(Percentile(90))} | {Ms(Percentile(99))} | {Ms(Max)} | {Ms(Mean)} |";

    public static string Ms(double milliseconds) => milliseconds.ToString("0.0", CultureInfo.InvariantCulture) + " ms";

    /// <summary>Two decimals, three below 0.1 (an online unlock runs at a few thousandths of the decisions' rate).</summary>
    public static string Ratio(double value, double baseline)
    {
        var ratio = value / baseline;
        return ratio.ToString(Math.Abs(ratio) < 0.1 ? "0.000" : "0.00", CultureInfo.InvariantCulture);
    }
}
