using Gatehouse.Core.Schedules;

namespace Gatehouse.Server.Components.Shared;

/// <summary>The IANA time zones a site may name, grouped by region for a select.</summary>
public static class TimeZoneOptions
{
    private static readonly Lazy<IReadOnlyList<IGrouping<string, (string Id, string Label)>>> All = new(Build);

    public static IReadOnlyList<IGrouping<string, (string Id, string Label)>> Grouped => All.Value;

    private static IReadOnlyList<IGrouping<string, (string Id, string Label)>> Build() =>
    [
        .. TimeZoneInfo.GetSystemTimeZones()
            .Where(z => z.HasIanaId && TimeZones.IsValid(z.Id) && (z.Id.Contains('/', StringComparison.Ordinal) || z.Id == "UTC"))
            .Where(z => !z.Id.StartsWith("Etc/", StringComparison.Ordinal) && !z.Id.StartsWith("SystemV/", StringComparison.Ordinal))
            .Select(z => (z.Id, Label: $"{z.Id.Replace('_', ' ')} (UTC{Offset(z.BaseUtcOffset)})"))
            .OrderBy(z => z.Id, StringComparer.Ordinal)
            .GroupBy(z => z.Id.Contains('/', StringComparison.Ordinal) ? z.Id[..z.Id.IndexOf('/', StringComparison.Ordinal)] : "Universal"),
    ];

    private static string Offset(TimeSpan offset) =>
        (offset < TimeSpan.Zero ? "−" : "+") + offset.Duration().ToString(@"hh\:mm", System.Globalization.CultureInfo.InvariantCulture);
}
