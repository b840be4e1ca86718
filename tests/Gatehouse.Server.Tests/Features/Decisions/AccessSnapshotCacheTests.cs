using System.Data.Common;
using System.Net;
using System.Net.Http.Json;
using Gatehouse.Server.Tests.Infrastructure;
using Microsoft.AspNetCore.Hosting;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.Extensions.DependencyInjection;

namespace Gatehouse.Server.Tests.Features.Decisions;

/// <summary>Counts the store's queries, to see when decisions read the store.</summary>
public sealed class QueryCountingApp : GatehouseApp
{
    public QueryCounter Queries { get; } = new();

    protected override void ConfigureTestServices(IWebHostBuilder builder) =>
        builder.ConfigureServices(services => services.AddSingleton<IInterceptor>(Queries));
}

public sealed class QueryCounter : DbCommandInterceptor
{
    private int _all;
    private int _credentialReads;

    public int All => Volatile.Read(ref _all);

    public int CredentialReads => Volatile.Read(ref _credentialReads);

    public override InterceptionResult<DbDataReader> ReaderExecuting(DbCommand command, CommandEventData eventData, InterceptionResult<DbDataReader> result)
    {
        Count(command);
        return result;
    }

    public override ValueTask<InterceptionResult<DbDataReader>> ReaderExecutingAsync(
        DbCommand command, CommandEventData eventData, InterceptionResult<DbDataReader> result, CancellationToken cancellationToken = default)
    {
        Count(command);
        return ValueTask.FromResult(result);
    }

    public override InterceptionResult<object> ScalarExecuting(DbCommand command, CommandEventData eventData, InterceptionResult<object> result)
    {
        Count(command);
        return result;
    }

    public override ValueTask<InterceptionResult<object>> ScalarExecutingAsync(
        DbCommand command, CommandEventData eventData, InterceptionResult<object> result, CancellationToken cancellationToken = default)
    {
        Count(command);
        return ValueTask.FromResult(result);
    }

    private void Count(DbCommand command)
    {
        Interlocked.Increment(ref _all);
        if (command.CommandText.Contains("FROM \"Credentials\"", StringComparison.Ordinal))
        {
            Interlocked.Increment(ref _credentialReads);
        }
    }
}

public sealed class AccessSnapshotCacheTests(QueryCountingApp app) : IClassFixture<QueryCountingApp>
{
    private const string Decisions = "/api/v1/access/decisions";

    [Fact]
    public async Task Decide_Repeatedly_ReadsNothingFromTheStore()
    {
        var (org, body) = await SceneAsync();
        await (await org.Owner.PostAsJsonAsync(Decisions, body)).AssertStatusAsync(HttpStatusCode.OK);

        var before = app.Queries.All;
        for (var i = 0; i < 20; i++)
        {
            await (await org.Owner.PostAsJsonAsync(Decisions, body)).AssertStatusAsync(HttpStatusCode.OK);
        }

        Assert.Equal(before, app.Queries.All);
    }

    [Fact]
    public async Task Decide_ManyAtOnceAfterAChange_RebuildsTheSnapshotOnce()
    {
        var (org, body) = await SceneAsync();
        await (await org.Owner.PostAsJsonAsync(Decisions, body)).AssertStatusAsync(HttpStatusCode.OK);
        await org.Owner.NewUserAsync("Bo", "Berg");

        var before = app.Queries.CredentialReads;
        var responses = await Task.WhenAll(Enumerable.Range(0, 24).Select(_ => org.Owner.PostAsJsonAsync(Decisions, body)));

        Assert.All(responses, r => Assert.Equal(HttpStatusCode.OK, r.StatusCode));
        Assert.Equal(before + 1, app.Queries.CredentialReads);
    }

    private async Task<(TestOrganization Org, object Body)> SceneAsync()
    {
        var org = await app.NewOrganizationAsync();
        var door = await org.Owner.NewDoorAsync();
        var group = await org.Owner.NewAccessGroupAsync(doorIds: [door.Id()]);
        var user = await org.Owner.NewUserAsync(accessGroupIds: [group.Id()]);
        await org.Owner.CreateAsync($"/api/v1/users/{user.Id()}/credentials/cards", new { format = "CSN", csn = "04A224B2" });
        return (org, new { doorId = door.Id(), at = "2026-03-09T12:00:00Z", card = new { csn = "04A224B2" } });
    }
}
