using Gatehouse.Core;
using Gatehouse.Core.Decisions;
using Gatehouse.Core.Schedules;

namespace Gatehouse.Benchmarks;

/// <summary>
/// A synthetic organization shaped like a large real one: a few dozen doors on two sites in different
/// zones, a handful of schedules with holidays, 32 access groups, and N users with one card each
/// (a quarter of them in two groups). Deterministic: the same N gives the same data.
/// </summary>
internal sealed class BenchmarkData
{
    public const int DoorCount = 64;
    public const int GroupCount = 32;
    public const ulong CardFormatTag = 1;

    /// <summary>Monday 9 March 2026, 15:00 UTC: 11:00 in New York, 16:00 in Berlin; every schedule is open.</summary>
    public static readonly DateTimeOffset At = new(2026, 3, 9, 15, 0, 0, TimeSpan.Zero);

    /// <summary>The build clock: a fixed instant, so that runs are comparable.</summary>
    public static readonly TimeProvider Clock = new FixedClock(At);

    private BenchmarkData(SnapshotSource source, CredentialKey[] keys, Guid[] credentialIds, Guid[] doorOfUser)
    {
        Source = source;
        Keys = keys;
        CredentialIds = credentialIds;
        DoorOfUser = doorOfUser;
    }

    public SnapshotSource Source { get; }

    /// <summary>The card of user i.</summary>
    public CredentialKey[] Keys { get; }

    /// <summary>The credential ID of user i.</summary>
    public Guid[] CredentialIds { get; }

    /// <summary>A door that user i's first group opens.</summary>
    public Guid[] DoorOfUser { get; }

    /// <summary>A distinct synthetic card key: a format tag in the high half, facility and number in the low (not <c>CardIdentity</c>'s packing).</summary>
    public static CredentialKey Card(int i) => new(CardFormatTag, ((ulong)(i >> 16) << 32) | (uint)(i & 0xFFFF));

    public static BenchmarkData Create(int users)
    {
        var random = new Random(20260309);
        Guid NewId()
        {
            Span<byte> bytes = stackalloc byte[16];
            random.NextBytes(bytes);
            return new Guid(bytes);
        }

        var doors = new DoorEntry[DoorCount];
        for (var d = 0; d < DoorCount; d++)
        {
            doors[d] = new DoorEntry(NewId(), d % 2 == 0 ? "America/New_York" : "Europe/Berlin");
        }

        DateOnly[] holidays =
        [
            new(2026, 1, 1), new(2026, 4, 3), new(2026, 5, 25), new(2026, 7, 3), new(2026, 9, 7),
            new(2026, 11, 26), new(2026, 12, 24), new(2026, 12, 25), new(2026, 12, 31), new(2027, 1, 1),
        ];
        var schedules = new[]
        {
            new ScheduleEntry(NewId(), Week("00:00", "24:00"), holidays),
            new ScheduleEntry(NewId(), Week("06:00", "12:00").Concat(Week("12:30", "22:00")).ToArray(), holidays),
            new ScheduleEntry(NewId(), Week("07:00", "19:00"), holidays[..4]),
            new ScheduleEntry(NewId(), Week("05:00", "23:00"), []),
        };

        var groups = new AccessGroupEntry[GroupCount];
        for (var g = 0; g < GroupCount; g++)
        {
            Guid[] covered = [doors[2 * g].Id, doors[(2 * g) + 1].Id, doors[((2 * g) + 17) % DoorCount].Id];
            groups[g] = new AccessGroupEntry(NewId(), schedules[g % schedules.Length].Id, covered);
        }

        var userEntries = new UserEntry[users];
        var credentials = new CredentialEntry[users];
        var keys = new CredentialKey[users];
        var credentialIds = new Guid[users];
        var doorOfUser = new Guid[users];
        var validFrom = new DateTimeOffset(2025, 1, 1, 0, 0, 0, TimeSpan.Zero);
        var validUntil = new DateTimeOffset(2030, 1, 1, 0, 0, 0, TimeSpan.Zero);
        for (var i = 0; i < users; i++)
        {
            var group = i % GroupCount;
            Guid[] userGroups = i % 4 == 0 ? [groups[group].Id, groups[(group + 7) % GroupCount].Id] : [groups[group].Id];
            userEntries[i] = new UserEntry(NewId(), false, i % 2 == 0 ? validFrom : null, null, userGroups);
            keys[i] = Card(i);
            credentialIds[i] = NewId();
            credentials[i] = new CredentialEntry(credentialIds[i], userEntries[i].Id, keys[i], false, validFrom, i % 3 == 0 ? validUntil : null);
            doorOfUser[i] = doors[2 * group].Id;
        }

        return new BenchmarkData(new SnapshotSource(doors, schedules, groups, userEntries, credentials), keys, credentialIds, doorOfUser);
    }

    /// <summary>A random order of 0 … count-1, so consecutive lookups hit unrelated credentials.</summary>
    public static int[] Shuffled(int count)
    {
        var order = Enumerable.Range(0, count).ToArray();
        new Random(42).Shuffle(order);
        return order;
    }

    private static WeeklyWindow[] Week(string start, string end)
    {
        ScheduleRules.TryParseTime(start, allowEndOfDay: false, out var s);
        ScheduleRules.TryParseTime(end, allowEndOfDay: true, out var e);
        return [.. Enum.GetValues<DayOfWeek>().Select(d => new WeeklyWindow(d, s, e))];
    }

    private sealed class FixedClock(DateTimeOffset now) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => now;
    }
}
