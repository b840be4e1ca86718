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

namespace Gatehouse.Server.Features.Devices.Gateway;

/// <summary>
/// Tells <see cref="DeviceSync"/> which organizations changed something a device holds (users, cards, groups,
/// schedules, doors, sites, devices and their doors) once the save, or its transaction, has gone through;
/// a rolled-back transaction tells nothing.
/// </summary>
internal sealed class DeviceSyncTrigger(IServiceProvider services) : SaveChangesInterceptor, IDbTransactionInterceptor
{
    private readonly ConditionalWeakTable<DbContext, Pending> _pending = new();

    // Resolved on first use: the sync depends on the store this interceptor is part of.
    private DeviceSync Sync => field ??= services.GetRequiredService<DeviceSync>();

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

    private static bool Synced(object entity) =>
        entity is Credential or User or UserAccessGroup or AccessGroup or AccessGroupDoor or Schedule or Door or Site or Device or DeviceDoor;

    private void Collect(DbContext? context)
    {
        if (context is null)
        {
            return;
        }

        Pending? pending = null;
        foreach (var entry in context.ChangeTracker.Entries())
        {
            if (entry.State is not (EntityState.Added or EntityState.Modified or EntityState.Deleted) || !Synced(entry.Entity))
            {
                continue;
            }

            pending ??= _pending.GetOrCreateValue(context);

            // A card's or a user's own fields (status, validity) patch what devices hold; anything else, or a user
            // removed (whose memberships the database drops), changes who holds what, and is read whole.
            var (user, credential, structural) = entry.Entity switch
            {
                Credential c => ((Guid?)null, (Guid?)c.Id, false),
                User u when entry.State != EntityState.Deleted => (u.Id, null, false),
                _ => (null, null, true),
            };
            var organization = entry.Entity switch
            {
                ITenantOwned { OrganizationId: var id } when id != Guid.Empty => id,

                // A device's door row carries no organization; its device, when loaded with it, does.
                DeviceDoor door => context.ChangeTracker.Entries<Device>().FirstOrDefault(d => d.Entity.Id == door.DeviceId)?.Entity.OrganizationId,
                _ => null,
            };
            lock (pending)
            {
                if (organization is { } known && known != Guid.Empty)
                {
                    var change = pending.Saving.TryGetValue(known, out var c) ? c : pending.Saving[known] = new Change();
                    change.Structural |= structural;
                    if (user is { } u)
                    {
                        change.Users.Add(u);
                    }

                    if (credential is { } cr)
                    {
                        change.Credentials.Add(cr);
                    }
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

        lock (pending)
        {
            if (context.Database.CurrentTransaction is not null)
            {
                // Not visible to the sync's own reads until the commit.
                foreach (var (organization, change) in pending.Saving)
                {
                    var into = pending.Committing.TryGetValue(organization, out var c) ? c : pending.Committing[organization] = new Change();
                    into.Merge(change);
                }

                pending.CommittingUnknown |= pending.SavingUnknown;
            }
            else
            {
                Signal(pending.Saving, pending.SavingUnknown);
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
            Signal(pending.Committing, pending.CommittingUnknown);
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

    private void Signal(Dictionary<Guid, Change> organizations, bool unknown)
    {
        if (unknown)
        {
            Sync.EveryOrganizationChanged();
            return;
        }

        foreach (var (id, change) in organizations)
        {
            Sync.OrganizationChanged(id, change.Structural, change.Users, change.Credentials);
        }
    }

    private sealed class Change
    {
        public bool Structural { get; set; }

        public HashSet<Guid> Users { get; } = [];

        public HashSet<Guid> Credentials { get; } = [];

        public void Merge(Change other)
        {
            Structural |= other.Structural;
            Users.UnionWith(other.Users);
            Credentials.UnionWith(other.Credentials);
        }
    }

    private sealed class Pending
    {
        public Dictionary<Guid, Change> Saving { get; } = [];

        public bool SavingUnknown { get; set; }

        public Dictionary<Guid, Change> Committing { get; } = [];

        public bool CommittingUnknown { get; set; }
    }
}
