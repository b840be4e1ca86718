using System.Net.Http.Json;
using System.Text.Json;

namespace Gatehouse.Server.Tests.Infrastructure;

public static class HttpJson
{
    /// <summary>The response body as JSON, whatever its status.</summary>
    public static async Task<JsonElement> ReadJsonAsync(this HttpResponseMessage response)
    {
        var text = await response.Content.ReadAsStringAsync();
        using var document = JsonDocument.Parse(text);
        return document.RootElement.Clone();
    }

    /// <summary>GETs a URL expecting 200 and returns its JSON.</summary>
    public static async Task<JsonElement> GetOkJsonAsync(this HttpClient client, string url)
    {
        var response = await client.GetAsync(url);
        await response.AssertStatusAsync(System.Net.HttpStatusCode.OK);
        return await response.ReadJsonAsync();
    }

    /// <summary>PATCHes a JSON body.</summary>
    public static Task<HttpResponseMessage> PatchJsonAsync<T>(this HttpClient client, string url, T body) =>
        client.PatchAsync(url, JsonContent.Create(body));

    public static string Text(this JsonElement e, string property) => e.GetProperty(property).GetString()!;
}
