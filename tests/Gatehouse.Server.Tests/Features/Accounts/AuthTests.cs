using System.Net;
using System.Net.Http.Json;
using Gatehouse.Server.Tests.Infrastructure;

namespace Gatehouse.Server.Tests.Features.Accounts;

public sealed class AuthTests(GatehouseApp app) : IClassFixture<GatehouseApp>
{
    [Fact]
    public async Task Token_RightPassword_IsAccepted()
    {
        var org = await app.NewOrganizationAsync();

        var response = await app.Anonymous().PostAsJsonAsync("/api/v1/auth/token", new { email = org.OwnerEmail, password = GatehouseApp.OwnerPassword });

        await response.AssertStatusAsync(HttpStatusCode.OK);
        var body = await response.Content.ReadFromJsonAsync<Dictionary<string, object>>();
        Assert.True(body!.ContainsKey("accessToken"));
        Assert.True(body.ContainsKey("expiresAt"));
    }

    [Fact]
    public async Task Token_WrongPassword_Is401()
    {
        var org = await app.NewOrganizationAsync();

        var response = await app.Anonymous().PostAsJsonAsync("/api/v1/auth/token", new { email = org.OwnerEmail, password = "wrong-password-1" });

        await response.AssertStatusAsync(HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task Api_NoToken_Is401()
    {
        var response = await app.Anonymous().PostAsJsonAsync("/api/v1/organizations", new { name = "x" });

        await response.AssertStatusAsync(HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task Organizations_CreatedByOwnerWhoIsNotSystemAdministrator_Is403()
    {
        var org = await app.NewOrganizationAsync();

        var response = await org.Owner.PostAsJsonAsync("/api/v1/organizations", new { name = "Other", ownerEmail = "x@example.com", ownerPassword = "Long-enough-1" });

        await response.AssertStatusAsync(HttpStatusCode.Forbidden);
    }
}
