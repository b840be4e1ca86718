using System.Net;
using System.Net.Http.Json;
using System.Text.RegularExpressions;
using Gatehouse.Server.Features.Accounts;
using Gatehouse.Server.Tests.Infrastructure;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Gatehouse.Server.Tests.Features.Accounts;

/// <summary>The server with a password hasher that counts its verifications.</summary>
public sealed class CountingHasherApp : GatehouseApp
{
    public CountingHasher Hasher { get; } = new();

    protected override void ConfigureTestServices(IWebHostBuilder builder) =>
        builder.ConfigureTestServices(services =>
        {
            services.RemoveAll<IPasswordHasher<Admin>>();
            services.AddSingleton<IPasswordHasher<Admin>>(sp =>
            {
                Hasher.Inner = new PasswordHasher<Admin>(sp.GetRequiredService<IOptions<PasswordHasherOptions>>());
                return Hasher;
            });
        });

    public sealed class CountingHasher : IPasswordHasher<Admin>
    {
        private int _verifications;

        internal PasswordHasher<Admin> Inner { get; set; } = new();

        public int Verifications => Volatile.Read(ref _verifications);

        public void Reset() => Interlocked.Exchange(ref _verifications, 0);

        string IPasswordHasher<Admin>.HashPassword(Admin user, string password) => Inner.HashPassword(user, password);

        PasswordVerificationResult IPasswordHasher<Admin>.VerifyHashedPassword(Admin user, string hashedPassword, string providedPassword)
        {
            Interlocked.Increment(ref _verifications);
            return Inner.VerifyHashedPassword(user, hashedPassword, providedPassword);
        }
    }
}

/// <summary>Sign-in costs the same work whatever the outcome, and one email may administer several organizations.</summary>
public sealed class SignInTests(CountingHasherApp app) : IClassFixture<CountingHasherApp>
{
    private const string Password = GatehouseApp.OwnerPassword;

    [Fact]
    public async Task LockedAccount_StillCostsAPasswordVerification_LikeEveryOtherOutcome()
    {
        var org = await app.NewOrganizationAsync();
        for (var i = 0; i < 5; i++)
        {
            await (await Token(org.OwnerEmail, "wrong-password-" + i)).AssertStatusAsync(HttpStatusCode.Unauthorized);
        }

        var verifications = new Dictionary<string, int>();
        foreach (var (outcome, email, password) in new[]
        {
            ("locked", org.OwnerEmail, Password),
            ("unknown email", $"nobody-{Guid.NewGuid():N}@example.com", Password),
            ("wrong password", (await app.NewOrganizationAsync()).OwnerEmail, "wrong-password-x"),
        })
        {
            app.Hasher.Reset();
            await (await Token(email, password)).AssertStatusAsync(HttpStatusCode.Unauthorized);
            verifications[outcome] = app.Hasher.Verifications;
        }

        var fresh = await app.NewOrganizationAsync();
        app.Hasher.Reset();
        await (await Token(fresh.OwnerEmail, Password)).AssertStatusAsync(HttpStatusCode.OK);
        verifications["success"] = app.Hasher.Verifications;

        Assert.All(verifications, v => Assert.True(v.Value == 1, $"{v.Key}: {v.Value} verifications"));
    }

    [Fact]
    public async Task SameEmailAndPasswordInTwoOrganizations_AsksWhichThenSignsInToTheOneNamed()
    {
        var first = await app.NewOrganizationAsync();
        var second = await app.NewOrganizationAsync();
        await (await second.Owner.PostAsJsonAsync("/api/v1/admins", new { email = first.OwnerEmail, password = Password, role = "viewer" }))
            .AssertStatusAsync(HttpStatusCode.Created);

        var ask = await Token(first.OwnerEmail, Password);

        await ask.AssertFieldErrorAsync("organizationId");
        var offered = (await ask.ReadJsonAsync()).GetProperty("organizations").EnumerateArray().Select(o => o.Text("id")).Order().ToList();
        Assert.Equal(new[] { first.Id, second.Id }.Order().ToList(), offered);

        var chosen = await app.Anonymous().PostAsJsonAsync("/api/v1/auth/token", new { email = first.OwnerEmail, password = Password, organizationId = second.Id });
        await chosen.AssertStatusAsync(HttpStatusCode.OK);
        var body = await chosen.ReadJsonAsync();
        using var client = app.Anonymous();
        client.DefaultRequestHeaders.Authorization = new("Bearer", body.Text("accessToken"));
        var me = await client.GetOkJsonAsync("/api/v1/organization");
        Assert.Equal(second.Id, me.Text("id"));
    }

    [Fact]
    public async Task OrganizationNamed_WithTheWrongPassword_Is401AndLocksOnlyThatAccount()
    {
        var first = await app.NewOrganizationAsync();
        var second = await app.NewOrganizationAsync();
        await (await second.Owner.PostAsJsonAsync("/api/v1/admins", new { email = first.OwnerEmail, password = "Second-password-12", role = "viewer" }))
            .AssertStatusAsync(HttpStatusCode.Created);

        for (var i = 0; i < 5; i++)
        {
            var wrong = await app.Anonymous().PostAsJsonAsync("/api/v1/auth/token",
                new { email = first.OwnerEmail, password = "wrong-password-" + i, organizationId = second.Id });
            await wrong.AssertStatusAsync(HttpStatusCode.Unauthorized);
        }

        await (await Token(first.OwnerEmail, "Second-password-12")).AssertStatusAsync(HttpStatusCode.Unauthorized);
        using var stillFine = await app.SignInAsync(first.OwnerEmail, Password);
        Assert.Equal(first.Id, (await stillFine.GetOkJsonAsync("/api/v1/organization")).Text("id"));
    }

    [Fact]
    public async Task Console_SameEmailAndPasswordInTwoOrganizations_OffersAChoiceThenSignsInToTheChosenOne()
    {
        var first = await app.NewOrganizationAsync();
        var second = await app.NewOrganizationAsync();
        await (await second.Owner.PostAsJsonAsync("/api/v1/admins", new { email = first.OwnerEmail, password = Password, role = "viewer" }))
            .AssertStatusAsync(HttpStatusCode.Created);
        var secondName = (await second.Owner.GetOkJsonAsync("/api/v1/organization")).Text("name");

        var console = ConsoleCookie.Anonymous(app);

        var ask = await console.PostFormAsync("/account/sign-in", "sign-in", new() { ["Input.Email"] = first.OwnerEmail, ["Input.Password"] = Password });

        Assert.Equal(HttpStatusCode.OK, ask.StatusCode);
        var html = await ask.Content.ReadAsStringAsync();
        var ticket = Regex.Match(html, "name=\"Choice.Ticket\" value=\"(?<t>[^\"]+)\"").Groups["t"].Value;
        var choice = Regex.Match(html, $"value=\"(?<id>[^\"]+)\"[^>]*>{Regex.Escape(secondName)}</button>").Groups["id"].Value;
        Assert.NotEmpty(ticket);
        Assert.NotEmpty(choice);
        var chosen = await console.PostFormAsync("/account/sign-in", "choose-organization",
            new() { ["Choice.Ticket"] = WebUtility.HtmlDecode(ticket), ["Choice.AdminId"] = choice });
        console.KeepSignIn(chosen);
        var overview = await (await console.GetAsync("/")).Content.ReadAsStringAsync();
        Assert.Contains($"title=\"Organization\">{secondName}<", overview);
    }

    private Task<HttpResponseMessage> Token(string email, string password) =>
        app.Anonymous().PostAsJsonAsync("/api/v1/auth/token", new { email, password });
}
