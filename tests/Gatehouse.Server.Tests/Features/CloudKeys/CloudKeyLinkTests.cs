using System.Net;
using System.Net.Http.Json;
using System.Text.RegularExpressions;
using Gatehouse.Server.Data;
using Gatehouse.Server.Features.Messaging;
using Gatehouse.Server.Tests.Infrastructure;
using Microsoft.AspNetCore.Hosting;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Gatehouse.Server.Tests.Features.CloudKeys;

/// <summary>The server without <c>Gatehouse:PublicBaseUrl</c>, not a demo.</summary>
public sealed class NoPublicBaseUrlApp : CloudKeysApp
{
    protected override void ConfigureTestServices(IWebHostBuilder builder)
    {
        base.ConfigureTestServices(builder);
        builder.UseSetting("Gatehouse:PublicBaseUrl", "");
    }
}

/// <summary>
/// Links in Cloud Key messages are built on <c>Gatehouse:PublicBaseUrl</c> and never on the request's
/// <c>Host</c> header, which whoever sends the request chooses.
/// </summary>
public sealed partial class CloudKeyLinkTests(NoPublicBaseUrlApp app) : IClassFixture<NoPublicBaseUrlApp>
{
    public const string AttackerHost = "attacker.example";

    [Fact]
    public async Task Create_WithoutPublicBaseUrlAndAForgedHost_IsRefusedNamingTheSettingAndSendsNothing()
    {
        await using var scene = await KeyScene.CreateAsync(app, withDevice: false);

        var response = await scene.Owner.SendAsync(ForgedHost(HttpMethod.Post, $"/api/v1/users/{scene.UserId}/credentials/cloud-keys", new
        {
            sendEmail = true,
            sendText = true,
            validUntil = app.Clock.GetUtcNow().AddDays(1),
        }));

        var problem = await response.JsonAsync(HttpStatusCode.Conflict);
        Assert.Contains("Gatehouse__PublicBaseUrl", problem.Str("detail"), StringComparison.Ordinal);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal(0, await scene.Owner.TotalAsync($"/api/v1/users/{scene.UserId}/credentials"));
        Assert.Empty(await app.MessagesMentioningAsync(AttackerHost));
        Assert.Empty(await app.MessagesAboutUserAsync(scene.UserId));
    }

    [Fact]
    public async Task Resend_WithoutPublicBaseUrl_IsRefusedAndTheOldLinkKeepsWorking()
    {
        // The key was sent while the server had a base; then it restarted without one.
        string keyId;
        ReceivedKey first;
        await using var scene = await KeyScene.CreateAsync(app, withDevice: false);
        using (var withBase = app.WithWebHostBuilder(b => b.UseSetting("Gatehouse:PublicBaseUrl", "https://doors.example.org")))
        {
            using var owner = await SignInAsync(withBase, scene.Org.OwnerEmail);
            var created = await owner.CreateAsync($"/api/v1/users/{scene.UserId}/credentials/cloud-keys", new { sendEmail = true, validUntil = app.Clock.GetUtcNow().AddDays(1) });
            keyId = created.Id();
            first = await app.ReceivedAsync(keyId);
        }

        var response = await scene.Owner.SendAsync(ForgedHost(HttpMethod.Post, $"/api/v1/cloud-keys/{keyId}/resend", null));

        await response.AssertStatusAsync(HttpStatusCode.Conflict);
        Assert.Empty(await app.MessagesMentioningAsync(AttackerHost));
        Assert.Single(await app.MessagesAboutUserAsync(scene.UserId));
        Assert.StartsWith("https://doors.example.org/k/", first.Link, StringComparison.Ordinal);
        var page = await app.Anonymous().GetJsonAsync($"/api/v1/public/cloud-keys/{first.Token}");
        Assert.Equal("active", page.Str("status"));
    }

    [Fact]
    public async Task ConsoleAdd_WithoutPublicBaseUrl_ShowsTheAdminWhatToSet()
    {
        await using var scene = await KeyScene.CreateAsync(app, withDevice: false);
        using var console = await app.SignInToConsoleAsync(scene.Org.OwnerEmail, GatehouseApp.OwnerPassword);
        var page = await console.GetStringAsync($"/users/{scene.UserId}");

        var response = await console.PostAsync($"/users/{scene.UserId}", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["_handler"] = "add-cloud-key",
            ["__RequestVerificationToken"] = WebUtility.HtmlDecode(AntiforgeryField().Match(page).Groups[1].Value),
            ["sendEmail"] = "true",
            ["validUntil"] = app.Clock.GetUtcNow().AddDays(2).ToString("yyyy-MM-dd'T'HH:mm", System.Globalization.CultureInfo.InvariantCulture),
        }));

        var body = await response.Content.ReadAsStringAsync();
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Matches(@"class=""alert alert-error"" role=""alert"">.*Gatehouse__PublicBaseUrl", body);
        Assert.Equal(0, await scene.Owner.TotalAsync($"/api/v1/users/{scene.UserId}/credentials"));
    }

    [Fact]
    public async Task Start_WithoutPublicBaseUrl_LogsAWarningNamingTheSetting()
    {
        await app.Logs.WaitForAsync(LogLevel.Warning, "Gatehouse__PublicBaseUrl");
    }

    [Theory]
    [InlineData("gatehouse.example.com")]
    [InlineData("ftp://gatehouse.example.com")]
    [InlineData("https://gatehouse.example.com/?next=x")]
    public void Start_WithAPublicBaseUrlThatIsNoHttpAddress_FailsNamingTheSetting(string value)
    {
        using var misconfigured = app.WithWebHostBuilder(b => b.UseSetting("Gatehouse:PublicBaseUrl", value));

        var error = Assert.ThrowsAny<Microsoft.Extensions.Options.OptionsValidationException>(() => misconfigured.Server);
        Assert.Contains("PublicBaseUrl", error.Message, StringComparison.Ordinal);
    }

    /// <summary>A request whose <c>Host</c> (and forwarded host) is the attacker's.</summary>
    internal static HttpRequestMessage ForgedHost(HttpMethod method, string url, object? body)
    {
        var request = new HttpRequestMessage(method, url) { Content = body is null ? null : JsonContent.Create(body) };
        request.Headers.Host = AttackerHost;
        request.Headers.Add("X-Forwarded-Host", AttackerHost);
        return request;
    }

    private static async Task<HttpClient> SignInAsync(Microsoft.AspNetCore.Mvc.Testing.WebApplicationFactory<Program> factory, string email)
    {
        var client = factory.CreateClient();
        var token = await (await client.PostAsJsonAsync("/api/v1/auth/token", new { email, password = GatehouseApp.OwnerPassword })).JsonAsync();
        client.DefaultRequestHeaders.Authorization = new("Bearer", token.Str("accessToken"));
        return client;
    }

    [GeneratedRegex("name=\"__RequestVerificationToken\" value=\"([^\"]+)\"")]
    private static partial Regex AntiforgeryField();
}

/// <summary>With <c>Gatehouse:PublicBaseUrl</c> set (as every test server has it), links use it whatever the request says.</summary>
public sealed class CloudKeyLinkWithBaseTests(CloudKeysApp app) : IClassFixture<CloudKeysApp>
{
    [Fact]
    public async Task CreateAndResend_WithAForgedHost_LinkUsesPublicBaseUrl()
    {
        await using var scene = await KeyScene.CreateAsync(app, withDevice: false);

        var created = await (await scene.Owner.SendAsync(CloudKeyLinkTests.ForgedHost(HttpMethod.Post, $"/api/v1/users/{scene.UserId}/credentials/cloud-keys", new
        {
            sendEmail = true,
            sendText = true,
            validUntil = app.Clock.GetUtcNow().AddDays(1),
        }))).JsonAsync(HttpStatusCode.Created);
        await (await scene.Owner.SendAsync(CloudKeyLinkTests.ForgedHost(HttpMethod.Post, $"/api/v1/cloud-keys/{created.Id()}/resend", null))).JsonAsync();

        Assert.StartsWith("http://gatehouse.test/k/", (await app.ReceivedAsync(created.Id(), "email")).Link, StringComparison.Ordinal);
        Assert.StartsWith("http://gatehouse.test/k/", (await app.ReceivedAsync(created.Id(), "sms")).Link, StringComparison.Ordinal);
        Assert.Equal(4, (await app.MessagesAboutUserAsync(scene.UserId)).Count);
        Assert.Empty(await app.MessagesMentioningAsync(CloudKeyLinkTests.AttackerHost));
    }
}

internal static class OutboxReading
{
    /// <summary>The texts of every captured message (all organizations) that contain <paramref name="text"/>.</summary>
    public static async Task<List<string>> MessagesMentioningAsync(this GatehouseApp app, string text) =>
        [.. (await AllAsync(app)).Where(m => m.Text.Contains(text, StringComparison.OrdinalIgnoreCase)).Select(m => m.Text)];

    public static async Task<List<string>> MessagesAboutUserAsync(this GatehouseApp app, string userId) =>
        [.. (await AllAsync(app)).Where(m => m.UserId == Guid.Parse(userId)).Select(m => m.Text)];

    private static async Task<List<(Guid? UserId, string Text)>> AllAsync(GatehouseApp app)
    {
        await using var scope = app.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<GatehouseDbContext>();
        var protector = scope.ServiceProvider.GetRequiredService<OutboxContentProtector>();
        var messages = await db.OutboxMessages.IgnoreQueryFilters().AsNoTracking().ToListAsync();
        return [.. messages.Select(m => (m.UserId, m.ProtectedContent is null ? "" : protector.Unprotect(m.ProtectedContent).Text + "\n" + m.Subject))];
    }
}
