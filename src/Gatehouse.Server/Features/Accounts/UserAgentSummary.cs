namespace Gatehouse.Server.Features.Accounts;

/// <summary>A browser's User-Agent in a few words ("Firefox on Windows") for the list of sessions.</summary>
internal static class UserAgentSummary
{
    public static string Of(string? userAgent)
    {
        if (string.IsNullOrWhiteSpace(userAgent))
        {
            return "Unknown client";
        }

        var client = userAgent switch
        {
            _ when Has(userAgent, "Edg/") => "Edge",
            _ when Has(userAgent, "OPR/") => "Opera",
            _ when Has(userAgent, "Firefox/") => "Firefox",
            _ when Has(userAgent, "Chrome/") || Has(userAgent, "Chromium/") => "Chrome",
            _ when Has(userAgent, "Safari/") => "Safari",
            _ when userAgent.StartsWith("curl/", StringComparison.OrdinalIgnoreCase) => "curl",
            _ => null,
        };
        var system = userAgent switch
        {
            _ when Has(userAgent, "Android") => "Android",
            _ when Has(userAgent, "iPhone") || Has(userAgent, "iPad") => "iOS",
            _ when Has(userAgent, "Windows") => "Windows",
            _ when Has(userAgent, "Mac OS X") || Has(userAgent, "Macintosh") => "macOS",
            _ when Has(userAgent, "CrOS") => "ChromeOS",
            _ when Has(userAgent, "Linux") => "Linux",
            _ => null,
        };

        return (client, system) switch
        {
            (not null, not null) => $"{client} on {system}",
            (not null, null) => client,
            (null, not null) => $"A client on {system}",
            _ => userAgent.Length <= 40 ? userAgent : userAgent[..40] + "…",
        };
    }

    private static bool Has(string text, string part) => text.Contains(part, StringComparison.OrdinalIgnoreCase);
}
