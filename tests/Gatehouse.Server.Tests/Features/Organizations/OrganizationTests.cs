using System.Net;
using System.Net.Http.Json;
using Gatehouse.Server.Tests.Infrastructure;

namespace Gatehouse.Server.Tests.Features.Organizations;

public sealed class OrganizationTests(GatehouseApp app) : IClassFixture<GatehouseApp>
{
    [Fact]
    public async Task Create_BySystemAdministrator_Is201AndItsOwnerCanSignIn()
    {
        using var root = await app.SystemAdminAsync();
        var email = $"first-owner-{Guid.NewGuid():N}@example.com";

        var response = await root.PostAsJsonAsync("/api/v1/organizations", new { name = "Harbour Office", ownerEmail = email, ownerPassword = "Harbour-password-1" });

        await response.AssertStatusAsync(HttpStatusCode.Created);
        var body = await response.ReadJsonAsync();
        Assert.Equal($"/api/v1/organizations/{body.Text("id")}", response.Headers.Location?.OriginalString);
        using var owner = await app.SignInAsync(email, "Harbour-password-1");
        var admins = await owner.GetOkJsonAsync("/api/v1/admins");
        var only = Assert.Single(admins.GetProperty("items").EnumerateArray());
        Assert.Equal("owner", only.Text("role"));
        Assert.False(only.GetProperty("isSystemAdministrator").GetBoolean());
    }

    [Fact]
    public async Task Create_InvalidFields_Is400NamingEach()
    {
        using var root = await app.SystemAdminAsync();

        var response = await root.PostAsJsonAsync("/api/v1/organizations", new { name = new string('n', 201), ownerEmail = "nope", ownerPassword = "short" });

        await response.AssertFieldErrorAsync("name");
        await response.AssertFieldErrorAsync("ownerEmail");
        await response.AssertFieldErrorAsync("ownerPassword");
    }

    [Fact]
    public async Task Create_OwnerEmailAlreadyUsed_Is409AndCreatesNothing()
    {
        var existing = await app.NewOrganizationAsync();
        using var root = await app.SystemAdminAsync();

        var response = await root.PostAsJsonAsync("/api/v1/organizations", new { name = "Duplicate", ownerEmail = existing.OwnerEmail, ownerPassword = "Another-password-1" });

        await response.AssertStatusAsync(HttpStatusCode.Conflict);
        await (await app.Anonymous().PostAsJsonAsync("/api/v1/auth/token", new { email = existing.OwnerEmail, password = "Another-password-1" }))
            .AssertStatusAsync(HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task Create_ByAnAdminOfTheSystemOrganization_Is403()
    {
        using var root = await app.SystemAdminAsync();
        var email = $"sys-admin-{Guid.NewGuid():N}@example.com";
        await (await root.PostAsJsonAsync("/api/v1/admins", new { email, password = GatehouseApp.OwnerPassword, role = "owner" }))
            .AssertStatusAsync(HttpStatusCode.Created);
        using var otherOwner = await app.SignInAsync(email, GatehouseApp.OwnerPassword);

        var response = await otherOwner.PostAsJsonAsync("/api/v1/organizations", new { name = "Nope", ownerEmail = $"x-{Guid.NewGuid():N}@example.com", ownerPassword = "Long-enough-1" });

        await response.AssertStatusAsync(HttpStatusCode.Forbidden);
    }

    [Fact]
    public async Task OwnerOfOneOrganization_GetsNotFoundForTheAdminsOfAnother()
    {
        var a = await app.NewOrganizationAsync();
        var b = await app.NewOrganizationAsync();
        var bOwner = (await b.Owner.GetOkJsonAsync("/api/v1/admins")).GetProperty("items")[0].Text("id");

        var response = await a.Owner.GetAsync($"/api/v1/admins/{bOwner}");

        await response.AssertStatusAsync(HttpStatusCode.NotFound);
        var body = await response.Content.ReadAsStringAsync();
        Assert.DoesNotContain(b.OwnerEmail, body, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task SystemAdministrator_CannotBeDemotedOrDeleted()
    {
        using var root = await app.SystemAdminAsync();
        var items = (await root.GetOkJsonAsync("/api/v1/admins?pageSize=500")).GetProperty("items").EnumerateArray();
        var rootId = items.Single(i => i.Text("email") == GatehouseApp.SystemAdminEmail).Text("id");
        var email = $"second-{Guid.NewGuid():N}@example.com";
        await (await root.PostAsJsonAsync("/api/v1/admins", new { email, password = GatehouseApp.OwnerPassword, role = "owner" }))
            .AssertStatusAsync(HttpStatusCode.Created);
        using var secondOwner = await app.SignInAsync(email, GatehouseApp.OwnerPassword);

        await (await secondOwner.PatchJsonAsync($"/api/v1/admins/{rootId}", new { role = "admin" })).AssertStatusAsync(HttpStatusCode.Conflict);
        await (await secondOwner.DeleteAsync($"/api/v1/admins/{rootId}")).AssertStatusAsync(HttpStatusCode.Conflict);
        await (await root.GetAsync("/api/v1/admins")).AssertStatusAsync(HttpStatusCode.OK);
    }
}
