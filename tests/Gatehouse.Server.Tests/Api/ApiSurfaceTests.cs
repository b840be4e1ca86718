using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.RegularExpressions;
using Gatehouse.Server.Tests.Infrastructure;

namespace Gatehouse.Server.Tests.Api;

public sealed partial class ApiSurfaceTests(GatehouseApp app) : IClassFixture<GatehouseApp>
{
    [Fact]
    public async Task UnknownApiRoute_Is404Problem()
    {
        var org = await app.NewOrganizationAsync();

        var response = await org.Owner.GetAsync("/api/v1/no-such-thing");

        await response.AssertStatusAsync(HttpStatusCode.NotFound);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task ApiRoot_PointsToSignInAndTheDocumentation()
    {
        var index = await app.Anonymous().GetOkJsonAsync("/api/v1");

        Assert.Equal("/api/v1/auth/token", index.Text("signIn"));
        Assert.Equal("/openapi/v1.json", index.Text("openApi"));
    }

    [Fact]
    public async Task NoToken_Is401ProblemNamingTheScheme()
    {
        var response = await app.Anonymous().GetAsync("/api/v1/admins");

        await response.AssertStatusAsync(HttpStatusCode.Unauthorized);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains(response.Headers.WwwAuthenticate, h => h.Scheme == "Bearer");
    }

    [Fact]
    public async Task UnknownToken_Is401Problem()
    {
        var client = app.Anonymous();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", "not-a-token-we-issued");

        var response = await client.GetAsync("/api/v1/admins");

        await response.AssertStatusAsync(HttpStatusCode.Unauthorized);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task ViewerChangingSomething_Is403ProblemSayingWhy()
    {
        var org = await app.NewOrganizationAsync();
        var viewer = await org.MemberAsync("viewer");

        var response = await viewer.PostAsJsonAsync("/api/v1/admins", new { email = "x@example.com", password = "Whatever-123", role = "viewer" });

        await response.AssertStatusAsync(HttpStatusCode.Forbidden);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains("read", (await response.ReadJsonAsync()).Text("detail"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task ViewerSendingABrokenBody_IsStill403()
    {
        var org = await app.NewOrganizationAsync();
        var viewer = await org.MemberAsync("viewer");

        var response = await viewer.PostAsync("/api/v1/admins", new StringContent("{ not json", Encoding.UTF8, "application/json"));

        await response.AssertStatusAsync(HttpStatusCode.Forbidden);
    }

    [Theory]
    [InlineData("{ \"email\": ", "body")]
    [InlineData("""{"email": "a@example.com", "password": 12345678901, "role": "viewer"}""", "password")]
    [InlineData("""{"email": "a@example.com", "password": "Long-enough-1", "role": 1}""", "role")]
    [InlineData("""{"email": "a@example.com", "password": "Long-enough-1", "role": "viewer", "isSystemAdministrator": true}""", "isSystemAdministrator")]
    public async Task BrokenBody_Is400NamingTheField(string body, string field)
    {
        var org = await app.NewOrganizationAsync();

        var response = await org.Owner.PostAsync("/api/v1/admins", new StringContent(body, Encoding.UTF8, "application/json"));

        await response.AssertFieldErrorAsync(field);
        Assert.Equal(1, (await org.Owner.GetOkJsonAsync("/api/v1/admins")).GetProperty("total").GetInt32());
    }

    [Theory]
    [InlineData("""{"name": "Office", "windows": [{"days": ["Monday"], "start": 800, "end": "18:00"}]}""", "windows[0].start")]
    [InlineData("""{"name": "Office", "windows": [{"days": ["Monday"], "start": "08:00", "end": "18:00", "colour": "red"}]}""", "windows[0].colour")]
    public async Task BrokenNestedField_Is400NamingItsPath(string body, string field)
    {
        var org = await app.NewOrganizationAsync();

        var response = await org.Owner.PostAsync("/api/v1/schedules", new StringContent(body, Encoding.UTF8, "application/json"));

        await response.AssertFieldErrorAsync(field);
        Assert.Equal(0, (await org.Owner.GetOkJsonAsync("/api/v1/schedules")).GetProperty("total").GetInt32());
    }

    [Fact]
    public async Task QueryValueThatIsNotANumber_Is400NamingTheParameter()
    {
        var org = await app.NewOrganizationAsync();

        var response = await org.Owner.GetAsync("/api/v1/admins?page=one");

        await response.AssertFieldErrorAsync("page");
    }

    [Fact]
    public async Task EmptyBody_Is400NamingTheBody()
    {
        var org = await app.NewOrganizationAsync();

        var response = await org.Owner.PostAsync("/api/v1/admins", new StringContent("", Encoding.UTF8, "application/json"));

        await response.AssertFieldErrorAsync("body");
    }

    [Theory]
    [InlineData("/api/v1/admins")]
    [InlineData("/api/v1/no-such-thing")]
    [InlineData("/health/live")]
    [InlineData("/openapi/v1.json")]
    [InlineData("/api/")]
    public async Task EveryResponse_CarriesTheSecurityHeaders(string url)
    {
        var response = await app.Anonymous().GetAsync(url);

        Assert.Equal("nosniff", response.Headers.GetValues("X-Content-Type-Options").Single());
        Assert.Equal("DENY", response.Headers.GetValues("X-Frame-Options").Single());
        // The console's pages keep same-origin referrers for their own links; nothing goes to other sites.
        Assert.Contains(response.Headers.GetValues("Referrer-Policy").Single(), new[] { "no-referrer", "same-origin" });
    }

    [Fact]
    public async Task ApiResponses_ForbidRunningOrFramingAnything()
    {
        var org = await app.NewOrganizationAsync();

        var response = await org.Owner.GetAsync("/api/v1/admins");

        Assert.Equal("no-referrer", response.Headers.GetValues("Referrer-Policy").Single());
        var policy = response.Headers.GetValues("Content-Security-Policy").Single();
        Assert.Contains("default-src 'none'", policy, StringComparison.Ordinal);
        Assert.Contains("frame-ancestors 'none'", policy, StringComparison.Ordinal);
    }

    [Fact]
    public async Task OpenApiDocument_ListsTheApiAndTheBearerScheme()
    {
        var document = await app.Anonymous().GetOkJsonAsync("/openapi/v1.json");

        var paths = document.GetProperty("paths").EnumerateObject().Select(p => p.Name).ToList();
        Assert.Contains("/api/v1/auth/token", paths);
        Assert.Contains("/api/v1/admins", paths);
        Assert.Contains("/api/v1/admins/{id}", paths);
        Assert.Contains("/api/v1/audit/verify", paths);
        var scheme = document.GetProperty("components").GetProperty("securitySchemes").GetProperty("bearer");
        Assert.Equal("http", scheme.Text("type"));
        Assert.Equal("bearer", scheme.Text("scheme"));
        var listAdmins = document.GetProperty("paths").GetProperty("/api/v1/admins").GetProperty("get");
        Assert.True(listAdmins.GetProperty("security")[0].TryGetProperty("bearer", out _));
        var signIn = document.GetProperty("paths").GetProperty("/api/v1/auth/token").GetProperty("post");
        Assert.False(signIn.TryGetProperty("security", out var none) && none.GetArrayLength() > 0);
    }

    [Fact]
    public async Task ApiReference_RendersFromTheBundledScriptWithoutExternalHosts()
    {
        var client = app.Anonymous();

        var response = await client.GetAsync("/api/");

        await response.AssertStatusAsync(HttpStatusCode.OK);
        Assert.Equal("text/html", response.Content.Headers.ContentType?.MediaType);
        var html = await response.Content.ReadAsStringAsync();
        Assert.DoesNotMatch(ExternalUrl(), html);
        var scripts = ScriptSource().Matches(html).Select(m => m.Groups[1].Value).ToList();
        Assert.NotEmpty(scripts);
        foreach (var script in scripts)
        {
            var asset = await client.GetAsync("/api/" + script);
            await asset.AssertStatusAsync(HttpStatusCode.OK);
            Assert.Contains("javascript", asset.Content.Headers.ContentType?.MediaType, StringComparison.Ordinal);
        }

        // The bundle would load web fonts from its CDN unless told not to.
        Assert.Contains("\"withDefaultFonts\":false", html, StringComparison.Ordinal);
    }

    [GeneratedRegex("""(https?:)?//[a-z0-9.-]+\.[a-z]{2,}""", RegexOptions.IgnoreCase)]
    private static partial Regex ExternalUrl();

    [GeneratedRegex("""<script[^>]*\ssrc="([^"]+)""", RegexOptions.IgnoreCase)]
    private static partial Regex ScriptSource();
}
