using Gatehouse.Server.Features.AccessGroups;
using Gatehouse.Server.Features.Credentials;
using Gatehouse.Server.Features.Doors;
using Gatehouse.Server.Features.Schedules;
using Gatehouse.Server.Features.Sites;
using Gatehouse.Server.Features.Users;
using Gatehouse.Server.Infrastructure;
using Microsoft.EntityFrameworkCore.ChangeTracking;

namespace Gatehouse.Server.Features.Decisions;

/// <summary>
/// Marks an organization's access snapshot stale once a save that changed its users, credentials,
/// access groups, schedules, doors or sites has gone through. Inside an explicit transaction the mark
/// is set again at commit, so a rebuild that read the store before the commit is not kept as current.
/// </summary>
internal sealed class AccessSnapshotInvalidator(AccessSnapshotCache cache) : CommittedChangeInterceptor<AccessSnapshotInvalidator.Stale>
{
    // A stale mark costs at most a rebuild, so it is set at the save as well; the mark at the commit is the one
    // that keeps a rebuild which read the store in between from counting as current.
    protected override bool AlsoActBeforeCommit => true;

    protected override bool Tracks(object entity) =>
        entity is Credential or User or UserAccessGroup or AccessGroup or AccessGroupDoor or Schedule or Door or Site;

    // Only which organizations changed matters, not what in them.
    protected override void Note(EntityEntry entry, Stale change)
    {
    }

    protected override void Merge(Stale into, Stale from)
    {
    }

    protected override void Act(IReadOnlyDictionary<Guid, Stale> organizations, bool unknown)
    {
        foreach (var id in organizations.Keys)
        {
            cache.Invalidate(id);
        }

        if (unknown)
        {
            cache.InvalidateAll();
        }
    }

    // Carries nothing: the organization's ID is the whole change.
    internal sealed class Stale;
}
