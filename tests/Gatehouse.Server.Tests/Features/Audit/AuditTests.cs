using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Gatehouse.Server.Data;
using Gatehouse.Server.Features.Audit;
using Gatehouse.Server.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Gatehouse.Server.Tests.Features.Audit;

public sealed class AuditTests(GatehouseApp app) : IClassFixture<GatehouseApp>
{
    private const string Password = "A-secret-password-42";

    [Fact]
    public async Task CreatingAnAdmin_IsLoggedWithActorAndValuesButNoSecret()
    {
        var org = await app.NewOrganizationAsync();
        var ownerId = await IdOfAsync(org, org.OwnerEmail);

        var id = await CreateAdminAsync(org, "admin");

        var audit = await org.Owner.GetOkJsonAsync($"/api/v1/audit?entityType=admin&entityId={id}");
        var entry = Assert.Single(audit.GetProperty("items").EnumerateArray());
        Assert.Equal("created", entry.Text("action"));
        Assert.Equal(org.OwnerEmail, entry.Text("actor"));
        Assert.Equal(ownerId, entry.Text("actorId"));
        Assert.Equal("admin", Change(entry, "role").Text("after"));
        Assert.True(Change(entry, "passwordHash").GetProperty("redacted").GetBoolean());
        var text = entry.GetRawText();
        Assert.DoesNotContain(Password, text, StringComparison.Ordinal);
        Assert.DoesNotContain(await PasswordHashOfAsync(Guid.Parse(id)), text, StringComparison.Ordinal);
        Assert.DoesNotContain("failedSignIns", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ChangingAnAdmin_IsLoggedWithBeforeAndAfterOfTheChangedFieldsOnly()
    {
        var org = await app.NewOrganizationAsync();
        var id = await CreateAdminAsync(org, "admin");

        await (await org.Owner.PatchJsonAsync($"/api/v1/admins/{id}", new { role = "viewer" })).AssertStatusAsync(HttpStatusCode.OK);

        var entry = (await org.Owner.GetOkJsonAsync($"/api/v1/audit?entityId={id}")).GetProperty("items")[0];
        Assert.Equal("updated", entry.Text("action"));
        var change = Assert.Single(entry.GetProperty("changes").EnumerateArray());
        Assert.Equal("role", change.Text("field"));
        Assert.Equal("admin", change.Text("before"));
        Assert.Equal("viewer", change.Text("after"));
    }

    [Fact]
    public async Task DeletingAnAdmin_IsLoggedWithTheValuesItHad()
    {
        var org = await app.NewOrganizationAsync();
        var id = await CreateAdminAsync(org, "viewer");

        await (await org.Owner.DeleteAsync($"/api/v1/admins/{id}")).AssertStatusAsync(HttpStatusCode.NoContent);

        var entry = (await org.Owner.GetOkJsonAsync($"/api/v1/audit?entityId={id}")).GetProperty("items")[0];
        Assert.Equal("deleted", entry.Text("action"));
        Assert.Equal("viewer", Change(entry, "role").Text("before"));
    }

    [Fact]
    public async Task List_IsNewestFirstPagedAndFilteredByActor()
    {
        var org = await app.NewOrganizationAsync();
        var admin = await org.MemberAsync("admin");
        var adminEmail = (await admin.GetOkJsonAsync("/api/v1/admins")).GetProperty("items").EnumerateArray()
            .Select(i => i.Text("email")).Single(e => e.StartsWith("admin-", StringComparison.Ordinal));
        await admin.PostAsJsonAsync("/api/v1/admins", new { email = $"v-{Guid.NewGuid():N}@example.com", password = Password, role = "viewer" });

        var all = await org.Owner.GetOkJsonAsync("/api/v1/audit?pageSize=2");
        var byAdmin = await org.Owner.GetOkJsonAsync($"/api/v1/audit?actor={adminEmail}");

        var sequences = all.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("sequence").GetInt64()).ToList();
        Assert.Equal(2, sequences.Count);
        Assert.True(sequences[0] > sequences[1]);
        Assert.Equal(all.GetProperty("total").GetInt32(), sequences[0]);
        var entry = Assert.Single(byAdmin.GetProperty("items").EnumerateArray());
        Assert.Equal(adminEmail, entry.Text("actor"));
    }

    [Fact]
    public async Task SigningIn_AddsNothingToTheLog()
    {
        var org = await app.NewOrganizationAsync();
        var before = (await org.Owner.GetOkJsonAsync("/api/v1/audit")).GetProperty("total").GetInt32();

        using var again = await app.SignInAsync(org.OwnerEmail, GatehouseApp.OwnerPassword);
        await app.Anonymous().PostAsJsonAsync("/api/v1/auth/token", new { email = org.OwnerEmail, password = "Wrong-password-1" });

        Assert.Equal(before, (await org.Owner.GetOkJsonAsync("/api/v1/audit")).GetProperty("total").GetInt32());
    }

    [Fact]
    public async Task Verify_UntouchedLog_IsValidAndCountsEveryEntry()
    {
        var org = await app.NewOrganizationAsync();
        await CreateAdminAsync(org, "viewer");

        var result = await org.Owner.GetOkJsonAsync("/api/v1/audit/verify");

        Assert.True(result.GetProperty("valid").GetBoolean());
        Assert.Equal((await org.Owner.GetOkJsonAsync("/api/v1/audit")).GetProperty("total").GetInt64(), result.GetProperty("entries").GetInt64());
        Assert.False(result.TryGetProperty("firstBrokenAt", out _));
    }

    [Fact]
    public async Task Verify_EntryEditedInTheStore_IsBrokenAtThatEntry()
    {
        var org = await app.NewOrganizationAsync();
        await CreateAdminAsync(org, "viewer");
        var target = await CreateAdminAsync(org, "viewer");
        await CreateAdminAsync(org, "viewer");
        var sequence = (await org.Owner.GetOkJsonAsync($"/api/v1/audit?entityId={target}")).GetProperty("items")[0].GetProperty("sequence").GetInt64();

        await WithStoreAsync(db => db.AuditEntries.IgnoreQueryFilters()
            .Where(e => e.OrganizationId == Guid.Parse(org.Id) && e.Sequence == sequence)
            .ExecuteUpdateAsync(s => s.SetProperty(e => e.Changes, e => e.Changes.Replace("viewer", "owner"))));

        var result = await org.Owner.GetOkJsonAsync("/api/v1/audit/verify");
        Assert.False(result.GetProperty("valid").GetBoolean());
        Assert.Equal(sequence, result.GetProperty("firstBrokenAt").GetInt64());
    }

    [Fact]
    public async Task Verify_EntryRemovedFromTheStore_IsBrokenWhereItWas()
    {
        var org = await app.NewOrganizationAsync();
        var target = await CreateAdminAsync(org, "viewer");
        await CreateAdminAsync(org, "viewer");
        var sequence = (await org.Owner.GetOkJsonAsync($"/api/v1/audit?entityId={target}")).GetProperty("items")[0].GetProperty("sequence").GetInt64();

        await WithStoreAsync(db => db.AuditEntries.IgnoreQueryFilters()
            .Where(e => e.OrganizationId == Guid.Parse(org.Id) && e.Sequence == sequence)
            .ExecuteDeleteAsync());

        var result = await org.Owner.GetOkJsonAsync("/api/v1/audit/verify");
        Assert.False(result.GetProperty("valid").GetBoolean());
        Assert.Equal(sequence, result.GetProperty("firstBrokenAt").GetInt64());
    }

    [Fact]
    public async Task Verify_TamperingInAnotherOrganization_LeavesThisChainValid()
    {
        var org = await app.NewOrganizationAsync();
        var other = await app.NewOrganizationAsync();
        await WithStoreAsync(db => db.AuditEntries.IgnoreQueryFilters()
            .Where(e => e.OrganizationId == Guid.Parse(other.Id))
            .ExecuteUpdateAsync(s => s.SetProperty(e => e.Actor, "someone-else")));

        Assert.True((await org.Owner.GetOkJsonAsync("/api/v1/audit/verify")).GetProperty("valid").GetBoolean());
        Assert.False((await other.Owner.GetOkJsonAsync("/api/v1/audit/verify")).GetProperty("valid").GetBoolean());
    }

    [Fact]
    public async Task SavingAChangedEntryThroughTheStore_IsRefused()
    {
        var org = await app.NewOrganizationAsync();

        await Assert.ThrowsAsync<InvalidOperationException>(() => WithStoreAsync(async db =>
        {
            var entry = await db.AuditEntries.IgnoreQueryFilters().FirstAsync(e => e.OrganizationId == Guid.Parse(org.Id));
            entry.Actor = "someone-else";
            return await db.SaveChangesAsync();
        }));
        Assert.True((await org.Owner.GetOkJsonAsync("/api/v1/audit/verify")).GetProperty("valid").GetBoolean());
    }

    [Fact]
    public async Task ConcurrentChanges_ChainWithoutGapsOrForks()
    {
        var org = await app.NewOrganizationAsync();

        var responses = await Task.WhenAll(Enumerable.Range(0, 8).Select(i =>
            org.Owner.PostAsJsonAsync("/api/v1/admins", new { email = $"c{i}-{Guid.NewGuid():N}@example.com", password = Password, role = "viewer" })));

        Assert.All(responses, r => Assert.Equal(HttpStatusCode.Created, r.StatusCode));
        var result = await org.Owner.GetOkJsonAsync("/api/v1/audit/verify");
        Assert.True(result.GetProperty("valid").GetBoolean(), result.GetRawText());
        var list = await org.Owner.GetOkJsonAsync("/api/v1/audit?pageSize=500");
        var sequences = list.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("sequence").GetInt64()).Order().ToList();
        Assert.Equal(Enumerable.Range(1, sequences.Count).Select(i => (long)i), sequences);
    }

    [Fact]
    public async Task NewOrganization_LogStartsWithItsCreationBySystemAdministrator()
    {
        var org = await app.NewOrganizationAsync();

        var items = (await org.Owner.GetOkJsonAsync("/api/v1/audit")).GetProperty("items").EnumerateArray().ToList();

        var first = items.Single(i => i.GetProperty("sequence").GetInt64() == 1);
        Assert.Equal("organization", first.Text("entityType"));
        Assert.Equal(org.Id, first.Text("entityId"));
        Assert.Equal(GatehouseApp.SystemAdminEmail, first.Text("actor"));
    }

    [Fact]
    public async Task Bootstrap_IsLoggedAsSystem()
    {
        using var root = await app.SystemAdminAsync();

        var items = (await root.GetOkJsonAsync("/api/v1/audit?actor=system")).GetProperty("items").EnumerateArray().ToList();

        Assert.Contains(items, i => i.Text("entityType") == "organization" && i.Text("action") == "created");
        Assert.All(items, i => Assert.Equal(JsonValueKind.Null, i.GetProperty("actorId").ValueKind));
    }

    [Fact]
    public async Task EntriesOfAnotherOrganization_AreNotListed()
    {
        var org = await app.NewOrganizationAsync();
        var other = await app.NewOrganizationAsync();
        var theirs = await CreateAdminAsync(other, "viewer");

        var list = await org.Owner.GetOkJsonAsync($"/api/v1/audit?entityId={theirs}");

        Assert.Equal(0, list.GetProperty("total").GetInt32());
        Assert.DoesNotContain((await org.Owner.GetOkJsonAsync("/api/v1/audit?pageSize=500")).GetProperty("items").EnumerateArray(),
            i => i.Text("entityId") == theirs);
    }

    [Fact]
    public async Task Viewer_CanReadTheLog()
    {
        var org = await app.NewOrganizationAsync();
        var viewer = await org.MemberAsync("viewer");

        await (await viewer.GetAsync("/api/v1/audit")).AssertStatusAsync(HttpStatusCode.OK);
        await (await viewer.GetAsync("/api/v1/audit/verify")).AssertStatusAsync(HttpStatusCode.OK);
    }

    [Theory]
    [InlineData("PUT", "/api/v1/audit")]
    [InlineData("DELETE", "/api/v1/audit")]
    [InlineData("POST", "/api/v1/audit")]
    [InlineData("DELETE", "/api/v1/audit/1")]
    [InlineData("PATCH", "/api/v1/audit/1")]
    public async Task TheLog_HasNoCallThatChangesIt(string method, string url)
    {
        var org = await app.NewOrganizationAsync();

        var response = await org.Owner.SendAsync(new HttpRequestMessage(new HttpMethod(method), url) { Content = JsonContent.Create(new { }) });

        Assert.Contains(response.StatusCode, new[] { HttpStatusCode.MethodNotAllowed, HttpStatusCode.NotFound });
    }

    private static JsonElement Change(JsonElement entry, string field) =>
        entry.GetProperty("changes").EnumerateArray().Single(c => c.Text("field") == field);

    private static async Task<string> CreateAdminAsync(TestOrganization org, string role)
    {
        var response = await org.Owner.PostAsJsonAsync("/api/v1/admins", new { email = $"audited-{Guid.NewGuid():N}@example.com", password = Password, role });
        await response.AssertStatusAsync(HttpStatusCode.Created);
        return (await response.ReadJsonAsync()).Text("id");
    }

    private static async Task<string> IdOfAsync(TestOrganization org, string email) =>
        (await org.Owner.GetOkJsonAsync("/api/v1/admins")).GetProperty("items").EnumerateArray().Single(i => i.Text("email") == email).Text("id");

    private Task<string> PasswordHashOfAsync(Guid id) => WithStoreAsync(db =>
        db.Admins.IgnoreQueryFilters().Where(a => a.Id == id).Select(a => a.PasswordHash).SingleAsync());

    private async Task<T> WithStoreAsync<T>(Func<GatehouseDbContext, Task<T>> work)
    {
        await using var scope = app.Services.CreateAsyncScope();
        return await work(scope.ServiceProvider.GetRequiredService<GatehouseDbContext>());
    }
}
