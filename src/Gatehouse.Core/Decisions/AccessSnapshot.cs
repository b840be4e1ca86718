using Gatehouse.Core.Schedules;

namespace Gatehouse.Core.Decisions;

/// <summary>
/// The access rules of one organization (or of the part a door device needs), compiled once from a
/// <see cref="SnapshotSource"/> into arrays and hash tables so that a decision is a hash lookup and a
/// few comparisons, without allocating. Immutable, so any number of threads may decide at once; when
/// the data changes, build a new snapshot and swap the reference.
/// </summary>
/// <remarks>See <c>Decisions/README.md</c> for the order of checks and the meaning of each reason.</remarks>
public sealed class AccessSnapshot
{
    private readonly CredentialTable _keyed;
    private readonly CredentialRecord[] _keyless;

    // Credential id → slot in _keyed, or _keyed.Slots.Length + index in _keyless.
    private readonly Key128Map _credentialsById;
    private readonly UserRecord[] _users;

    // The distinct, sorted group lists of users, back to back; a user points at one run.
    private readonly int[] _userGroups;
    private readonly Guid[] _groupIds;
    private readonly int[] _groupSchedule;

    // Bit d of group g's row: the group opens door d. Rows are _doorWords ulongs long.
    private readonly ulong[] _groupDoors;
    private readonly int _doorWords;
    private readonly Key128Map _doors;
    private readonly int[] _doorZone;
    private readonly ZoneOffsetTable[] _zones;
    private readonly ScheduleTable _schedules;

    private AccessSnapshot(
        CredentialTable keyed,
        CredentialRecord[] keyless,
        Key128Map credentialsById,
        UserRecord[] users,
        int[] userGroups,
        Guid[] groupIds,
        int[] groupSchedule,
        ulong[] groupDoors,
        int doorWords,
        Key128Map doors,
        int[] doorZone,
        ZoneOffsetTable[] zones,
        ScheduleTable schedules)
    {
        _keyed = keyed;
        _keyless = keyless;
        _credentialsById = credentialsById;
        _users = users;
        _userGroups = userGroups;
        _groupIds = groupIds;
        _groupSchedule = groupSchedule;
        _groupDoors = groupDoors;
        _doorWords = doorWords;
        _doors = doors;
        _doorZone = doorZone;
        _zones = zones;
        _schedules = schedules;
    }

    /// <summary>The number of credentials, with a key or without.</summary>
    public int CredentialCount => _credentialsById.Count;

    /// <summary>The number of doors.</summary>
    public int DoorCount => _doorZone.Length;

    /// <summary>
    /// Compiles <paramref name="source"/>. A group's door that is not among the doors, and a user's group
    /// that is not among the groups, are ignored (a device's snapshot may hold only its own doors); every
    /// other inconsistency is a bug of the caller and throws.
    /// </summary>
    /// <param name="source">The organization's doors, schedules, groups, users and credentials.</param>
    /// <param name="timeProvider">
    /// The clock that centres the precomputed time zone tables (from two years before now to ten years
    /// after); other instants are converted through <see cref="TimeZoneInfo"/>, with the same result.
    /// Defaults to <see cref="TimeProvider.System"/>.
    /// </param>
    /// <exception cref="ArgumentException">
    /// A door's time zone is not an IANA zone known here; an ID is listed twice; two credentials have the
    /// same key; a group names an unknown schedule or a credential an unknown user; a window does not end
    /// after it starts.
    /// </exception>
    public static AccessSnapshot Build(SnapshotSource source, TimeProvider? timeProvider = null)
    {
        ArgumentNullException.ThrowIfNull(source);
        var now = (timeProvider ?? TimeProvider.System).GetUtcNow().UtcDateTime;
        var tableFrom = new DateTime(Math.Max(now.Year - 2, 1), 1, 1, 0, 0, 0, DateTimeKind.Utc);
        var tableUntil = new DateTime(Math.Min(now.Year + 10, 9998), 1, 1, 0, 0, 0, DateTimeKind.Utc);

        var (doors, doorZone, zones) = BuildDoors(source.Doors, tableFrom, tableUntil);
        var (schedules, scheduleIndex) = BuildSchedules(source.Schedules);
        var groups = BuildGroups(source.AccessGroups, scheduleIndex, doors);
        var (users, userIndex, userGroups) = BuildUsers(source.Users, groups.Index);
        var (keyed, keyless, credentialsById) = BuildCredentials(source.Credentials, userIndex);
        return new AccessSnapshot(
            keyed, keyless, credentialsById, users, userGroups, groups.Ids, groups.Schedule, groups.Doors, groups.DoorWords,
            doors, doorZone, zones, schedules);
    }

    /// <summary>True when the snapshot has the door, i.e. decisions at it can grant.</summary>
    public bool ContainsDoor(Guid doorId) => _doors.Find(doorId) >= 0;

    /// <summary>
    /// Decides on a credential presented at a reader (a card): found by its key, then checked in the
    /// order of <c>Decisions/README.md</c>. A door that is not in the snapshot answers
    /// <see cref="AccessReason.NoAccessToDoor"/>; use <see cref="ContainsDoor"/> to tell it apart.
    /// </summary>
    /// <param name="key">The presented credential's key.</param>
    /// <param name="doorId">The door being opened; its site's time zone reads the schedules.</param>
    /// <param name="at">The instant of the presentation.</param>
    public AccessDecision Decide(in CredentialKey key, Guid doorId, DateTimeOffset at)
    {
        var slot = _keyed.Find(in key);
        return slot < 0
            ? new AccessDecision(AccessReason.UnknownCredential)
            : Evaluate(in _keyed.Slots[slot], doorId, at.UtcTicks);
    }

    /// <summary>
    /// Decides on a credential named by its ID, for credentials that are not presented by a key (a Cloud
    /// Key, say); works for every credential. Same checks and answers as <see cref="Decide"/>.
    /// </summary>
    /// <param name="credentialId">The credential's ID; unknown → <see cref="AccessReason.UnknownCredential"/>.</param>
    /// <param name="doorId">The door being opened.</param>
    /// <param name="at">The instant of the request.</param>
    public AccessDecision DecideCredential(Guid credentialId, Guid doorId, DateTimeOffset at)
    {
        var location = _credentialsById.Find(credentialId);
        if (location < 0)
        {
            return new AccessDecision(AccessReason.UnknownCredential);
        }

        var slots = _keyed.Slots;
        return location < slots.Length
            ? Evaluate(in slots[location], doorId, at.UtcTicks)
            : Evaluate(in _keyless[location - slots.Length], doorId, at.UtcTicks);
    }

    /// <summary>
    /// The first instant in <c>[from, from + horizon)</c> at which <see cref="DecideCredential"/> would
    /// grant the credential at the door, or null when there is none (suspended, expired before, no group
    /// covering the door, or no window opening within the horizon). <paramref name="from"/> itself is
    /// answered when it grants. For telling a person when a door opens for them; not on the hot path.
    /// </summary>
    /// <param name="credentialId">The credential's ID.</param>
    /// <param name="doorId">The door.</param>
    /// <param name="from">Where the search starts (usually now).</param>
    /// <param name="horizon">How far ahead to look; at most a year.</param>
    public DateTimeOffset? NextGrant(Guid credentialId, Guid doorId, DateTimeOffset from, TimeSpan horizon)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(horizon.Ticks, nameof(horizon));
        ArgumentOutOfRangeException.ThrowIfGreaterThan(horizon, TimeSpan.FromDays(366), nameof(horizon));
        var location = _credentialsById.Find(credentialId);
        var door = _doors.Find(doorId);
        if (location < 0 || door < 0)
        {
            return null;
        }

        var slots = _keyed.Slots;
        var credential = location < slots.Length ? slots[location] : _keyless[location - slots.Length];
        var user = _users[credential.UserIndex];
        if (credential.State == CredentialRecord.Suspended || user.Suspended)
        {
            return null;
        }

        // Between these bounds only the schedules can say no, so access can begin only at the start or
        // where a window opens.
        var start = Math.Max(from.UtcTicks, Math.Max(credential.ValidFromUtc, user.ValidFromUtc));
        var end = Math.Min(from.UtcTicks + horizon.Ticks, Math.Min(credential.ValidUntilUtc, user.ValidUntilUtc));
        if (start >= end)
        {
            return null;
        }

        if (Grants(in credential, doorId, start))
        {
            return new DateTimeOffset(start, TimeSpan.Zero);
        }

        var zone = _zones[_doorZone[door]];
        var firstDay = zone.ToLocalTicks(start) / TimeSpan.TicksPerDay;
        var lastDay = zone.ToLocalTicks(end) / TimeSpan.TicksPerDay;
        var best = long.MaxValue;
        var word = door >> 6;
        var bit = 1UL << (door & 63);
        for (var i = user.GroupStart; i < user.GroupStart + user.GroupCount; i++)
        {
            var g = _userGroups[i];
            if ((_groupDoors[(g * _doorWords) + word] & bit) == 0)
            {
                continue;
            }

            for (var day = firstDay; day <= lastDay; day++)
            {
                // Day 0 (0001-01-01) was a Monday; DayOfWeek counts from Sunday.
                var opened = false;
                foreach (var rangeStart in _schedules.RangeStarts(_groupSchedule[g], (DayOfWeek)((day + 1) % 7)))
                {
                    var utc = ToUtcTicks(zone, (day * TimeSpan.TicksPerDay) + rangeStart);
                    if (utc <= start || utc >= end || utc >= best)
                    {
                        continue;
                    }

                    if (Grants(in credential, doorId, utc))
                    {
                        best = utc;
                        opened = true;
                        break;
                    }
                }

                if (opened)
                {
                    break;
                }
            }
        }

        return best == long.MaxValue ? null : new DateTimeOffset(best, TimeSpan.Zero);
    }

    private bool Grants(in CredentialRecord credential, Guid doorId, long utc) =>
        Evaluate(in credential, doorId, utc).Reason == AccessReason.Granted;

    // Local wall-clock ticks to UTC: the offset of the instant, found from the offset near it. In the
    // hour skipped in spring this lands just after the jump, where the engine reads the window too.
    private static long ToUtcTicks(ZoneOffsetTable zone, long local)
    {
        var guess = local - zone.OffsetTicks(local);
        return local - zone.OffsetTicks(guess);
    }

    private AccessDecision Evaluate(in CredentialRecord credential, Guid doorId, long utc)
    {
        ref readonly var user = ref _users[credential.UserIndex];
        AccessReason reason;
        if (credential.State == CredentialRecord.Suspended)
        {
            reason = AccessReason.CredentialSuspended;
        }
        else if (utc < credential.ValidFromUtc)
        {
            reason = AccessReason.CredentialNotYetValid;
        }
        else if (utc >= credential.ValidUntilUtc)
        {
            reason = AccessReason.CredentialExpired;
        }
        else if (user.Suspended)
        {
            reason = AccessReason.UserSuspended;
        }
        else if (utc < user.ValidFromUtc)
        {
            reason = AccessReason.UserNotYetValid;
        }
        else if (utc >= user.ValidUntilUtc)
        {
            reason = AccessReason.UserExpired;
        }
        else
        {
            return EvaluateGroups(in user, credential.Id, doorId, utc);
        }

        return new AccessDecision(reason, user.Id, credential.Id);
    }

    private AccessDecision EvaluateGroups(in UserRecord user, Guid credentialId, Guid doorId, long utc)
    {
        var door = _doors.Find(doorId);
        if (door < 0)
        {
            return new AccessDecision(AccessReason.NoAccessToDoor, user.Id, credentialId);
        }

        var word = door >> 6;
        var bit = 1UL << (door & 63);
        var firstCovering = -1;
        var firstOutside = -1;
        var local = 0L;
        var end = user.GroupStart + user.GroupCount;
        for (var i = user.GroupStart; i < end; i++)
        {
            var g = _userGroups[i];
            if ((_groupDoors[(g * _doorWords) + word] & bit) == 0)
            {
                continue;
            }

            if (firstCovering < 0)
            {
                firstCovering = g;
                local = _zones[_doorZone[door]].ToLocalTicks(utc);
            }

            var state = _schedules.Evaluate(_groupSchedule[g], local);
            if (state == ScheduleState.Open)
            {
                return new AccessDecision(AccessReason.Granted, user.Id, credentialId, _groupIds[g]);
            }

            if (state == ScheduleState.Closed && firstOutside < 0)
            {
                firstOutside = g;
            }
        }

        if (firstCovering < 0)
        {
            return new AccessDecision(AccessReason.NoAccessToDoor, user.Id, credentialId);
        }

        return firstOutside >= 0
            ? new AccessDecision(AccessReason.OutsideSchedule, user.Id, credentialId, _groupIds[firstOutside])
            : new AccessDecision(AccessReason.Holiday, user.Id, credentialId, _groupIds[firstCovering]);
    }

    private static (Key128Map Doors, int[] DoorZone, ZoneOffsetTable[] Zones) BuildDoors(
        IReadOnlyList<DoorEntry> source, DateTime tableFrom, DateTime tableUntil)
    {
        var doors = new Key128Map(source.Count);
        var doorZone = new int[source.Count];
        var zoneIndex = new Dictionary<string, int>(StringComparer.Ordinal);
        var zones = new List<ZoneOffsetTable>();
        for (var d = 0; d < source.Count; d++)
        {
            var door = source[d];
            if (!zoneIndex.TryGetValue(door.TimeZoneId, out var z))
            {
                if (!TimeZones.TryFind(door.TimeZoneId, out var zone))
                {
                    throw new ArgumentException(
                        $"Door {door.Id} is in time zone \"{door.TimeZoneId}\", which is not an IANA time zone known here.",
                        nameof(source));
                }

                z = zones.Count;
                zones.Add(ZoneOffsetTable.Create(zone, tableFrom, tableUntil));
                zoneIndex.Add(door.TimeZoneId, z);
            }

            doorZone[d] = z;
            if (!doors.TryAdd(door.Id, d))
            {
                throw Duplicate("door", door.Id);
            }
        }

        return (doors, doorZone, [.. zones]);
    }

    private static (ScheduleTable Table, Dictionary<Guid, int> Index) BuildSchedules(IReadOnlyList<ScheduleEntry> source)
    {
        var index = new Dictionary<Guid, int>(source.Count);
        var compiled = new List<(IReadOnlyList<WeeklyWindow>, IReadOnlyList<DateOnly>)>(source.Count);
        for (var s = 0; s < source.Count; s++)
        {
            var schedule = source[s];
            if (!index.TryAdd(schedule.Id, s))
            {
                throw Duplicate("schedule", schedule.Id);
            }

            compiled.Add((schedule.Windows, schedule.Holidays));
        }

        return (ScheduleTable.Compile(compiled), index);
    }

    private static GroupTables BuildGroups(
        IReadOnlyList<AccessGroupEntry> source, Dictionary<Guid, int> scheduleIndex, Key128Map doors)
    {
        var doorWords = (doors.Count + 63) >> 6;
        var tables = new GroupTables(
            new Dictionary<Guid, int>(source.Count), new Guid[source.Count], new int[source.Count],
            new ulong[checked(source.Count * doorWords)], doorWords);
        for (var g = 0; g < source.Count; g++)
        {
            var group = source[g];
            if (!tables.Index.TryAdd(group.Id, g))
            {
                throw Duplicate("access group", group.Id);
            }

            if (!scheduleIndex.TryGetValue(group.ScheduleId, out tables.Schedule[g]))
            {
                throw new ArgumentException(
                    $"Access group {group.Id} names schedule {group.ScheduleId}, which is not in the source.", nameof(source));
            }

            tables.Ids[g] = group.Id;
            var doorIds = group.DoorIds;
            for (var k = 0; k < doorIds.Count; k++)
            {
                var d = doors.Find(doorIds[k]);
                if (d >= 0)
                {
                    tables.Doors[(g * doorWords) + (d >> 6)] |= 1UL << (d & 63);
                }
            }
        }

        return tables;
    }

    private static (CredentialTable Keyed, CredentialRecord[] Keyless, Key128Map ById) BuildCredentials(
        IReadOnlyList<CredentialEntry> source, Key128Map userIndex)
    {
        var keyedCount = 0;
        for (var c = 0; c < source.Count; c++)
        {
            keyedCount += source[c].Key.HasValue ? 1 : 0;
        }

        var keyed = new CredentialTable(keyedCount);
        var keyless = new CredentialRecord[source.Count - keyedCount];
        var keylessCount = 0;
        var byId = new Key128Map(source.Count);
        for (var c = 0; c < source.Count; c++)
        {
            var credential = source[c];
            var user = userIndex.Find(credential.UserId);
            if (user < 0)
            {
                throw new ArgumentException(
                    $"Credential {credential.Id} belongs to user {credential.UserId}, who is not in the source.", nameof(source));
            }

            var record = new CredentialRecord
            {
                Id = credential.Id,
                UserIndex = user,
                State = credential.Suspended ? CredentialRecord.Suspended : CredentialRecord.Active,
                ValidFromUtc = credential.ValidFrom?.UtcTicks ?? long.MinValue,
                ValidUntilUtc = credential.ValidUntil?.UtcTicks ?? long.MaxValue,
            };

            int location;
            if (credential.Key is { } key)
            {
                record.KeyHigh = key.High;
                record.KeyLow = key.Low;
                location = keyed.TryAdd(in record);
                if (location < 0)
                {
                    throw new ArgumentException(
                        $"Credentials {keyed.Slots[~location].Id} and {credential.Id} are presented the same way.", nameof(source));
                }
            }
            else
            {
                keyless[keylessCount] = record;
                location = keyed.Slots.Length + keylessCount++;
            }

            if (!byId.TryAdd(credential.Id, location))
            {
                throw Duplicate("credential", credential.Id);
            }
        }

        return (keyed, keyless, byId);
    }

    private static (UserRecord[] Users, Key128Map Index, int[] Groups) BuildUsers(
        IReadOnlyList<UserEntry> source, Dictionary<Guid, int> groupIndex)
    {
        var users = new UserRecord[source.Count];
        var index = new Key128Map(source.Count);
        var runs = new List<int>();
        var runOfSingle = new int[groupIndex.Count];
        Array.Fill(runOfSingle, -1);
        var runOfList = new Dictionary<int[], int>(IntSequenceComparer.Instance);
        var runOfSpan = runOfList.GetAlternateLookup<ReadOnlySpan<int>>();
        var groups = new List<int>();
        for (var u = 0; u < source.Count; u++)
        {
            var user = source[u];
            if (!index.TryAdd(user.Id, u))
            {
                throw Duplicate("user", user.Id);
            }

            groups.Clear();
            var groupIds = user.AccessGroupIds;
            for (var k = 0; k < groupIds.Count; k++)
            {
                if (groupIndex.TryGetValue(groupIds[k], out var g) && !groups.Contains(g))
                {
                    groups.Add(g);
                }
            }

            int start;
            if (groups.Count == 0)
            {
                start = 0;
            }
            else if (groups.Count == 1)
            {
                start = runOfSingle[groups[0]];
                if (start < 0)
                {
                    start = runOfSingle[groups[0]] = runs.Count;
                    runs.Add(groups[0]);
                }
            }
            else
            {
                groups.Sort();
                var list = System.Runtime.InteropServices.CollectionsMarshal.AsSpan(groups);
                if (!runOfSpan.TryGetValue(list, out start))
                {
                    start = runs.Count;
                    runs.AddRange(list);
                    runOfList.Add(list.ToArray(), start);
                }
            }

            users[u] = new UserRecord
            {
                Id = user.Id,
                Suspended = user.Suspended,
                ValidFromUtc = user.ValidFrom?.UtcTicks ?? long.MinValue,
                ValidUntilUtc = user.ValidUntil?.UtcTicks ?? long.MaxValue,
                GroupStart = start,
                GroupCount = groups.Count,
            };
        }

        return (users, index, [.. runs]);
    }

    private static ArgumentException Duplicate(string what, Guid id) =>
        new($"The {what} {id} is listed twice in the snapshot source.");

    private readonly record struct GroupTables(
        Dictionary<Guid, int> Index, Guid[] Ids, int[] Schedule, ulong[] Doors, int DoorWords);

    private struct UserRecord
    {
        public Guid Id;
        public long ValidFromUtc;
        public long ValidUntilUtc;
        public int GroupStart;
        public int GroupCount;
        public bool Suspended;
    }

    private sealed class IntSequenceComparer : IEqualityComparer<int[]>, IAlternateEqualityComparer<ReadOnlySpan<int>, int[]>
    {
        public static readonly IntSequenceComparer Instance = new();

        public bool Equals(int[]? x, int[]? y) => x.AsSpan().SequenceEqual(y);

        public int GetHashCode(int[] obj) => GetHashCode((ReadOnlySpan<int>)obj);

        public bool Equals(ReadOnlySpan<int> alternate, int[] other) => alternate.SequenceEqual(other);

        public int GetHashCode(ReadOnlySpan<int> alternate)
        {
            var hash = default(HashCode);
            hash.AddBytes(System.Runtime.InteropServices.MemoryMarshal.AsBytes(alternate));
            return hash.ToHashCode();
        }

        public int[] Create(ReadOnlySpan<int> alternate) => alternate.ToArray();
    }
}
