using System.Net.Http.Json;
using System.Text.Json;
using Gatehouse.Server.Tests.Infrastructure;

namespace Gatehouse.Server.Tests.Browser;

/// <summary>Makes what a page test needs but does not test, through the API as the owner.</summary>
public static class Seed
{
    public static Task<string> SiteAsync(this TestOrganization org, string name, string timeZone = "Europe/Berlin") =>
        CreateAsync(org, "/api/v1/sites", new { name, timeZone });

    public static Task<string> DoorAsync(this TestOrganization org, string siteId, string name) =>
        CreateAsync(org, "/api/v1/doors", new { siteId, name });

    public static Task<string> ScheduleAsync(this TestOrganization org, string name) =>
        CreateAsync(org, "/api/v1/schedules", new
        {
            name,
            windows = new[] { new { days = new[] { "Monday", "Tuesday", "Wednesday", "Thursday", "Friday" }, start = "07:00", end = "19:00" } },
        });

    /// <summary>A resource as the API shows it, for checking what the store holds after a page's post.</summary>
    public static async Task<JsonElement> GetAsync(this TestOrganization org, string path) =>
        await org.Owner.GetFromJsonAsync<JsonElement>(path);

    private static async Task<string> CreateAsync(TestOrganization org, string path, object body)
    {
        var response = await org.Owner.PostAsJsonAsync(path, body);
        response.EnsureSuccessStatusCode();
        var created = await response.Content.ReadFromJsonAsync<JsonElement>();
        return created.GetProperty("id").GetString()!;
    }
}
