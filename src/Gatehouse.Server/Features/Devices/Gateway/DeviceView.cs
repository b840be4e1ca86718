using Gatehouse.Core.DeviceProtocol;

namespace Gatehouse.Server.Features.Devices.Gateway;

/// <summary>
/// Everything one device holds: its own settings, its doors, the access groups covering them (door lists cut
/// to its doors), their schedules, their users and those users' cards. The gateway keeps the last view it
/// published per device and sends the difference to the next one as a delta. Lists inside records are sorted,
/// so equal views compare equal.
/// </summary>
internal sealed class DeviceView
{
    public required SyncDevice Device { get; init; }

    public Dictionary<Guid, SyncDoor> Doors { get; } = [];

    public Dictionary<Guid, SyncSchedule> Schedules { get; } = [];

    public Dictionary<Guid, SyncAccessGroup> AccessGroups { get; } = [];

    public Dictionary<Guid, SyncUser> Users { get; } = [];

    public Dictionary<Guid, SyncCredential> Credentials { get; } = [];

    public int RecordCount => Doors.Count + Schedules.Count + AccessGroups.Count + Users.Count + Credentials.Count;

    /// <summary>What turns <paramref name="old"/> into this view; null when nothing differs.</summary>
    public SyncData? DiffFrom(DeviceView old)
    {
        var doors = Upserts(Doors, old.Doors, static (a, b) => a == b);
        var schedules = Upserts(Schedules, old.Schedules, SameSchedule);
        var groups = Upserts(AccessGroups, old.AccessGroups, SameGroup);
        var users = Upserts(Users, old.Users, SameUser);
        var credentials = Upserts(Credentials, old.Credentials, static (a, b) => a == b);
        var removed = new SyncRemovals(
            Removals(Doors, old.Doors),
            Removals(Schedules, old.Schedules),
            Removals(AccessGroups, old.AccessGroups),
            Removals(Users, old.Users),
            Removals(Credentials, old.Credentials));
        var device = Device == old.Device ? null : Device;
        var anyRemoved = removed.Doors is not null || removed.Schedules is not null || removed.AccessGroups is not null
            || removed.Users is not null || removed.Credentials is not null;
        if (device is null && doors is null && schedules is null && groups is null && users is null && credentials is null && !anyRemoved)
        {
            return null;
        }

        return new SyncData(device, doors, schedules, groups, users, credentials, anyRemoved ? removed : null);
    }

    /// <summary>
    /// How many records a face credential counts as in a part: its sealed template (about 2.8 KB of base64) is
    /// some twenty times a card's record, and a part must stay far below the broker's packet limit (4 MiB on the
    /// Mosquitto of docs/operations.md) once the templates are sealed into it.
    /// </summary>
    public const int FaceRecordWeight = 20;

    /// <summary>How many records <paramref name="data"/> counts as in a message, faces counting as <see cref="FaceRecordWeight"/>.</summary>
    public static int Weight(SyncData data)
    {
        var faces = data.Credentials?.Count(c => c.Face is not null) ?? 0;
        return (data.Doors?.Count ?? 0) + (data.Schedules?.Count ?? 0) + (data.AccessGroups?.Count ?? 0) + (data.Users?.Count ?? 0)
            + (data.Credentials?.Count ?? 0) - faces + faces * FaceRecordWeight;
    }

    /// <summary>
    /// The whole view in parts of at most <paramref name="partSize"/> records each, a face credential counting as
    /// <see cref="FaceRecordWeight"/> (the device settings ride in the first); always at least one part, so an
    /// empty view still reaches the device.
    /// </summary>
    public List<SyncData> ToSnapshotParts(int partSize)
    {
        var parts = new List<SyncData>();
        var doors = new List<SyncDoor>();
        var schedules = new List<SyncSchedule>();
        var groups = new List<SyncAccessGroup>();
        var users = new List<SyncUser>();
        var credentials = new List<SyncCredential>();
        var count = 0;

        void Flush()
        {
            parts.Add(new SyncData(
                parts.Count == 0 ? Device : null,
                [.. doors],
                [.. schedules],
                [.. groups],
                [.. users],
                [.. credentials]));
            doors.Clear();
            schedules.Clear();
            groups.Clear();
            users.Clear();
            credentials.Clear();
            count = 0;
        }

        void Add<T>(List<T> list, T item, int weight = 1)
        {
            list.Add(item);
            count += weight;
            if (count >= partSize)
            {
                Flush();
            }
        }

        // Settings first: a device may show progress on a large snapshot, and every part is useful only with all others anyway.
        foreach (var d in Doors.Values)
        {
            Add(doors, d);
        }

        foreach (var s in Schedules.Values)
        {
            Add(schedules, s);
        }

        foreach (var g in AccessGroups.Values)
        {
            Add(groups, g);
        }

        foreach (var u in Users.Values)
        {
            Add(users, u);
        }

        foreach (var c in Credentials.Values)
        {
            Add(credentials, c, c.Face is null ? 1 : FaceRecordWeight);
        }

        if (count > 0 || parts.Count == 0)
        {
            Flush();
        }

        return parts;
    }

    private static List<T>? Upserts<T>(Dictionary<Guid, T> current, Dictionary<Guid, T> old, Func<T, T, bool> same)
        where T : class
    {
        List<T>? changed = null;
        foreach (var (id, record) in current)
        {
            // Records are shared between loads where nothing changed, so most comparisons stop at the reference.
            if (!old.TryGetValue(id, out var previous) || (!ReferenceEquals(previous, record) && !same(record, previous)))
            {
                (changed ??= []).Add(record);
            }
        }

        return changed;
    }

    private static List<Guid>? Removals<T>(Dictionary<Guid, T> current, Dictionary<Guid, T> old)
    {
        List<Guid>? removed = null;
        foreach (var id in old.Keys)
        {
            if (!current.ContainsKey(id))
            {
                (removed ??= []).Add(id);
            }
        }

        return removed;
    }

    // Records compare their lists by reference; these compare them by content.
    internal static bool SameSchedule(SyncSchedule a, SyncSchedule b) =>
        a.Id == b.Id && a.Windows.SequenceEqual(b.Windows) && a.Holidays.SequenceEqual(b.Holidays);

    internal static bool SameGroup(SyncAccessGroup a, SyncAccessGroup b) =>
        a.Id == b.Id && a.ScheduleId == b.ScheduleId && a.DoorIds.SequenceEqual(b.DoorIds);

    internal static bool SameUser(SyncUser a, SyncUser b) =>
        a.Id == b.Id && a.Suspended == b.Suspended && a.ValidFrom == b.ValidFrom && a.ValidUntil == b.ValidUntil
        && a.AccessGroupIds.SequenceEqual(b.AccessGroupIds);
}
