using System.Data.Common;
using System.Runtime.CompilerServices;
using Gatehouse.Server.Features.AccessGroups;
using Gatehouse.Server.Features.Credentials;
using Gatehouse.Server.Features.Devices;
using Gatehouse.Server.Features.Doors;
using Gatehouse.Server.Features.Messaging;
using Gatehouse.Server.Features.Schedules;
using Gatehouse.Server.Features.Sites;
using Gatehouse.Server.Features.Users;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.ChangeTracking;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace Gatehouse.Server.Infrastructure;

/// <summary>
/// The one place that tells the rest of the server what a save changed: per organization, the kinds of rows (and
/// which users and credentials), as an <see cref="OrganizationChanged"/> to every
/// <see cref="IOrganizationChangeListener"/>. What a save changes is collected before it runs and told
/// <see cref="ChangeStage.Committed"/> once other readers can see it: when the save has gone through, or, inside an
/// explicit transaction, at the commit (told <see cref="ChangeStage.SavedInTransaction"/> at the save as well). A
/// failed or cancelled save, or a rolled-back transaction, is never told committed: it changed nothing anyone can read.
/// </summary>
internal sealed class OrganizationChangeInterceptor(IEnumerable<IOrganizationChangeListener> listeners)
    : SaveChangesInterceptor, IDbTransactionInterceptor
{
    private readonly IOrganizationChangeListener[] _listeners = [.. listeners];

    // Per context, so concurrent requests' saves never mix; weak, so a disposed context takes its state with it.
    private readonly ConditionalWeakTable<DbContext, Pending> _pending = new();

    /// <summary>The kinds of rows an entity is; <see cref="ChangeKinds.None"/> for what no listener cares about.</summary>
    private static ChangeKinds KindsOf(EntityEntry entry) => entry.Entity switch
    {
        // A user's memberships go with the user.
        User => entry.State == EntityState.Deleted ? ChangeKinds.Users | ChangeKinds.Memberships : ChangeKinds.Users,
        Credential => ChangeKinds.Credentials,
        UserAccessGroup => ChangeKinds.Memberships,
        AccessGroup or AccessGroupDoor => ChangeKinds.AccessGroups,
        Schedule => ChangeKinds.Schedules,
        Door => ChangeKinds.Doors,
        Site => ChangeKinds.Sites,
        Device or DeviceDoor => ChangeKinds.Devices,
        OutboxMessage => ChangeKinds.OutboxMessages,
        _ => ChangeKinds.None,
    };

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

    private static Guid? OrganizationOf(EntityEntry entry) => entry.Entity switch
    {
        ITenantOwned { OrganizationId: var id } => id,

        // A device's door row carries no organization; its device, when loaded with it, does.
        DeviceDoor door => entry.Context.ChangeTracker.Entries<Device>().FirstOrDefault(d => d.Entity.Id == door.DeviceId)?.Entity.OrganizationId,
        _ => null,
    };

    private void Collect(DbContext? context)
    {
        if (context is null)
        {
            return;
        }

        Pending? pending = null;
        foreach (var entry in context.ChangeTracker.Entries())
        {
            if (entry.State is not (EntityState.Added or EntityState.Modified or EntityState.Deleted))
            {
                continue;
            }

            var kinds = KindsOf(entry);
            if (kinds == ChangeKinds.None)
            {
                continue;
            }

            // A context that never saves anything of interest gets no state.
            pending ??= _pending.GetOrCreateValue(context);

            // Guid.Empty stands for "some organization that cannot be told".
            var organization = OrganizationOf(entry) ?? Guid.Empty;
            lock (pending)
            {
                var part = pending.Saving.TryGetValue(organization, out var found) ? found : pending.Saving[organization] = new Part();
                part.Kinds |= kinds;
                switch (entry.Entity)
                {
                    case Credential credential:
                        part.Credentials.Add(credential.Id);
                        break;
                    case User user when entry.State != EntityState.Deleted:
                        part.Users.Add(user.Id);
                        break;
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
            // Told at the save inside a transaction too: a mark that costs nothing to set twice is then set before
            // anything can read the old rows in between and be kept as current.
            Tell(pending.Saving, inTransaction ? ChangeStage.SavedInTransaction : ChangeStage.Committed);
            if (inTransaction)
            {
                foreach (var (organization, part) in pending.Saving)
                {
                    (pending.Committing.TryGetValue(organization, out var into) ? into : pending.Committing[organization] = new Part()).Merge(part);
                }
            }

            pending.Saving.Clear();
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
            Tell(pending.Committing, ChangeStage.Committed);
            pending.Committing.Clear();
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
            (saving ? pending.Saving : pending.Committing).Clear();
        }
    }

    private void Tell(Dictionary<Guid, Part> parts, ChangeStage stage)
    {
        foreach (var (organization, part) in parts)
        {
            var change = new OrganizationChanged(
                organization == Guid.Empty ? null : organization, part.Kinds, stage, part.Users.ToHashSet(), part.Credentials.ToHashSet());
            foreach (var listener in _listeners)
            {
                listener.OnChanged(change);
            }
        }
    }

    private sealed class Part
    {
        public ChangeKinds Kinds { get; set; }

        public HashSet<Guid> Users { get; } = [];

        public HashSet<Guid> Credentials { get; } = [];

        public void Merge(Part from)
        {
            Kinds |= from.Kinds;
            Users.UnionWith(from.Users);
            Credentials.UnionWith(from.Credentials);
        }
    }

    private sealed class Pending
    {
        // The save running now, by organization (Guid.Empty: not known).
        public Dictionary<Guid, Part> Saving { get; } = [];

        // Saves inside the open transaction, waiting for its commit.
        public Dictionary<Guid, Part> Committing { get; } = [];
    }
}
