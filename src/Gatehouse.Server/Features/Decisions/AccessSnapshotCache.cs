using System.Collections.Concurrent;
using Gatehouse.Core.Decisions;
using Gatehouse.Server.Infrastructure;

namespace Gatehouse.Server.Features.Decisions;

/// <summary>
/// Per organization, the compiled <see cref="AccessSnapshot"/> that decisions are answered from without
/// touching the store. A saved change to anything a decision depends on bumps the organization's version
/// (it hears of every save as an <see cref="OrganizationChanged"/>); the next decision then rebuilds the
/// snapshot, once however many requests ask for it at the same time.
/// </summary>
internal sealed partial class AccessSnapshotCache(IServiceScopeFactory scopes, TimeProvider clock, ILogger<AccessSnapshotCache> logger)
    : IOrganizationChangeListener
{
    private readonly ConcurrentDictionary<Guid, Slot> _slots = new();

    // Bumped when a change cannot be traced to one organization: every snapshot is then stale.
    private long _epoch;

    /// <summary>The organization's current snapshot; built from the store when missing or stale.</summary>
    public ValueTask<AccessSnapshot> GetAsync(Guid organizationId, CancellationToken ct)
    {
        var slot = _slots.GetOrAdd(organizationId, static _ => new Slot());

        // Both counters only grow, so their sum changes whenever either does. Read before the store is,
        // so data saved after this point carries a higher version and is never mistaken for current.
        var version = Volatile.Read(ref slot.Version) + Volatile.Read(ref _epoch);
        var build = Volatile.Read(ref slot.Build);
        if (build is not null && build.Version >= version && build.Snapshot.IsCompletedSuccessfully)
        {
            return ValueTask.FromResult(build.Snapshot.Result);
        }

        return new ValueTask<AccessSnapshot>(JoinOrStartBuild(organizationId, slot, version).WaitAsync(ct));
    }

    /// <summary>
    /// Marks the organization's snapshot stale at the save and again at the commit when the save ran inside a
    /// transaction: a stale mark costs at most a rebuild, and the mark at the commit is the one that keeps a rebuild
    /// which read the store before the commit from counting as current.
    /// </summary>
    public void OnChanged(OrganizationChanged change)
    {
        if ((change.Kinds & ChangeKinds.Access) == ChangeKinds.None)
        {
            return;
        }

        if (change.OrganizationId is { } organizationId)
        {
            Invalidate(organizationId);
        }
        else
        {
            InvalidateAll();
        }
    }

    /// <summary>Marks the organization's snapshot stale (for changes made without SaveChanges, such as ExecuteUpdate).</summary>
    public void Invalidate(Guid organizationId) =>
        Interlocked.Increment(ref _slots.GetOrAdd(organizationId, static _ => new Slot()).Version);

    /// <summary>Marks every organization's snapshot stale.</summary>
    public void InvalidateAll() => Interlocked.Increment(ref _epoch);

    private Task<AccessSnapshot> JoinOrStartBuild(Guid organizationId, Slot slot, long version)
    {
        lock (slot)
        {
            var build = slot.Build;
            if (build is null || build.Version < version || build.Snapshot.IsFaulted || build.Snapshot.IsCanceled)
            {
                // Not tied to any one caller's cancellation: every waiting request shares the build.
                build = new Build(version, Task.Run(() => BuildAsync(organizationId)));
                Volatile.Write(ref slot.Build, build);
            }

            return build.Snapshot;
        }
    }

    private async Task<AccessSnapshot> BuildAsync(Guid organizationId)
    {
        try
        {
            await using var scope = scopes.CreateAsyncScope();
            scope.ServiceProvider.GetRequiredService<CurrentOrganization>().Set(organizationId);
            var source = await scope.ServiceProvider.GetRequiredService<SnapshotSourceLoader>().LoadAsync(CancellationToken.None);
            var snapshot = AccessSnapshot.Build(source, clock);
            LogBuilt(logger, organizationId, snapshot.DoorCount, snapshot.CredentialCount);
            return snapshot;
        }
        catch (Exception ex)
        {
            LogBuildFailed(logger, ex, organizationId);
            throw;
        }
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "Built the access snapshot of organization {OrganizationId}: {Doors} doors, {Credentials} credentials")]
    private static partial void LogBuilt(ILogger logger, Guid organizationId, int doors, int credentials);

    [LoggerMessage(Level = LogLevel.Error, Message = "Could not build the access snapshot of organization {OrganizationId}")]
    private static partial void LogBuildFailed(ILogger logger, Exception exception, Guid organizationId);

    private sealed class Slot
    {
        public long Version;
        public Build? Build;
    }

    private sealed record Build(long Version, Task<AccessSnapshot> Snapshot);
}
