using System.Data.Common;
using System.Runtime.CompilerServices;
using Gatehouse.Server.Features.AccessGroups;
using Gatehouse.Server.Features.Credentials;
using Gatehouse.Server.Features.Doors;
using Gatehouse.Server.Features.Schedules;
using Gatehouse.Server.Features.Sites;
using Gatehouse.Server.Features.Users;
using Gatehouse.Server.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace Gatehouse.Server.Features.Decisions;

/// <summary>
/// Marks an organization's access snapshot stale once a save that changed its users, credentials,
/// access groups, schedules, doors or sites has gone through. Inside an explicit transaction the mark
/// is set again at commit, so a rebuild that read the store before the commit is not kept as current.
/// </summary>
internal sealed class AccessSnapshotInvalidator(AccessSnapshotCache cache) : SaveChangesInterceptor, IDbTransactionInterceptor
{
    private readonly ConditionalWeakTable<DbContext, Pending> _pending = new();

    public override InterceptionResult<int> SavingChanges(DbContextEventData eventData, InterceptionResult<int> result)
    {
        Collect(eventData.Context);
        return result;
    }

    public override ValueTask<InterceptionResult<int>> SavingChangesAsync(
        DbContextEventData eventData, InterceptionResult<int> result, CancellationToken cancellationToken = default)
    {
        Collect(eventData.Context);
        return ValueTask.FromResult(result);
    }

    public override int SavedChanges(SaveChangesCompletedEventData eventData, int result)
    {
        Saved(eventData.Context);
        return result;
    }

    public override ValueTask<int> SavedChangesAsync(
        SaveChangesCompletedEventData eventData, int result, CancellationToken cancellationToken = default)
    {
        Saved(eventData.Context);
        return ValueTask.FromResult(result);
    }

    public override void SaveChangesFailed(DbContextErrorEventData eventData) => Forget(eventData.Context, saving: true);

    public override Task SaveChangesFailedAsync(DbContextErrorEventData eventData, CancellationToken cancellationToken = default)
    {
        Forget(eventData.Context, saving: true);
        return Task.CompletedTask;
    }

    public override void SaveChangesCanceled(DbContextEventData eventData) => Forget(eventData.Context, saving: true);

    public override Task SaveChangesCanceledAsync(DbContextEventData eventData, CancellationToken cancellationToken = default)
    {
        Forget(eventData.Context, saving: true);
        return Task.CompletedTask;
    }

    void IDbTransactionInterceptor.TransactionCommitted(DbTransaction transaction, TransactionEndEventData eventData) =>
        Committed(eventData.Context);

    Task IDbTransactionInterceptor.TransactionCommittedAsync(
        DbTransaction transaction, TransactionEndEventData eventData, CancellationToken cancellationToken)
    {
        Committed(eventData.Context);
        return Task.CompletedTask;
    }

    void IDbTransactionInterceptor.TransactionRolledBack(DbTransaction transaction, TransactionEndEventData eventData) =>
        Forget(eventData.Context, saving: false);

    Task IDbTransactionInterceptor.TransactionRolledBackAsync(
        DbTransaction transaction, TransactionEndEventData eventData, CancellationToken cancellationToken)
    {
        Forget(eventData.Context, saving: false);
        return Task.CompletedTask;
    }

    private static bool AffectsDecisions(object entity) =>
        entity is Credential or User or UserAccessGroup or AccessGroup or AccessGroupDoor or Schedule or Door or Site;

    private void Collect(DbContext? context)
    {
        if (context is null)
        {
            return;
        }

        Pending? pending = null;
        foreach (var entry in context.ChangeTracker.Entries())
        {
            if (entry.State is not (EntityState.Added or EntityState.Modified or EntityState.Deleted) || !AffectsDecisions(entry.Entity))
            {
                continue;
            }

            pending ??= _pending.GetOrCreateValue(context);
            lock (pending)
            {
                if (entry.Entity is ITenantOwned { OrganizationId: var id } && id != Guid.Empty)
                {
                    pending.Saving.Add(id);
                }
                else
                {
                    pending.SavingUnknown = true;
                }
            }
        }
    }

    private void Saved(DbContext? context)
    {
        if (context is null || !_pending.TryGetValue(context, out var pending))
        {
            return;
        }

        var inTransaction = context.Database.CurrentTransaction is not null;
        lock (pending)
        {
            Bump(pending.Saving, pending.SavingUnknown);
            if (inTransaction)
            {
                pending.Committing.UnionWith(pending.Saving);
                pending.CommittingUnknown |= pending.SavingUnknown;
            }

            pending.Saving.Clear();
            pending.SavingUnknown = false;
        }
    }

    private void Committed(DbContext? context)
    {
        if (context is null || !_pending.TryGetValue(context, out var pending))
        {
            return;
        }

        lock (pending)
        {
            Bump(pending.Committing, pending.CommittingUnknown);
            pending.Committing.Clear();
            pending.CommittingUnknown = false;
        }
    }

    private void Forget(DbContext? context, bool saving)
    {
        if (context is null || !_pending.TryGetValue(context, out var pending))
        {
            return;
        }

        lock (pending)
        {
            if (saving)
            {
                pending.Saving.Clear();
                pending.SavingUnknown = false;
            }
            else
            {
                pending.Committing.Clear();
                pending.CommittingUnknown = false;
            }
        }
    }

    private void Bump(HashSet<Guid> organizations, bool unknown)
    {
        foreach (var id in organizations)
        {
            cache.Invalidate(id);
        }

        if (unknown)
        {
            cache.InvalidateAll();
        }
    }

    private sealed class Pending
    {
        public HashSet<Guid> Saving { get; } = [];

        public bool SavingUnknown { get; set; }

        public HashSet<Guid> Committing { get; } = [];

        public bool CommittingUnknown { get; set; }
    }
}
