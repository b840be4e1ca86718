using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

namespace Gatehouse.Testing;

/// <summary>JSON over HTTP as tests and measurements talk to the API: an unexpected status throws with the body.</summary>
public static class HttpJson
{
    /// <summary>The response body as JSON, whatever its status.</summary>
    public static async Task<JsonElement> ReadJsonAsync(this HttpResponseMessage response)
    {
        var text = await response.Content.ReadAsStringAsync();
        using var document = JsonDocument.Parse(text);
        return document.RootElement.Clone();
    }

    /// <summary>Throws, naming the request and quoting the body, unless the response has the status.</summary>
    public static async Task ExpectStatusAsync(this HttpResponseMessage response, HttpStatusCode status)
    {
        if (response.StatusCode != status)
        {
            throw new HttpRequestException(
                $"{response.RequestMessage?.Method} {response.RequestMessage?.RequestUri} answered {(int)response.StatusCode}, not {(int)status}: {await response.Content.ReadAsStringAsync()}",
                null,
                response.StatusCode);
        }
    }

    /// <summary>GETs a URL expecting 200 and returns its JSON.</summary>
    public static async Task<JsonElement> GetOkJsonAsync(this HttpClient client, string url)
    {
        var response = await client.GetAsync(url);
        await response.ExpectStatusAsync(HttpStatusCode.OK);
        return await response.ReadJsonAsync();
    }

    /// <summary>POSTs a JSON body expecting 201 and returns what was created.</summary>
    public static async Task<JsonElement> PostCreatedAsync(this HttpClient client, string url, object body)
    {
        var response = await client.PostAsJsonAsync(url, body);
        await response.ExpectStatusAsync(HttpStatusCode.Created);
        return await response.ReadJsonAsync();
    }

    /// <summary>POSTs a JSON body expecting 201 and returns the <c>id</c> of what was created.</summary>
    public static async Task<Guid> PostCreatedIdAsync(this HttpClient client, string url, object body) =>
        (await client.PostCreatedAsync(url, body)).GetProperty("id").GetGuid();

    /// <summary>PATCHes a JSON body.</summary>
    public static Task<HttpResponseMessage> PatchJsonAsync<T>(this HttpClient client, string url, T body) =>
        client.PatchAsync(url, JsonContent.Create(body));

    public static string Text(this JsonElement e, string property) => e.GetProperty(property).GetString()!;
}
