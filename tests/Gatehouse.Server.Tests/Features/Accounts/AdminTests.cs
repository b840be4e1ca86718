using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Gatehouse.Server.Tests.Infrastructure;

namespace Gatehouse.Server.Tests.Features.Accounts;

public sealed class AdminTests(GatehouseApp app) : IClassFixture<GatehouseApp>
{
    private const string Password = GatehouseApp.OwnerPassword;

    [Fact]
    public async Task Create_ByOwner_Returns201WithLocationAndNoPassword()
    {
        var org = await app.NewOrganizationAsync();
        var email = NewEmail();

        var response = await org.Owner.PostAsJsonAsync("/api/v1/admins", new { email, password = Password, role = "admin" });

        await response.AssertStatusAsync(HttpStatusCode.Created);
        var body = await response.ReadJsonAsync();
        Assert.Equal($"/api/v1/admins/{body.Text("id")}", response.Headers.Location?.OriginalString);
        Assert.Equal(email, body.Text("email"));
        Assert.Equal("admin", body.Text("role"));
        var text = body.GetRawText();
        Assert.DoesNotContain("password", text, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain(Password, text, StringComparison.Ordinal);
        using var signedIn = await app.SignInAsync(email, Password);
        await (await signedIn.GetAsync("/api/v1/admins")).AssertStatusAsync(HttpStatusCode.OK);
    }

    [Fact]
    public async Task Create_InvalidFields_Is400NamingEachAndAddsNobody()
    {
        var org = await app.NewOrganizationAsync();

        var response = await org.Owner.PostAsJsonAsync("/api/v1/admins", new { email = "not-an-email", password = "short" });

        await response.AssertFieldErrorAsync("email");
        await response.AssertFieldErrorAsync("password");
        await response.AssertFieldErrorAsync("role");
        Assert.Equal(1, (await org.Owner.GetOkJsonAsync("/api/v1/admins")).GetProperty("total").GetInt32());
    }

    [Fact]
    public async Task Create_OverlongEmail_Is400()
    {
        var org = await app.NewOrganizationAsync();

        var response = await org.Owner.PostAsJsonAsync("/api/v1/admins",
            new { email = new string('a', 250) + "@example.com", password = Password, role = "viewer" });

        await response.AssertFieldErrorAsync("email");
    }

    [Fact]
    public async Task Create_UnknownRole_Is400NamingRole()
    {
        var org = await app.NewOrganizationAsync();

        var response = await org.Owner.PostAsJsonAsync("/api/v1/admins", new { email = NewEmail(), password = Password, role = "superuser" });

        await response.AssertFieldErrorAsync("role");
    }

    [Fact]
    public async Task Create_EmailOfAnAdminInAnotherOrganization_Is201AndBothSignIn()
    {
        var org = await app.NewOrganizationAsync();
        var other = await app.NewOrganizationAsync();

        var response = await org.Owner.PostAsJsonAsync("/api/v1/admins",
            new { email = other.OwnerEmail.ToUpperInvariant(), password = "Their-other-password-1", role = "viewer" });

        await response.AssertStatusAsync(HttpStatusCode.Created);
        using var here = await app.SignInAsync(other.OwnerEmail, "Their-other-password-1");
        Assert.Equal(org.Id, (await here.GetOkJsonAsync("/api/v1/organization")).Text("id"));
        using var there = await app.SignInAsync(other.OwnerEmail, Password);
        Assert.Equal(other.Id, (await there.GetOkJsonAsync("/api/v1/organization")).Text("id"));
    }

    [Fact]
    public async Task Create_SameEmailTwiceInOneOrganization_Is409AndAddsNobody()
    {
        var org = await app.NewOrganizationAsync();
        var email = NewEmail();
        await (await org.Owner.PostAsJsonAsync("/api/v1/admins", new { email, password = Password, role = "viewer" })).AssertStatusAsync(HttpStatusCode.Created);

        var response = await org.Owner.PostAsJsonAsync("/api/v1/admins", new { email = email.ToUpperInvariant(), password = Password, role = "admin" });

        await response.AssertStatusAsync(HttpStatusCode.Conflict);
        Assert.Equal(2, (await org.Owner.GetOkJsonAsync("/api/v1/admins")).GetProperty("total").GetInt32());
    }

    [Fact]
    public async Task Create_OwnerByAdmin_Is403AndAddsNobody()
    {
        var org = await app.NewOrganizationAsync();
        var admin = await org.MemberAsync("admin");

        var response = await admin.PostAsJsonAsync("/api/v1/admins", new { email = NewEmail(), password = Password, role = "owner" });

        await response.AssertStatusAsync(HttpStatusCode.Forbidden);
        Assert.Equal(2, (await org.Owner.GetOkJsonAsync("/api/v1/admins")).GetProperty("total").GetInt32());
    }

    [Fact]
    public async Task Create_ViewerByAdmin_Is201()
    {
        var org = await app.NewOrganizationAsync();
        var admin = await org.MemberAsync("admin");

        var response = await admin.PostAsJsonAsync("/api/v1/admins", new { email = NewEmail(), password = Password, role = "viewer" });

        await response.AssertStatusAsync(HttpStatusCode.Created);
    }

    [Fact]
    public async Task Create_ByViewer_Is403ButViewerCanList()
    {
        var org = await app.NewOrganizationAsync();
        var viewer = await org.MemberAsync("viewer");

        var response = await viewer.PostAsJsonAsync("/api/v1/admins", new { email = NewEmail(), password = Password, role = "viewer" });

        await response.AssertStatusAsync(HttpStatusCode.Forbidden);
        Assert.Equal(2, (await viewer.GetOkJsonAsync("/api/v1/admins")).GetProperty("total").GetInt32());
    }

    [Fact]
    public async Task List_Paged_ReturnsOnePageSortedByEmailAndTheTotal()
    {
        var org = await app.NewOrganizationAsync();
        await Create(org, "viewer", "zz-" + NewEmail());
        await Create(org, "viewer", "aa-" + NewEmail());

        var page = await org.Owner.GetOkJsonAsync("/api/v1/admins?page=1&pageSize=2");

        Assert.Equal(3, page.GetProperty("total").GetInt32());
        Assert.Equal(2, page.GetProperty("pageSize").GetInt32());
        var emails = page.GetProperty("items").EnumerateArray().Select(i => i.Text("email")).ToList();
        Assert.Equal(2, emails.Count);
        Assert.StartsWith("aa-", emails[0], StringComparison.Ordinal);
        Assert.Equal(1, (await org.Owner.GetOkJsonAsync("/api/v1/admins?page=2&pageSize=2")).GetProperty("items").GetArrayLength());
    }

    [Fact]
    public async Task List_PageSizeTooLarge_Is400()
    {
        var org = await app.NewOrganizationAsync();

        var response = await org.Owner.GetAsync("/api/v1/admins?pageSize=100000");

        await response.AssertFieldErrorAsync("pageSize");
    }

    [Fact]
    public async Task Update_Password_EndsTheirSessionsAndTheNewPasswordWorks()
    {
        var org = await app.NewOrganizationAsync();
        var (id, email) = await Create(org, "admin");
        using var old = await app.SignInAsync(email, Password);

        var response = await org.Owner.PatchJsonAsync($"/api/v1/admins/{id}", new { password = "A-brand-new-password" });

        await response.AssertStatusAsync(HttpStatusCode.OK);
        await (await old.GetAsync("/api/v1/admins")).AssertStatusAsync(HttpStatusCode.Unauthorized);
        await (await SignIn(email, Password)).AssertStatusAsync(HttpStatusCode.Unauthorized);
        await (await SignIn(email, "A-brand-new-password")).AssertStatusAsync(HttpStatusCode.OK);
    }

    [Fact]
    public async Task Update_Role_EndsTheirSessionsAndTheNewRoleApplies()
    {
        var org = await app.NewOrganizationAsync();
        var (id, email) = await Create(org, "admin");
        using var old = await app.SignInAsync(email, Password);
        await (await old.GetAsync("/api/v1/admins")).AssertStatusAsync(HttpStatusCode.OK);

        var response = await org.Owner.PatchJsonAsync($"/api/v1/admins/{id}", new { role = "viewer" });

        await response.AssertStatusAsync(HttpStatusCode.OK);
        Assert.Equal("viewer", (await response.ReadJsonAsync()).Text("role"));
        await (await old.GetAsync("/api/v1/admins")).AssertStatusAsync(HttpStatusCode.Unauthorized);
        using var again = await app.SignInAsync(email, Password);
        await (await again.PostAsJsonAsync("/api/v1/admins", new { email = NewEmail(), password = Password, role = "viewer" }))
            .AssertStatusAsync(HttpStatusCode.Forbidden);
    }

    [Fact]
    public async Task Update_EmailOnly_ChangesItAndKeepsTheRest()
    {
        var org = await app.NewOrganizationAsync();
        var (id, _) = await Create(org, "admin");
        var email = NewEmail();

        var response = await org.Owner.PatchJsonAsync($"/api/v1/admins/{id}", new { email });

        await response.AssertStatusAsync(HttpStatusCode.OK);
        var body = await org.Owner.GetOkJsonAsync($"/api/v1/admins/{id}");
        Assert.Equal(email, body.Text("email"));
        Assert.Equal("admin", body.Text("role"));
        await (await SignIn(email, Password)).AssertStatusAsync(HttpStatusCode.OK);
    }

    [Fact]
    public async Task Update_NullEmailOrRole_Is400AndChangesNothing()
    {
        var org = await app.NewOrganizationAsync();
        var (id, email) = await Create(org, "admin");

        var response = await org.Owner.PatchJsonAsync($"/api/v1/admins/{id}", new { email = (string?)null, role = (string?)null });

        await response.AssertFieldErrorAsync("email");
        await response.AssertFieldErrorAsync("role");
        var body = await org.Owner.GetOkJsonAsync($"/api/v1/admins/{id}");
        Assert.Equal(email, body.Text("email"));
        Assert.Equal("admin", body.Text("role"));
    }

    [Fact]
    public async Task Update_EmailOfAnotherAdmin_Is409AndChangesNothing()
    {
        var org = await app.NewOrganizationAsync();
        var (id, email) = await Create(org, "admin");

        var response = await org.Owner.PatchJsonAsync($"/api/v1/admins/{id}", new { email = org.OwnerEmail, password = "Another-password-1" });

        await response.AssertStatusAsync(HttpStatusCode.Conflict);
        Assert.Equal(email, (await org.Owner.GetOkJsonAsync($"/api/v1/admins/{id}")).Text("email"));
        await (await SignIn(email, Password)).AssertStatusAsync(HttpStatusCode.OK);
    }

    [Fact]
    public async Task Update_OwnerByAdmin_Is403()
    {
        var org = await app.NewOrganizationAsync();
        var admin = await org.MemberAsync("admin");
        var ownerId = await IdOf(org, org.OwnerEmail);

        var response = await admin.PatchJsonAsync($"/api/v1/admins/{ownerId}", new { password = "Taken-over-123" });

        await response.AssertStatusAsync(HttpStatusCode.Forbidden);
        await (await SignIn(org.OwnerEmail, Password)).AssertStatusAsync(HttpStatusCode.OK);
    }

    [Fact]
    public async Task Update_AdminMakingSomeoneOwner_Is403AndChangesNothing()
    {
        var org = await app.NewOrganizationAsync();
        var admin = await org.MemberAsync("admin");
        var (viewerId, _) = await Create(org, "viewer");

        var response = await admin.PatchJsonAsync($"/api/v1/admins/{viewerId}", new { role = "owner" });

        await response.AssertStatusAsync(HttpStatusCode.Forbidden);
        Assert.Equal("viewer", (await org.Owner.GetOkJsonAsync($"/api/v1/admins/{viewerId}")).Text("role"));
    }

    [Fact]
    public async Task Update_DemotingTheLastOwner_Is409()
    {
        var org = await app.NewOrganizationAsync();
        var ownerId = await IdOf(org, org.OwnerEmail);

        var response = await org.Owner.PatchJsonAsync($"/api/v1/admins/{ownerId}", new { role = "admin" });

        await response.AssertStatusAsync(HttpStatusCode.Conflict);
        Assert.Equal("owner", (await org.Owner.GetOkJsonAsync($"/api/v1/admins/{ownerId}")).Text("role"));
    }

    [Fact]
    public async Task Update_DemotingAnOwnerWhileAnotherRemains_Is200()
    {
        var org = await app.NewOrganizationAsync();
        var (secondOwner, _) = await Create(org, "owner");

        var response = await org.Owner.PatchJsonAsync($"/api/v1/admins/{secondOwner}", new { role = "admin" });

        await response.AssertStatusAsync(HttpStatusCode.OK);
        var ownerId = await IdOf(org, org.OwnerEmail);
        await (await org.Owner.PatchJsonAsync($"/api/v1/admins/{ownerId}", new { role = "admin" })).AssertStatusAsync(HttpStatusCode.Conflict);
    }

    [Fact]
    public async Task Delete_Admin_Is204AndEndsTheirSessions()
    {
        var org = await app.NewOrganizationAsync();
        var (id, email) = await Create(org, "admin");
        using var theirs = await app.SignInAsync(email, Password);

        var response = await org.Owner.DeleteAsync($"/api/v1/admins/{id}");

        await response.AssertStatusAsync(HttpStatusCode.NoContent);
        await (await theirs.GetAsync("/api/v1/admins")).AssertStatusAsync(HttpStatusCode.Unauthorized);
        await (await SignIn(email, Password)).AssertStatusAsync(HttpStatusCode.Unauthorized);
        await (await org.Owner.GetAsync($"/api/v1/admins/{id}")).AssertStatusAsync(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task Delete_TheLastOwner_Is409()
    {
        var org = await app.NewOrganizationAsync();
        var ownerId = await IdOf(org, org.OwnerEmail);

        var response = await org.Owner.DeleteAsync($"/api/v1/admins/{ownerId}");

        await response.AssertStatusAsync(HttpStatusCode.Conflict);
        await (await org.Owner.GetAsync("/api/v1/admins")).AssertStatusAsync(HttpStatusCode.OK);
    }

    [Fact]
    public async Task Delete_OwnerByAdmin_Is403()
    {
        var org = await app.NewOrganizationAsync();
        var (secondOwner, _) = await Create(org, "owner");
        var admin = await org.MemberAsync("admin");

        var response = await admin.DeleteAsync($"/api/v1/admins/{secondOwner}");

        await response.AssertStatusAsync(HttpStatusCode.Forbidden);
        await (await org.Owner.GetAsync($"/api/v1/admins/{secondOwner}")).AssertStatusAsync(HttpStatusCode.OK);
    }

    [Fact]
    public async Task Delete_AnotherOwnerByOwner_Is204()
    {
        var org = await app.NewOrganizationAsync();
        var (secondOwner, _) = await Create(org, "owner");

        var response = await org.Owner.DeleteAsync($"/api/v1/admins/{secondOwner}");

        await response.AssertStatusAsync(HttpStatusCode.NoContent);
    }

    [Fact]
    public async Task AdminOfAnotherOrganization_Is404ForReadChangeAndDelete()
    {
        var org = await app.NewOrganizationAsync();
        var other = await app.NewOrganizationAsync();
        var (theirs, email) = await Create(other, "admin");

        await (await org.Owner.GetAsync($"/api/v1/admins/{theirs}")).AssertStatusAsync(HttpStatusCode.NotFound);
        await (await org.Owner.PatchJsonAsync($"/api/v1/admins/{theirs}", new { role = "viewer" })).AssertStatusAsync(HttpStatusCode.NotFound);
        await (await org.Owner.DeleteAsync($"/api/v1/admins/{theirs}")).AssertStatusAsync(HttpStatusCode.NotFound);
        var list = await org.Owner.GetOkJsonAsync("/api/v1/admins");
        Assert.DoesNotContain(list.GetProperty("items").EnumerateArray(), i => i.Text("id") == theirs);
        var unchanged = await other.Owner.GetOkJsonAsync($"/api/v1/admins/{theirs}");
        Assert.Equal("admin", unchanged.Text("role"));
        Assert.Equal(email, unchanged.Text("email"));
    }

    private static string NewEmail() => $"member-{Guid.NewGuid():N}@example.com";

    private Task<HttpResponseMessage> SignIn(string email, string password) =>
        app.Anonymous().PostAsJsonAsync("/api/v1/auth/token", new { email, password });

    private static async Task<(string Id, string Email)> Create(TestOrganization org, string role, string? email = null)
    {
        email ??= NewEmail();
        var response = await org.Owner.PostAsJsonAsync("/api/v1/admins", new { email, password = Password, role });
        await response.AssertStatusAsync(HttpStatusCode.Created);
        return ((await response.ReadJsonAsync()).Text("id"), email);
    }

    private static async Task<string> IdOf(TestOrganization org, string email)
    {
        var list = await org.Owner.GetOkJsonAsync("/api/v1/admins");
        return list.GetProperty("items").EnumerateArray().Single(i => i.Text("email") == email).Text("id");
    }
}
