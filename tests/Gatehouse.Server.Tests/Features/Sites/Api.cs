using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Hosting;
using Gatehouse.Server.Tests.Infrastructure;

namespace Gatehouse.Server.Tests.Features;

/// <summary>Small steps the tests of sites, doors, schedules, access groups and users share.</summary>
internal static class Api
{
    public static async Task<JsonElement> JsonAsync(this HttpResponseMessage response, HttpStatusCode expected = HttpStatusCode.OK)
    {
        await response.AssertStatusAsync(expected);
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return json.RootElement.Clone();
    }

    public static async Task<JsonElement> GetJsonAsync(this HttpClient client, string url) =>
        await (await client.GetAsync(url)).JsonAsync();

    /// <summary>Posts and expects 201; returns the created resource.</summary>
    public static async Task<JsonElement> CreateAsync(this HttpClient client, string url, object body) =>
        await (await client.PostAsJsonAsync(url, body)).JsonAsync(HttpStatusCode.Created);

    public static Task<HttpResponseMessage> PostRawAsync(this HttpClient client, string url, string json) =>
        client.PostAsync(url, new StringContent(json, Encoding.UTF8, "application/json"));

    public static Task<HttpResponseMessage> PatchRawAsync(this HttpClient client, string url, string json) =>
        client.PatchAsync(url, new StringContent(json, Encoding.UTF8, "application/json"));

    public static string Id(this JsonElement resource) => resource.GetProperty("id").GetString()!;

    public static string Str(this JsonElement resource, string property) => resource.GetProperty(property).GetString()!;

    public static bool IsNull(this JsonElement resource, string property) =>
        resource.GetProperty(property).ValueKind == JsonValueKind.Null;

    public static string[] Strings(this JsonElement resource, string property) =>
        [.. resource.GetProperty(property).EnumerateArray().Select(e => e.GetString()!)];

    /// <summary>The <c>total</c> of a list: what "the store is unchanged" is checked with.</summary>
    public static async Task<int> TotalAsync(this HttpClient client, string url) =>
        (await client.GetJsonAsync(url)).GetProperty("total").GetInt32();

    public static async Task<string[]> ListIdsAsync(this HttpClient client, string url) =>
        [.. (await client.GetJsonAsync(url)).GetProperty("items").EnumerateArray().Select(i => i.Id())];

    public static Task<JsonElement> NewSiteAsync(this HttpClient client, string? name = null, string timeZone = "Europe/Berlin") =>
        client.CreateAsync("/api/v1/sites", new { name = name ?? Unique("Site"), timeZone });

    public static async Task<JsonElement> NewDoorAsync(this HttpClient client, string? siteId = null, string? name = null) =>
        await client.CreateAsync("/api/v1/doors", new { siteId = siteId ?? (await client.NewSiteAsync()).Id(), name = name ?? Unique("Door") });

    public static Task<JsonElement> NewScheduleAsync(this HttpClient client, string? name = null) =>
        client.CreateAsync("/api/v1/schedules", new
        {
            name = name ?? Unique("Schedule"),
            windows = new[] { new { days = new[] { "Monday", "Tuesday" }, start = "08:00", end = "18:00" } },
        });

    public static async Task<JsonElement> NewAccessGroupAsync(this HttpClient client, string? scheduleId = null, string[]? doorIds = null, string? name = null) =>
        await client.CreateAsync("/api/v1/access-groups", new
        {
            name = name ?? Unique("Group"),
            scheduleId = scheduleId ?? (await client.NewScheduleAsync()).Id(),
            doorIds = doorIds ?? [],
        });

    public static Task<JsonElement> NewUserAsync(this HttpClient client, string firstName = "Ana", string lastName = "Lima", string[]? accessGroupIds = null) =>
        client.CreateAsync("/api/v1/users", new { firstName, lastName, accessGroupIds = accessGroupIds ?? [] });

    public static string Unique(string prefix) => $"{prefix} {Guid.NewGuid():N}"[..(prefix.Length + 9)];
}

/// <summary>
/// The server for test classes that make an organization per test (two sign-ins each). It is the plain
/// <see cref="GatehouseApp"/>, whose sign-in limit no test reaches (<see cref="TestServerSettings"/>).
/// </summary>
public sealed class ManyOrganizationsApp : GatehouseApp;
