using System.Net;
using System.Text.Json;

namespace Gatehouse.Server.Tests.Infrastructure;

public static class ProblemAssertions
{
    /// <summary>Asserts a 400 problem whose <c>errors</c> name <paramref name="field"/>; returns its messages.</summary>
    public static async Task<string[]> AssertFieldErrorAsync(this HttpResponseMessage response, string field)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.BadRequest, $"Expected 400 naming '{field}', got {(int)response.StatusCode}: {body}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        using var json = JsonDocument.Parse(body);
        Assert.True(json.RootElement.TryGetProperty("errors", out var errors), $"No errors in {body}");
        Assert.True(errors.TryGetProperty(field, out var messages), $"'{field}' not named in {body}");
        return messages.EnumerateArray().Select(m => m.GetString()!).ToArray();
    }

    public static Task AssertStatusAsync(this HttpResponseMessage response, HttpStatusCode expected) =>
        response.ExpectStatusAsync(expected);
}
