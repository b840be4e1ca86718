using System.Diagnostics.CodeAnalysis;

namespace Gatehouse.Core.Schedules;

/// <summary>
/// The time zones a site may name: IANA identifiers (<c>America/New_York</c>, <c>Europe/Berlin</c>,
/// <c>UTC</c>, and IANA aliases such as <c>US/Eastern</c>) spelled exactly as the zone database does,
/// never Windows names (<c>Eastern Standard Time</c>), offsets (<c>+02:00</c>), nor the database's
/// files that are not places (<c>posixrules</c>, <c>Factory</c>, the <c>posix/</c> and <c>right/</c> copies).
/// </summary>
public static class TimeZones
{
    private static readonly string[] NotPlaces = ["posixrules", "localtime", "Factory"];

    /// <summary>Finds the zone of an IANA identifier; false for anything else, including a wrong letter case.</summary>
    /// <param name="id">An IANA time zone identifier.</param>
    /// <param name="zone">The zone, when found.</param>
    public static bool TryFind(string? id, [NotNullWhen(true)] out TimeZoneInfo? zone)
    {
        zone = null;
        if (!LooksLikeIanaId(id)
            || !TimeZoneInfo.TryFindSystemTimeZoneById(id, out var found)
            || !found.HasIanaId
            || !string.Equals(found.Id, id, StringComparison.Ordinal))
        {
            return false;
        }

        zone = found;
        return true;
    }

    /// <summary>True when <paramref name="id"/> is an IANA time zone identifier known to this machine.</summary>
    public static bool IsValid(string? id) => TryFind(id, out _);

    private static bool LooksLikeIanaId([NotNullWhen(true)] string? id)
    {
        if (string.IsNullOrEmpty(id) || id.Length > 64 || id[0] == '/' || id[^1] == '/'
            || id.Contains("//", StringComparison.Ordinal)
            || id.StartsWith("posix/", StringComparison.Ordinal) || id.StartsWith("right/", StringComparison.Ordinal)
            || Array.IndexOf(NotPlaces, id) >= 0)
        {
            return false;
        }

        foreach (var c in id)
        {
            if (!(char.IsAsciiLetterOrDigit(c) || c is '/' or '_' or '-' or '+'))
            {
                return false;
            }
        }

        return true;
    }
}
