using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using Gatehouse.Server.Data;
using Gatehouse.Server.Infrastructure;
using Microsoft.AspNetCore.Hosting;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Gatehouse.Server.Tests.Infrastructure;

/// <summary>A server whose public Cloud Key calls are limited to three a minute per client.</summary>
public sealed class RateLimitedApp : GatehouseApp
{
    public const int PerMinute = 3;

    public RateLimitedApp()
    {
    }

    private RateLimitedApp(GatehouseApp first)
        : base(first)
    {
        // The other server leaves the shared store to the first one.
        KeepStoreOnDispose = true;
    }

    /// <summary>A second server over this one's store, running beside it, as behind a load balancer.</summary>
    public static async Task<RateLimitedApp> BesideAsync(RateLimitedApp first)
    {
        var second = new RateLimitedApp(first);
        await second.InitializeAsync();
        return second;
    }

    protected override void ConfigureTestServices(IWebHostBuilder builder) =>
        builder.UseSetting("Gatehouse:CloudKeys:PublicRequestsPerMinute", PerMinute.ToString(CultureInfo.InvariantCulture));
}

/// <summary>
/// The per-client limits are counted in the store: servers sharing one store share one count, and a count
/// lasts its minute. Every test starts in a minute of its own (a client's count would carry over otherwise).
/// </summary>
public sealed class ClientRateLimitTests(RateLimitedApp app) : IClassFixture<RateLimitedApp>
{
    private static readonly string UnknownKey = "/api/v1/public/cloud-keys/" + new string('C', 43);

    [Fact]
    public async Task PublicCalls_SpreadOverTwoServersOfOneStore_AreCountedTogether()
    {
        app.Clock.Advance(TimeSpan.FromMinutes(1));
        var other = await RateLimitedApp.BesideAsync(app);
        try
        {
            var first = app.Anonymous();
            var second = other.Anonymous();
            await (await first.GetAsync(UnknownKey)).AssertStatusAsync(HttpStatusCode.NotFound);
            await (await second.GetAsync(UnknownKey)).AssertStatusAsync(HttpStatusCode.NotFound);
            await (await first.GetAsync(UnknownKey)).AssertStatusAsync(HttpStatusCode.NotFound);

            // The fourth call of the minute is refused on either server, though each has seen fewer than the limit.
            var limited = await second.GetAsync(UnknownKey);
            await limited.AssertStatusAsync(HttpStatusCode.TooManyRequests);
            Assert.Equal(TimeSpan.FromSeconds(60), limited.Headers.RetryAfter?.Delta);
            await (await first.GetAsync(UnknownKey)).AssertStatusAsync(HttpStatusCode.TooManyRequests);
        }
        finally
        {
            await ((IAsyncLifetime)other).DisposeAsync();
        }
    }

    [Fact]
    public async Task SignIn_FiveWrongPasswordsSpreadOverTwoServers_LocksTheAccountOnBoth()
    {
        app.Clock.Advance(TimeSpan.FromMinutes(1));
        var org = await app.NewOrganizationAsync();
        var other = await RateLimitedApp.BesideAsync(app);
        try
        {
            var servers = new[] { app.Anonymous(), other.Anonymous() };
            for (var i = 0; i < 5; i++)
            {
                await (await SignInAsync(servers[i % 2], org.OwnerEmail, "wrong-password-" + i)).AssertStatusAsync(HttpStatusCode.Unauthorized);
            }

            await (await SignInAsync(servers[0], org.OwnerEmail, GatehouseApp.OwnerPassword)).AssertStatusAsync(HttpStatusCode.Unauthorized);
            await (await SignInAsync(servers[1], org.OwnerEmail, GatehouseApp.OwnerPassword)).AssertStatusAsync(HttpStatusCode.Unauthorized);
        }
        finally
        {
            await ((IAsyncLifetime)other).DisposeAsync();
        }
    }

    [Fact]
    public async Task PublicCalls_InTheNextMinute_AreAllowedAgain()
    {
        app.Clock.Advance(TimeSpan.FromMinutes(1));
        var client = app.Anonymous();
        for (var i = 0; i < RateLimitedApp.PerMinute; i++)
        {
            await (await client.GetAsync(UnknownKey)).AssertStatusAsync(HttpStatusCode.NotFound);
        }

        await (await client.GetAsync(UnknownKey)).AssertStatusAsync(HttpStatusCode.TooManyRequests);

        app.Clock.Advance(TimeSpan.FromMinutes(1));

        await (await client.GetAsync(UnknownKey)).AssertStatusAsync(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task Counts_OfMinutesLongPast_AreClearedFromTheStore()
    {
        app.Clock.Advance(TimeSpan.FromMinutes(1));
        var client = app.Anonymous();
        await (await client.GetAsync(UnknownKey)).AssertStatusAsync(HttpStatusCode.NotFound);
        var counted = RateLimitCounters.WindowOf(app.Clock.GetUtcNow());

        app.Clock.Advance(TimeSpan.FromMinutes(2));
        await (await client.GetAsync(UnknownKey)).AssertStatusAsync(HttpStatusCode.NotFound);

        await using var scope = app.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<GatehouseDbContext>();
        Assert.False(await db.RateLimitCounters.AnyAsync(c => c.Window <= counted));
        Assert.True(await db.RateLimitCounters.AnyAsync(c => c.Window > counted));
    }

    private static Task<HttpResponseMessage> SignInAsync(HttpClient client, string email, string password) =>
        client.PostAsJsonAsync("/api/v1/auth/token", new { email, password });
}
