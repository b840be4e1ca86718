using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
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
        var created = await root.GetOkJsonAsync(response.Headers.Location!.OriginalString);
        Assert.Equal("Harbour Office", created.Text("name"));
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
    public async Task Create_OwnerEmailOfAnotherOrganizationsOwner_IsCreatedAndEachPasswordSignsInToItsOwn()
    {
        var existing = await app.NewOrganizationAsync();
        using var root = await app.SystemAdminAsync();

        var response = await root.PostAsJsonAsync("/api/v1/organizations", new { name = "Second", ownerEmail = existing.OwnerEmail, ownerPassword = "Another-password-1" });

        await response.AssertStatusAsync(HttpStatusCode.Created);
        using var second = await app.SignInAsync(existing.OwnerEmail, "Another-password-1");
        Assert.Equal("Second", (await second.GetOkJsonAsync("/api/v1/organization")).Text("name"));
        using var first = await app.SignInAsync(existing.OwnerEmail, GatehouseApp.OwnerPassword);
        Assert.Equal(existing.Id, (await first.GetOkJsonAsync("/api/v1/organization")).Text("id"));
    }

    [Fact]
    public async Task GetById_ByAnOwnerWhoIsNotSystemAdministrator_Is403()
    {
        var org = await app.NewOrganizationAsync();

        var response = await org.Owner.GetAsync($"/api/v1/organizations/{org.Id}");

        await response.AssertStatusAsync(HttpStatusCode.Forbidden);
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

    [Theory]
    [InlineData("owner")]
    [InlineData("admin")]
    [InlineData("viewer")]
    public async Task GetOwn_AnyRole_ReturnsTheCallersOrganization(string role)
    {
        var org = await app.NewOrganizationAsync();
        var other = await app.NewOrganizationAsync();
        var caller = role == "owner" ? org.Owner : await org.MemberAsync(role);

        var body = await caller.GetOkJsonAsync("/api/v1/organization");

        Assert.Equal(org.Id, body.Text("id"));
        Assert.StartsWith("Org ", body.Text("name"), StringComparison.Ordinal);
        Assert.NotEqual(other.Id, body.Text("id"));
        Assert.Equal(JsonValueKind.String, body.GetProperty("createdAt").ValueKind);
    }

    [Fact]
    public async Task Rename_ByOwner_SavesTheTrimmedName()
    {
        var org = await app.NewOrganizationAsync();

        var response = await org.Owner.PatchJsonAsync("/api/v1/organization", new { name = "  Harbour Office  " });

        await response.AssertStatusAsync(HttpStatusCode.OK);
        Assert.Equal("Harbour Office", (await response.ReadJsonAsync()).Text("name"));
        var stored = await org.Owner.GetOkJsonAsync("/api/v1/organization");
        Assert.Equal("Harbour Office", stored.Text("name"));
        Assert.Equal(org.Id, stored.Text("id"));
    }

    [Fact]
    public async Task Rename_TwoHundredCharactersAfterTrimming_IsAccepted()
    {
        var org = await app.NewOrganizationAsync();
        var name = new string('n', 200);

        var response = await org.Owner.PatchJsonAsync("/api/v1/organization", new { name = $"  {name} " });

        await response.AssertStatusAsync(HttpStatusCode.OK);
        Assert.Equal(name, (await org.Owner.GetOkJsonAsync("/api/v1/organization")).Text("name"));
    }

    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData(null)]
    [InlineData("201")]
    public async Task Rename_InvalidName_Is400NamingNameAndChangesNothing(string? name)
    {
        var org = await app.NewOrganizationAsync();
        var before = (await org.Owner.GetOkJsonAsync("/api/v1/organization")).Text("name");

        var response = await org.Owner.PatchJsonAsync("/api/v1/organization", new { name = name == "201" ? new string('n', 201) : name });

        await response.AssertFieldErrorAsync("name");
        Assert.Equal(before, (await org.Owner.GetOkJsonAsync("/api/v1/organization")).Text("name"));
        Assert.Equal(0, await RenamesInAuditAsync(org.Owner));
    }

    [Theory]
    [InlineData("admin")]
    [InlineData("viewer")]
    public async Task Rename_ByAdminOrViewer_Is403AndChangesNothing(string role)
    {
        var org = await app.NewOrganizationAsync();
        var before = (await org.Owner.GetOkJsonAsync("/api/v1/organization")).Text("name");
        var member = await org.MemberAsync(role);

        var response = await member.PatchJsonAsync("/api/v1/organization", new { name = "Taken over" });

        await response.AssertStatusAsync(HttpStatusCode.Forbidden);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal(before, (await org.Owner.GetOkJsonAsync("/api/v1/organization")).Text("name"));
    }

    [Fact]
    public async Task Rename_IsInTheOrganizationsAuditLogWithBeforeAndAfter()
    {
        var org = await app.NewOrganizationAsync();
        var before = (await org.Owner.GetOkJsonAsync("/api/v1/organization")).Text("name");

        await (await org.Owner.PatchJsonAsync("/api/v1/organization", new { name = "Harbour Office" })).AssertStatusAsync(HttpStatusCode.OK);

        var audit = await org.Owner.GetOkJsonAsync($"/api/v1/audit?entityType=organization&entityId={org.Id}");
        var entry = audit.GetProperty("items").EnumerateArray().First();
        Assert.Equal("updated", entry.Text("action"));
        Assert.Equal(org.OwnerEmail, entry.Text("actor"));
        var change = Assert.Single(entry.GetProperty("changes").EnumerateArray());
        Assert.Equal("name", change.Text("field"));
        Assert.Equal(before, change.Text("before"));
        Assert.Equal("Harbour Office", change.Text("after"));
        var verification = await org.Owner.GetOkJsonAsync("/api/v1/audit/verify");
        Assert.True(verification.GetProperty("valid").GetBoolean());
    }

    [Fact]
    public async Task Rename_LeavesAnotherOrganizationAndItsAuditLogUnchanged()
    {
        var a = await app.NewOrganizationAsync();
        var b = await app.NewOrganizationAsync();
        var bName = (await b.Owner.GetOkJsonAsync("/api/v1/organization")).Text("name");

        await (await a.Owner.PatchJsonAsync("/api/v1/organization", new { name = "Renamed by A" })).AssertStatusAsync(HttpStatusCode.OK);

        Assert.Equal(bName, (await b.Owner.GetOkJsonAsync("/api/v1/organization")).Text("name"));
        Assert.Equal(0, await RenamesInAuditAsync(b.Owner));
        Assert.Equal(1, await RenamesInAuditAsync(a.Owner));
    }

    [Fact]
    public async Task Rename_WithAnotherOrganizationsIdInTheBody_Is400AndChangesNeither()
    {
        var a = await app.NewOrganizationAsync();
        var b = await app.NewOrganizationAsync();
        var aName = (await a.Owner.GetOkJsonAsync("/api/v1/organization")).Text("name");
        var bName = (await b.Owner.GetOkJsonAsync("/api/v1/organization")).Text("name");

        var response = await a.Owner.PatchJsonAsync("/api/v1/organization", new { id = b.Id, name = "Hijacked" });

        await response.AssertFieldErrorAsync("id");
        Assert.Equal(aName, (await a.Owner.GetOkJsonAsync("/api/v1/organization")).Text("name"));
        Assert.Equal(bName, (await b.Owner.GetOkJsonAsync("/api/v1/organization")).Text("name"));
    }

    private static async Task<int> RenamesInAuditAsync(HttpClient owner)
    {
        var audit = await owner.GetOkJsonAsync("/api/v1/audit?entityType=organization&pageSize=500");
        return audit.GetProperty("items").EnumerateArray().Count(e => e.Text("action") == "updated");
    }
}
