using Gatehouse.Core.Decisions;
using Gatehouse.Core.DeviceProtocol;

namespace Gatehouse.Device.Sync;

/// <summary>
/// Everything the device holds from sync, in memory: the same records as its SQLite store, kept beside it
/// so that a delta changes a few rows on disk and a few entries here instead of reloading the whole store.
/// Doors keep their order (the reader belongs to the first door). Not thread-safe: the sync applier is its
/// only writer and hands readers an <see cref="AccessSnapshot"/> built from it.
/// </summary>
internal sealed class StoreContents
{
    private readonly List<SyncDoor> _doors = [];

    public long Version { get; set; }

    public SyncDevice? Device { get; set; }

    public IReadOnlyList<SyncDoor> Doors => _doors;

    public Dictionary<Guid, SyncSchedule> Schedules { get; } = [];

    public Dictionary<Guid, SyncAccessGroup> AccessGroups { get; } = [];

    public Dictionary<Guid, SyncUser> Users { get; } = [];

    public Dictionary<Guid, SyncCredential> Credentials { get; } = [];

    /// <summary>The contents of a whole snapshot: every part's records together.</summary>
    public static StoreContents FromSnapshot(long version, IEnumerable<SyncData> parts)
    {
        var contents = new StoreContents { Version = version };
        foreach (var part in parts)
        {
            contents.Apply(part);
        }

        return contents;
    }

    /// <summary>Adds or replaces records by ID, then drops the removed ones, as a delta (or a snapshot part) says.</summary>
    public void Apply(SyncData data)
    {
        if (data.Device is not null)
        {
            Device = data.Device;
        }

        foreach (var door in data.Doors ?? [])
        {
            UpsertDoor(door);
        }

        Upsert(Schedules, data.Schedules, s => s.Id);
        Upsert(AccessGroups, data.AccessGroups, g => g.Id);
        Upsert(Users, data.Users, u => u.Id);
        Upsert(Credentials, data.Credentials, c => c.Id);

        if (data.Removed is { } removed)
        {
            foreach (var id in removed.Doors ?? [])
            {
                _doors.RemoveAll(d => d.Id == id);
            }

            Remove(Schedules, removed.Schedules);
            Remove(AccessGroups, removed.AccessGroups);
            Remove(Users, removed.Users);
            Remove(Credentials, removed.Credentials);
        }
    }

    /// <summary>The decision engine's view of the contents; <paramref name="problems"/> names what it left out.</summary>
    public SnapshotSource ToSnapshotSource(ICollection<string>? problems) =>
        SyncSnapshotSource.Build(_doors, Schedules.Values, AccessGroups.Values, Users.Values, Credentials.Values, problems);

    private void UpsertDoor(SyncDoor door)
    {
        var index = _doors.FindIndex(d => d.Id == door.Id);
        if (index >= 0)
        {
            _doors[index] = door;
        }
        else
        {
            _doors.Add(door);
        }
    }

    private static void Upsert<T>(Dictionary<Guid, T> records, IReadOnlyList<T>? changed, Func<T, Guid> id)
    {
        foreach (var record in changed ?? [])
        {
            records[id(record)] = record;
        }
    }

    private static void Remove<T>(Dictionary<Guid, T> records, IReadOnlyList<Guid>? ids)
    {
        foreach (var id in ids ?? [])
        {
            records.Remove(id);
        }
    }
}
