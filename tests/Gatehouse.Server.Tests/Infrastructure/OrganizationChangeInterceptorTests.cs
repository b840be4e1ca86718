using System.Collections.Concurrent;
using System.Data.Common;
using Gatehouse.Server.Data;
using Gatehouse.Server.Features.Organizations;
using Gatehouse.Server.Features.Sites;
using Gatehouse.Server.Features.Users;
using Gatehouse.Server.Infrastructure;
using Microsoft.AspNetCore.Http;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace Gatehouse.Server.Tests.Infrastructure;

/// <summary>
/// The one change signal: what reaches the access snapshot cache, the device sync and the outbox once a save is
/// visible to other readers, and what never does. On an in-memory SQLite store of the real model.
/// </summary>
public sealed class OrganizationChangeInterceptorTests : IDisposable
{
    private readonly SqliteConnection _connection = new("Data Source=:memory:");
    private readonly Recorder _heard = new();
    private readonly CancelOnInsert _canceller = new();
    private readonly Guid _organizationId;

    public OrganizationChangeInterceptorTests()
    {
        _connection.Open();
        using var db = NewContext();
        db.Database.EnsureCreated();
        var organization = new Organization { Name = "Signals" };
        db.Organizations.Add(organization);
        db.SaveChanges();
        _organizationId = organization.Id;
        _heard.Clear();
    }

    public void Dispose() => _connection.Dispose();

    [Fact]
    public async Task SaveChanges_OutsideATransaction_SignalsCommittedOnceWithItsKinds()
    {
        await using var db = NewContext();
        db.Sites.Add(NewSite());

        await db.SaveChangesAsync();

        var change = Assert.Single(_heard.All);
        Assert.Equal(ChangeStage.Committed, change.Stage);
        Assert.Equal(_organizationId, change.OrganizationId);
        Assert.Equal(ChangeKinds.Sites, change.Kinds);
    }

    [Fact]
    public async Task Transaction_Committed_SignalsCommittedOnceWithTheKindsOfEverySave()
    {
        await using var db = NewContext();
        await using var transaction = await db.Database.BeginTransactionAsync();
        db.Sites.Add(NewSite());
        await db.SaveChangesAsync();
        var user = new User { OrganizationId = _organizationId, FirstName = "Ada", LastName = "Lovelace" };
        db.Users.Add(user);
        await db.SaveChangesAsync();

        Assert.Empty(_heard.Committed);
        await transaction.CommitAsync();

        var change = Assert.Single(_heard.Committed);
        Assert.Equal(_organizationId, change.OrganizationId);
        Assert.Equal(ChangeKinds.Sites | ChangeKinds.Users, change.Kinds);
        Assert.Equal(new[] { user.Id }, change.Users);
        Assert.Empty(change.Credentials);
    }

    [Fact]
    public async Task Transaction_SavedButNotCommitted_MarksItSavedInTransactionFirst()
    {
        // What keeps the snapshot cache from counting a rebuild that read the store before the commit as current.
        await using var db = NewContext();
        await using var transaction = await db.Database.BeginTransactionAsync();
        db.Sites.Add(NewSite());
        await db.SaveChangesAsync();

        var early = Assert.Single(_heard.All);
        Assert.Equal(ChangeStage.SavedInTransaction, early.Stage);
        await transaction.CommitAsync();
        Assert.Equal(new[] { ChangeStage.SavedInTransaction, ChangeStage.Committed }, _heard.All.Select(c => c.Stage));
    }

    [Fact]
    public async Task Transaction_RolledBack_SignalsNoCommittedChange()
    {
        await using var db = NewContext();
        await using (var transaction = await db.Database.BeginTransactionAsync())
        {
            db.Sites.Add(NewSite());
            await db.SaveChangesAsync();
            await transaction.RollbackAsync();
        }

        // A later transaction on the same context commits only what it saved itself.
        db.ChangeTracker.Clear();
        await using (var transaction = await db.Database.BeginTransactionAsync())
        {
            await transaction.CommitAsync();
        }

        Assert.Empty(_heard.Committed);
    }

    [Fact]
    public async Task SaveChanges_Failed_SignalsNothing()
    {
        await using var db = NewContext();
        var site = NewSite();
        db.Sites.Add(site);
        await db.SaveChangesAsync();
        _heard.Clear();

        // The same key again: the store refuses the row.
        await using var other = NewContext();
        other.Sites.Add(new Site { Id = site.Id, OrganizationId = _organizationId, Name = "Twin", TimeZone = "UTC" });

        await Assert.ThrowsAsync<DbUpdateException>(() => other.SaveChangesAsync());
        Assert.Empty(_heard.All);
    }

    [Fact]
    public async Task SaveChanges_Cancelled_SignalsNothing()
    {
        await using var db = NewContext();
        db.Sites.Add(NewSite());
        using var cancel = new CancellationTokenSource();
        _canceller.Source = cancel;

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => db.SaveChangesAsync(cancel.Token));
        Assert.Empty(_heard.All);
        await using var reader = NewContext();
        Assert.Equal(0, await reader.Sites.IgnoreQueryFilters().CountAsync());
    }

    [Fact]
    public async Task SaveChanges_OfRowsNoListenerCaresAbout_SignalsNothing()
    {
        await using var db = NewContext();
        db.Organizations.Add(new Organization { Name = "Another" });

        await db.SaveChangesAsync();

        Assert.Empty(_heard.All);
    }

    private Site NewSite() => new() { OrganizationId = _organizationId, Name = "HQ", TimeZone = "UTC" };

    private SqliteGatehouseDbContext NewContext() => new(
        new DbContextOptionsBuilder<SqliteGatehouseDbContext>()
            .UseSqlite(_connection)
            .AddInterceptors(new OrganizationChangeInterceptor([_heard]), _canceller)
            .Options,
        new CurrentOrganization(new HttpContextAccessor()));

    private sealed class Recorder : IOrganizationChangeListener
    {
        private readonly ConcurrentQueue<OrganizationChanged> _changes = new();

        public IReadOnlyList<OrganizationChanged> All => [.. _changes];

        public IReadOnlyList<OrganizationChanged> Committed => [.. _changes.Where(c => c.Stage == ChangeStage.Committed)];

        public void OnChanged(OrganizationChanged change) => _changes.Enqueue(change);

        public void Clear() => _changes.Clear();
    }

    /// <summary>Cancels the save's token as its insert is about to run, as a caller giving up mid-save would.</summary>
    private sealed class CancelOnInsert : DbCommandInterceptor
    {
        public CancellationTokenSource? Source { get; set; }

        public override async ValueTask<InterceptionResult<DbDataReader>> ReaderExecutingAsync(
            DbCommand command, CommandEventData eventData, InterceptionResult<DbDataReader> result, CancellationToken cancellationToken = default)
        {
            await CancelIfInsertAsync(command, cancellationToken);
            return result;
        }

        public override async ValueTask<InterceptionResult<int>> NonQueryExecutingAsync(
            DbCommand command, CommandEventData eventData, InterceptionResult<int> result, CancellationToken cancellationToken = default)
        {
            await CancelIfInsertAsync(command, cancellationToken);
            return result;
        }

        private async Task CancelIfInsertAsync(DbCommand command, CancellationToken cancellationToken)
        {
            if (Source is { } source && command.CommandText.Contains("INSERT", StringComparison.OrdinalIgnoreCase))
            {
                await source.CancelAsync();
                cancellationToken.ThrowIfCancellationRequested();
            }
        }
    }
}
