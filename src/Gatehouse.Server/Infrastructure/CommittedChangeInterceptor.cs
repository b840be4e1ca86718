using System.Data.Common;
using System.Runtime.CompilerServices;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.ChangeTracking;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace Gatehouse.Server.Infrastructure;

/// <summary>
/// The bookkeeping of an interceptor that acts on what a save changed, per organization, once other readers can
/// see it: what a save changes is collected before it runs, acted on when it has gone through, or held until the
/// commit when it ran inside an explicit transaction (until then other connections still read the old rows). A
/// failed or cancelled save, or a rolled-back transaction, is forgotten: it changed nothing anyone can read.
/// </summary>
/// <typeparam name="TChange">What one organization's part of a save carries beyond its ID.</typeparam>
internal abstract class CommittedChangeInterceptor<TChange> : SaveChangesInterceptor, IDbTransactionInterceptor
    where TChange : class, new()
{
    // Per context, so concurrent requests' saves never mix; weak, so a disposed context takes its state with it.
    private readonly ConditionalWeakTable<DbContext, Pending> _pending = new();

    /// <summary>
    /// Whether a save inside an explicit transaction is acted on at once as well as at the commit. For a mark that
    /// costs nothing to set twice this closes the window where something reads the old rows between the save and
    /// the commit and is kept as current.
    /// </summary>
    protected virtual bool AlsoActBeforeCommit => false;

    /// <summary>Whether a change to this entity concerns the interceptor at all.</summary>
    protected abstract bool Tracks(object entity);

    /// <summary>The organization a changed entity belongs to, or null (or empty) when it cannot be told.</summary>
    protected virtual Guid? OrganizationOf(EntityEntry entry) =>
        entry.Entity is ITenantOwned { OrganizationId: var id } ? id : null;

    /// <summary>Adds what this entry changes to its organization's part of the save.</summary>
    protected abstract void Note(EntityEntry entry, TChange change);

    /// <summary>Adds one save's part of an organization to what is held for the commit.</summary>
    protected abstract void Merge(TChange into, TChange from);

    /// <summary>
    /// The changes are visible now. <paramref name="unknown"/>: some change's organization could not be told.
    /// Runs under the context's lock; the dictionary is cleared afterwards, the changes in it are not.
    /// </summary>
    protected abstract void Act(IReadOnlyDictionary<Guid, TChange> organizations, bool unknown);

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

    private void Collect(DbContext? context)
    {
        if (context is null)
        {
            return;
        }

        Pending? pending = null;
        foreach (var entry in context.ChangeTracker.Entries())
        {
            if (entry.State is not (EntityState.Added or EntityState.Modified or EntityState.Deleted) || !Tracks(entry.Entity))
            {
                continue;
            }

            // A context that never saves anything tracked gets no state.
            pending ??= _pending.GetOrCreateValue(context);
            var organization = OrganizationOf(entry);
            lock (pending)
            {
                if (organization is { } known && known != Guid.Empty)
                {
                    Note(entry, pending.Saving.TryGetValue(known, out var change) ? change : pending.Saving[known] = new TChange());
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
            if (!inTransaction || AlsoActBeforeCommit)
            {
                Act(pending.Saving, pending.SavingUnknown);
            }

            if (inTransaction)
            {
                foreach (var (organization, change) in pending.Saving)
                {
                    Merge(pending.Committing.TryGetValue(organization, out var into) ? into : pending.Committing[organization] = new TChange(), change);
                }

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
            Act(pending.Committing, pending.CommittingUnknown);
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

    private sealed class Pending
    {
        // The save running now.
        public Dictionary<Guid, TChange> Saving { get; } = [];

        public bool SavingUnknown { get; set; }

        // Saves inside the open transaction, waiting for its commit.
        public Dictionary<Guid, TChange> Committing { get; } = [];

        public bool CommittingUnknown { get; set; }
    }
}
