using System.Globalization;
using Gatehouse.Core.Schedules;
using Gatehouse.Server.Infrastructure;

namespace Gatehouse.Server.Components.Shared;

/// <summary>
/// Instants as the admin reads and types them: in the browser's time zone, which <c>js/viewer-time.js</c>
/// keeps in a cookie (UTC until the first page has set it). Store and API stay in UTC; only the console
/// converts, and every form that takes a time says which zone it reads it in.
/// </summary>
public static class ViewerTime
{
    public const string CookieName = "gatehouse.tz";

    private const string InputFormat = "yyyy-MM-dd'T'HH:mm";

    /// <summary>The admin's time zone, from the cookie; UTC when it is missing or not an IANA zone known here.</summary>
    public static TimeZoneInfo Zone(HttpContext? context) =>
        context?.Request.Cookies.TryGetValue(CookieName, out var id) == true && TimeZones.TryFind(id, out var zone)
            ? zone
            : TimeZoneInfo.Utc;

    /// <summary>The zone's name for a label: "Europe/Berlin", or "UTC".</summary>
    public static string Name(TimeZoneInfo zone) => zone == TimeZoneInfo.Utc ? "UTC" : zone.Id;

    /// <summary>"9 Mar 2026, 13:15" in the zone.</summary>
    public static string Format(DateTimeOffset at, TimeZoneInfo zone) =>
        TimeZoneInfo.ConvertTime(at, zone).ToString("d MMM yyyy, HH:mm", CultureInfo.InvariantCulture);

    /// <summary>"9 Mar 2026, 13:15:42" in the zone, for history where seconds matter.</summary>
    public static string FormatWithSeconds(DateTimeOffset at, TimeZoneInfo zone) =>
        TimeZoneInfo.ConvertTime(at, zone).ToString("d MMM yyyy, HH:mm:ss", CultureInfo.InvariantCulture);

    /// <summary>The value of a <c>datetime-local</c> input showing <paramref name="at"/> in the zone; empty for none.</summary>
    public static string ToInput(DateTimeOffset? at, TimeZoneInfo zone) =>
        at is { } value ? TimeZoneInfo.ConvertTime(value, zone).ToString(InputFormat, CultureInfo.InvariantCulture) : "";

    /// <summary>
    /// Reads a <c>datetime-local</c> value (<c>2026-03-09T13:15</c>, seconds allowed) typed in the zone. Blank is
    /// none. A local time that a daylight-saving change skips is read as if the clock had not jumped yet.
    /// </summary>
    public static bool TryParseInput(string? text, TimeZoneInfo zone, out DateTimeOffset? at)
    {
        at = null;
        if (string.IsNullOrWhiteSpace(text))
        {
            return true;
        }

        if (!DateTime.TryParseExact(text.Trim(), ["yyyy-MM-dd'T'HH:mm", "yyyy-MM-dd'T'HH:mm:ss"], CultureInfo.InvariantCulture,
                DateTimeStyles.None, out var local))
        {
            return false;
        }

        at = FromLocal(local, zone);
        return true;
    }

    /// <summary>A form's <c>datetime-local</c> field read as <see cref="TryParseInput"/> does; a bad value is added to <paramref name="v"/> under <paramref name="field"/>.</summary>
    internal static DateTimeOffset? ReadInput(Validation v, string field, string? text, TimeZoneInfo zone)
    {
        if (TryParseInput(text, zone, out var at))
        {
            return at;
        }

        v.Add(field, "Must be a date and time, such as 2026-03-09 08:00.");
        return null;
    }

    /// <summary>The instant at which the zone's clocks show <paramref name="local"/>.</summary>
    public static DateTimeOffset FromLocal(DateTime local, TimeZoneInfo zone)
    {
        local = DateTime.SpecifyKind(local, DateTimeKind.Unspecified);
        if (zone.IsInvalidTime(local))
        {
            local = local.AddHours(1);
        }

        var offset = zone.IsAmbiguousTime(local) ? zone.GetAmbiguousTimeOffsets(local).Max() : zone.GetUtcOffset(local);
        return new DateTimeOffset(local, offset).ToUniversalTime();
    }
}
