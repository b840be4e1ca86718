using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using Gatehouse.Server.Data;
using Gatehouse.Server.Features.Accounts;
using Gatehouse.Server.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Gatehouse.Server.Tests.Features.Accounts;

/// <summary>Console sign-ins and API tokens end when they should, and a replayed cookie stays dead.</summary>
public sealed class SessionTests(GatehouseApp app) : IClassFixture<GatehouseApp>
{
    private const string Password = GatehouseApp.OwnerPassword;

    [Fact]
    public async Task SignOut_ReplayingTheOldCookie_IsSentToSignIn()
    {
        var org = await app.NewOrganizationAsync();
        var console = await ConsoleCookie.SignInAsync(app, org.OwnerEmail, Password);
        Assert.True(await console.IsSignedInAsync());

        var signOut = await console.SignOutAsync();

        Assert.Equal(HttpStatusCode.Redirect, signOut.StatusCode);
        Assert.False(await console.IsSignedInAsync());
    }

    [Fact]
    public async Task PasswordChange_EndsTheirConsoleCookie()
    {
        var org = await app.NewOrganizationAsync();
        var (id, email) = await AddAdminAsync(org, "admin");
        var console = await ConsoleCookie.SignInAsync(app, email, Password);
        Assert.True(await console.IsSignedInAsync());

        await (await org.Owner.PatchJsonAsync($"/api/v1/admins/{id}", new { password = "A-brand-new-password-1" })).AssertStatusAsync(HttpStatusCode.OK);

        Assert.False(await console.IsSignedInAsync());
    }

    [Fact]
    public async Task Demotion_EndsTheirConsoleCookie()
    {
        var org = await app.NewOrganizationAsync();
        var (id, email) = await AddAdminAsync(org, "admin");
        var console = await ConsoleCookie.SignInAsync(app, email, Password);
        Assert.True(await console.IsSignedInAsync());

        await (await org.Owner.PatchJsonAsync($"/api/v1/admins/{id}", new { role = "viewer" })).AssertStatusAsync(HttpStatusCode.OK);

        Assert.False(await console.IsSignedInAsync());
    }

    [Fact]
    public async Task Deletion_EndsTheirConsoleCookie()
    {
        var org = await app.NewOrganizationAsync();
        var (id, email) = await AddAdminAsync(org, "admin");
        var console = await ConsoleCookie.SignInAsync(app, email, Password);
        Assert.True(await console.IsSignedInAsync());

        await (await org.Owner.DeleteAsync($"/api/v1/admins/{id}")).AssertStatusAsync(HttpStatusCode.NoContent);

        Assert.False(await console.IsSignedInAsync());
    }

    [Fact]
    public async Task SessionsEndedByAnotherServer_AreRefusedHereOnceTheCacheTimeHasPassed()
    {
        var org = await app.NewOrganizationAsync();
        var (_, email) = await AddAdminAsync(org, "admin");
        var console = await ConsoleCookie.SignInAsync(app, email, Password);
        using var api = await app.SignInAsync(email, Password);
        Assert.True(await console.IsSignedInAsync());
        await api.GetOkJsonAsync("/api/v1/doors");

        // Another server shares the store: it deletes the rows, and this one's cache knows nothing of it.
        await using (var scope = app.Services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<GatehouseDbContext>();
            var adminId = await db.Admins.IgnoreQueryFilters().Where(a => a.Email == email).Select(a => a.Id).SingleAsync();
            await db.AdminSessions.Where(s => s.AdminId == adminId).ExecuteDeleteAsync();
        }

        app.Clock.Advance(SessionCache.CacheFor);

        Assert.False(await console.IsSignedInAsync());
        await (await api.GetAsync("/api/v1/doors")).AssertStatusAsync(HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task ConsoleSignIn_EndsAtItsAbsoluteLifetimeHoweverActive()
    {
        var org = await app.NewOrganizationAsync();
        var console = await ConsoleCookie.SignInAsync(app, org.OwnerEmail, Password);
        for (var hour = 1; hour < 12; hour++)
        {
            app.Clock.Advance(TimeSpan.FromHours(1));
            Assert.True(await console.IsSignedInAsync(), $"still signed in after {hour} h of use");
        }

        app.Clock.Advance(TimeSpan.FromHours(1));

        Assert.False(await console.IsSignedInAsync());
    }

    [Fact]
    public async Task ConsoleSignIn_IdleLongerThanTheIdleTimeout_Ends()
    {
        var org = await app.NewOrganizationAsync();
        var console = await ConsoleCookie.SignInAsync(app, org.OwnerEmail, Password);

        app.Clock.Advance(TimeSpan.FromHours(8) + TimeSpan.FromMinutes(1));

        Assert.False(await console.IsSignedInAsync());
    }

    [Fact]
    public async Task SignOutOtherSessions_EndsTheOtherCookieAndTokenButNotTheCurrent()
    {
        var org = await app.NewOrganizationAsync();
        var (_, email) = await AddAdminAsync(org, "viewer");
        var here = await ConsoleCookie.SignInAsync(app, email, Password);
        var elsewhere = await ConsoleCookie.SignInAsync(app, email, Password);
        using var api = await app.SignInAsync(email, Password);

        var response = await here.PostFormAsync("/settings/sessions", "end-others", []);

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.True(await here.IsSignedInAsync());
        Assert.False(await elsewhere.IsSignedInAsync());
        await (await api.GetAsync("/api/v1/doors")).AssertStatusAsync(HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task SessionsPage_ListsConsoleAndApiSessionsAndMarksThisOne()
    {
        var org = await app.NewOrganizationAsync();
        var console = await ConsoleCookie.SignInAsync(app, org.OwnerEmail, Password);

        var page = await (await console.GetAsync("/settings/sessions")).Content.ReadAsStringAsync();

        // The owner's console sign-in and the API token their test client signed in with.
        Assert.Equal(2, CountOf(page, "data-session="));
        Assert.Equal(1, CountOf(page, "This session"));
        Assert.Contains("Firefox on Linux", page);
    }

    [Fact]
    public async Task Api_ListsOwnSessions_EndsOneAndOthers_AndAnotherAdminsSessionIsNotFound()
    {
        var org = await app.NewOrganizationAsync();
        using var second = await app.SignInAsync(org.OwnerEmail, Password);
        using var third = await app.SignInAsync(org.OwnerEmail, Password);

        var sessions = (await org.Owner.GetOkJsonAsync("/api/v1/account/sessions")).EnumerateArray().ToList();
        Assert.Equal(3, sessions.Count);
        Assert.Single(sessions, s => s.GetProperty("current").GetBoolean());
        Assert.All(sessions, s => Assert.Equal("api", s.Text("kind")));

        var mine = await second.GetOkJsonAsync("/api/v1/account/sessions");
        var secondId = mine.EnumerateArray().Single(s => s.GetProperty("current").GetBoolean()).Text("id");
        var other = await app.NewOrganizationAsync();
        await (await other.Owner.DeleteAsync($"/api/v1/account/sessions/{secondId}")).AssertStatusAsync(HttpStatusCode.NotFound);
        await second.GetOkJsonAsync("/api/v1/doors");

        await (await org.Owner.DeleteAsync($"/api/v1/account/sessions/{secondId}")).AssertStatusAsync(HttpStatusCode.NoContent);
        await (await second.GetAsync("/api/v1/doors")).AssertStatusAsync(HttpStatusCode.Unauthorized);

        await (await third.DeleteAsync("/api/v1/account/sessions")).AssertStatusAsync(HttpStatusCode.NoContent);
        await (await org.Owner.GetAsync("/api/v1/doors")).AssertStatusAsync(HttpStatusCode.Unauthorized);
        await third.GetOkJsonAsync("/api/v1/doors");
    }

    private static int CountOf(string text, string part) => (text.Length - text.Replace(part, "", StringComparison.Ordinal).Length) / part.Length;

    private static async Task<(string Id, string Email)> AddAdminAsync(TestOrganization org, string role)
    {
        var email = $"{role}-{Guid.NewGuid():N}@example.com";
        var response = await org.Owner.PostAsJsonAsync("/api/v1/admins", new { email, password = Password, role });
        await response.AssertStatusAsync(HttpStatusCode.Created);
        return ((await response.ReadJsonAsync()).Text("id"), email);
    }
}
