using Gatehouse.Server.Features.AccessGroups;
using Gatehouse.Server.Features.Credentials;
using Gatehouse.Server.Features.Doors;
using Gatehouse.Server.Features.Schedules;
using Gatehouse.Server.Features.Sites;
using Gatehouse.Server.Features.Users;
using Gatehouse.Server.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.ChangeTracking;

namespace Gatehouse.Server.Features.Devices.Gateway;

/// <summary>
/// Tells <see cref="DeviceSync"/> which organizations changed something a device holds (users, cards, groups,
/// schedules, doors, sites, devices and their doors) once the save, or its transaction, has gone through;
/// a rolled-back transaction tells nothing.
/// </summary>
internal sealed class DeviceSyncTrigger(IServiceProvider services) : CommittedChangeInterceptor<DeviceSyncTrigger.Change>
{
    // Resolved on first use: the sync depends on the store this interceptor is part of.
    private DeviceSync Sync => field ??= services.GetRequiredService<DeviceSync>();

    protected override bool Tracks(object entity) =>
        entity is Credential or User or UserAccessGroup or AccessGroup or AccessGroupDoor or Schedule or Door or Site or Device or DeviceDoor;

    protected override Guid? OrganizationOf(EntityEntry entry) => entry.Entity switch
    {
        // A device's door row carries no organization; its device, when loaded with it, does.
        DeviceDoor door => entry.Context.ChangeTracker.Entries<Device>().FirstOrDefault(d => d.Entity.Id == door.DeviceId)?.Entity.OrganizationId,
        _ => base.OrganizationOf(entry),
    };

    protected override void Note(EntityEntry entry, Change change)
    {
        // A card's or a user's own fields (status, validity) patch what devices hold; anything else, or a user
        // removed (whose memberships the database drops), changes who holds what, and is read whole.
        switch (entry.Entity)
        {
            case Credential credential:
                change.Credentials.Add(credential.Id);
                break;
            case User user when entry.State != EntityState.Deleted:
                change.Users.Add(user.Id);
                break;
            default:
                change.Structural = true;
                break;
        }
    }

    protected override void Merge(Change into, Change from)
    {
        into.Structural |= from.Structural;
        into.Users.UnionWith(from.Users);
        into.Credentials.UnionWith(from.Credentials);
    }

    protected override void Act(IReadOnlyDictionary<Guid, Change> organizations, bool unknown)
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

    internal sealed class Change
    {
        public bool Structural { get; set; }

        public HashSet<Guid> Users { get; } = [];

        public HashSet<Guid> Credentials { get; } = [];
    }
}
