using System.Net;
using System.Net.Http.Json;
using System.Text;
using Gatehouse.Server.Tests.Infrastructure;

namespace Gatehouse.Server.Tests.Features.Accounts;

public sealed class LockoutTests(GatehouseApp app) : IClassFixture<GatehouseApp>
{
    [Fact]
    public async Task SignIn_AfterFiveWrongPasswords_IsRefusedEvenWithTheRightOneUntilTheLockoutEnds()
    {
        var org = await app.NewOrganizationAsync();
        var email = await AddAdminAsync(org);
        for (var i = 0; i < 5; i++)
        {
            await (await SignIn(email, "wrong-password-" + i)).AssertStatusAsync(HttpStatusCode.Unauthorized);
        }

        await (await SignIn(email, GatehouseApp.OwnerPassword)).AssertStatusAsync(HttpStatusCode.Unauthorized);
        app.Clock.Advance(TimeSpan.FromMinutes(14));
        await (await SignIn(email, GatehouseApp.OwnerPassword)).AssertStatusAsync(HttpStatusCode.Unauthorized);
        app.Clock.Advance(TimeSpan.FromMinutes(1) + TimeSpan.FromSeconds(1));

        await (await SignIn(email, GatehouseApp.OwnerPassword)).AssertStatusAsync(HttpStatusCode.OK);
    }

    [Fact]
    public async Task SignIn_FourWrongPasswordsThenTheRightOne_IsAccepted()
    {
        var org = await app.NewOrganizationAsync();
        var email = await AddAdminAsync(org);
        for (var i = 0; i < 4; i++)
        {
            await (await SignIn(email, "wrong-password-" + i)).AssertStatusAsync(HttpStatusCode.Unauthorized);
        }

        await (await SignIn(email, GatehouseApp.OwnerPassword)).AssertStatusAsync(HttpStatusCode.OK);
    }

    [Fact]
    public async Task Lockout_OfOneAccount_LeavesOthersAlone()
    {
        var org = await app.NewOrganizationAsync();
        var email = await AddAdminAsync(org);
        for (var i = 0; i < 5; i++)
        {
            await SignIn(email, "wrong-password-" + i);
        }

        await (await SignIn(org.OwnerEmail, GatehouseApp.OwnerPassword)).AssertStatusAsync(HttpStatusCode.OK);
    }

    [Fact]
    public async Task Lockout_IsShownOnTheAdminAndLoggedOnceButFailedAttemptsAreNotAudited()
    {
        var org = await app.NewOrganizationAsync();
        var email = await AddAdminAsync(org);
        var id = (await org.Owner.GetOkJsonAsync("/api/v1/admins")).GetProperty("items").EnumerateArray().Single(i => i.Text("email") == email).Text("id");
        var before = (await org.Owner.GetOkJsonAsync("/api/v1/audit")).GetProperty("total").GetInt32();

        for (var i = 0; i < 5; i++)
        {
            await SignIn(email, "wrong-password-" + i);
        }

        var admin = await org.Owner.GetOkJsonAsync($"/api/v1/admins/{id}");
        Assert.Equal(System.Text.Json.JsonValueKind.String, admin.GetProperty("lockedUntil").ValueKind);
        var audit = await org.Owner.GetOkJsonAsync("/api/v1/audit");
        Assert.Equal(before + 1, audit.GetProperty("total").GetInt32());
        var entry = audit.GetProperty("items")[0];
        Assert.Equal("lockedOut", entry.Text("action"));
        Assert.Equal(id, entry.Text("entityId"));
    }

    [Fact]
    public async Task Token_UnknownEmail_Is401LikeAWrongPassword()
    {
        var response = await SignIn($"nobody-{Guid.NewGuid():N}@example.com", "Whatever-password-1");

        await response.AssertStatusAsync(HttpStatusCode.Unauthorized);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    [Theory]
    [InlineData("""{"email": 5, "password": "x"}""", "email")]
    [InlineData("""{"email": "a@example.com"}""", "password")]
    [InlineData("""{"email": "a@example.com", "password": "x", "remember": true}""", "remember")]
    [InlineData("""{"email": "a@example.com", """, "body")]
    [InlineData("""[]""", "body")]
    public async Task Token_BadBody_Is400NamingTheField(string body, string field)
    {
        var response = await app.Anonymous().PostAsync("/api/v1/auth/token", new StringContent(body, Encoding.UTF8, "application/json"));

        await response.AssertFieldErrorAsync(field);
    }

    [Fact]
    public async Task Token_EmptyBody_Is400()
    {
        var response = await app.Anonymous().PostAsync("/api/v1/auth/token", new StringContent("", Encoding.UTF8, "application/json"));

        await response.AssertStatusAsync(HttpStatusCode.BadRequest);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    private Task<HttpResponseMessage> SignIn(string email, string password) =>
        app.Anonymous().PostAsJsonAsync("/api/v1/auth/token", new { email, password });

    private static async Task<string> AddAdminAsync(TestOrganization org)
    {
        var email = $"locked-{Guid.NewGuid():N}@example.com";
        var response = await org.Owner.PostAsJsonAsync("/api/v1/admins", new { email, password = GatehouseApp.OwnerPassword, role = "admin" });
        await response.AssertStatusAsync(HttpStatusCode.Created);
        return email;
    }
}

/// <summary>The server with a sign-in limit low enough to reach in a test.</summary>
public sealed class LowSignInLimitApp : GatehouseApp
{
    protected override void ConfigureTestServices(Microsoft.AspNetCore.Hosting.IWebHostBuilder builder) =>
        builder.UseSetting("Gatehouse:Accounts:SignInAttemptsPerMinute", "3");
}

public sealed class SignInRateLimitTests(LowSignInLimitApp app) : IClassFixture<LowSignInLimitApp>
{
    [Fact]
    public async Task Token_MoreAttemptsThanTheLimitFromOneAddress_Is429()
    {
        var client = app.Anonymous();
        for (var i = 0; i < 3; i++)
        {
            var attempt = await client.PostAsJsonAsync("/api/v1/auth/token", new { email = "someone@example.com", password = "Wrong-password-1" });
            await attempt.AssertStatusAsync(HttpStatusCode.Unauthorized);
        }

        var response = await client.PostAsJsonAsync("/api/v1/auth/token", new { email = GatehouseApp.SystemAdminEmail, password = GatehouseApp.SystemAdminPassword });

        await response.AssertStatusAsync(HttpStatusCode.TooManyRequests);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.True(response.Headers.RetryAfter is not null, "A 429 says when to retry.");
    }
}
