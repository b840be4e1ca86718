using Gatehouse.Server.Features.Users;
using Gatehouse.Server.Infrastructure;
using Gatehouse.Server.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace Gatehouse.Server.Tests.Features.Users;

/// <summary>The console's CSV import goes through <see cref="UserService.ImportAsync"/>: all rows or none.</summary>
public sealed class UserImportTests(ManyOrganizationsApp app) : IClassFixture<ManyOrganizationsApp>
{
    [Fact]
    public async Task Import_ValidRows_CreatesEveryUserWithGroupsAndStatus()
    {
        var org = await app.NewOrganizationAsync();
        var group = await org.Owner.NewAccessGroupAsync();
        var groupId = Guid.Parse(group.Id());

        var result = await ImportAsync(org,
        [
            Row("Ana", "Lima", groups: [groupId]),
            Row("Bo", "Berg") with { Status = UserStatus.Suspended, Email = "bo@example.com" },
        ]);

        Assert.Null(result.Error);
        Assert.Equal(2, result.Value);
        var users = (await org.Owner.GetJsonAsync("/api/v1/users")).GetProperty("items").EnumerateArray().ToList();
        Assert.Equal(["Berg", "Lima"], users.Select(u => u.Str("lastName")));
        Assert.Equal("suspended", users[0].Str("status"));
        Assert.Equal([group.Id()], users[1].Strings("accessGroupIds"));
    }

    [Fact]
    public async Task Import_OneBadRow_NamesItsFieldsAndCreatesNobody()
    {
        var org = await app.NewOrganizationAsync();
        var otherOrg = await app.NewOrganizationAsync();
        var foreignGroup = Guid.Parse((await otherOrg.Owner.NewAccessGroupAsync()).Id());

        var result = await ImportAsync(org,
        [
            Row("Ana", "Lima"),
            Row("", "Berg") with { Email = "not-an-email" },
            Row("Cy", "Dunn", groups: [foreignGroup]),
        ]);

        var invalid = Assert.IsType<ApiError.Invalid>(result.Error);
        Assert.Equal(["rows[1].email", "rows[1].firstName", "rows[2].accessGroupIds[0]"], invalid.Errors.Keys.Order(StringComparer.Ordinal));
        Assert.Equal(0, await org.Owner.TotalAsync("/api/v1/users"));
    }

    [Fact]
    public async Task CheckImport_ValidRows_SavesNothing()
    {
        var org = await app.NewOrganizationAsync();

        await using var scope = Scope(org);
        var error = await scope.ServiceProvider.GetRequiredService<UserService>().CheckImportAsync([Row("Ana", "Lima")], default);

        Assert.Null(error);
        Assert.Equal(0, await org.Owner.TotalAsync("/api/v1/users"));
    }

    [Fact]
    public async Task Import_NoRows_IsRefused()
    {
        var org = await app.NewOrganizationAsync();

        var result = await ImportAsync(org, []);

        var invalid = Assert.IsType<ApiError.Invalid>(result.Error);
        Assert.Contains("rows", invalid.Errors.Keys);
    }

    [Fact]
    public async Task Import_MoreRowsThanTheMaximum_IsRefusedAsAWholeSayingTheLimit()
    {
        var org = await app.NewOrganizationAsync();

        var result = await ImportAsync(org, [.. Enumerable.Repeat(Row("Ana", "Lima"), UserService.MaxImportRows + 1)]);

        var invalid = Assert.IsType<ApiError.Invalid>(result.Error);
        Assert.Equal(["rows"], invalid.Errors.Keys);
        Assert.Contains($"{UserService.MaxImportRows}", invalid.Errors["rows"][0], StringComparison.Ordinal);
        Assert.Equal(0, await org.Owner.TotalAsync("/api/v1/users"));
    }

    private static CreateUserRequest Row(string first, string last, Guid[]? groups = null) =>
        new(first, last, null, null, null, null, null, groups ?? []);

    private async Task<Result<int>> ImportAsync(TestOrganization org, IReadOnlyList<CreateUserRequest> rows)
    {
        await using var scope = Scope(org);
        return await scope.ServiceProvider.GetRequiredService<UserService>().ImportAsync(rows, default);
    }

    private AsyncServiceScope Scope(TestOrganization org)
    {
        var scope = app.Services.CreateAsyncScope();
        scope.ServiceProvider.GetRequiredService<CurrentOrganization>().Set(Guid.Parse(org.Id));
        return scope;
    }
}
