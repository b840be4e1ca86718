using Gatehouse.Core.Decisions;
using Gatehouse.Core.Schedules;
using Microsoft.Extensions.Time.Testing;

namespace Gatehouse.Core.Tests.Decisions;

/// <summary>Builds a <see cref="SnapshotSource"/> piece by piece with readable, fixed IDs.</summary>
internal sealed class SourceBuilder
{
    /// <summary>The build clock of most tests: the zone tables then cover 2024–2035.</summary>
    public static readonly DateTimeOffset BuiltAt = new(2026, 1, 15, 12, 0, 0, TimeSpan.Zero);

    private int _next;

    public List<DoorEntry> Doors { get; } = [];

    public List<ScheduleEntry> Schedules { get; } = [];

    public List<AccessGroupEntry> Groups { get; } = [];

    public List<UserEntry> Users { get; } = [];

    public List<CredentialEntry> Credentials { get; } = [];

    public static WeeklyWindow Window(DayOfWeek day, string start, string end)
    {
        Assert.True(ScheduleRules.TryParseTime(start, allowEndOfDay: false, out var s));
        Assert.True(ScheduleRules.TryParseTime(end, allowEndOfDay: true, out var e));
        return new WeeklyWindow(day, s, e);
    }

    public static WeeklyWindow[] AllWeek(string start, string end) =>
        [.. Enum.GetValues<DayOfWeek>().Select(d => Window(d, start, end))];

    public Guid Door(string timeZoneId = "UTC")
    {
        var id = NextId();
        Doors.Add(new DoorEntry(id, timeZoneId));
        return id;
    }

    public Guid Schedule(IEnumerable<WeeklyWindow> windows, params DateOnly[] holidays)
    {
        var id = NextId();
        Schedules.Add(new ScheduleEntry(id, [.. windows], holidays));
        return id;
    }

    public Guid Group(Guid scheduleId, params Guid[] doorIds)
    {
        var id = NextId();
        Groups.Add(new AccessGroupEntry(id, scheduleId, doorIds));
        return id;
    }

    public Guid User(params Guid[] groupIds) => User(suspended: false, null, null, groupIds);

    public Guid User(bool suspended, DateTimeOffset? validFrom, DateTimeOffset? validUntil, params Guid[] groupIds)
    {
        var id = NextId();
        Users.Add(new UserEntry(id, suspended, validFrom, validUntil, groupIds));
        return id;
    }

    public Guid Credential(
        Guid userId, CredentialKey? key, bool suspended = false, DateTimeOffset? validFrom = null, DateTimeOffset? validUntil = null)
    {
        var id = NextId();
        Credentials.Add(new CredentialEntry(id, userId, key, suspended, validFrom, validUntil));
        return id;
    }

    public SnapshotSource ToSource() => new(Doors, Schedules, Groups, Users, Credentials);

    public AccessSnapshot Build() => Build(BuiltAt);

    public AccessSnapshot Build(DateTimeOffset builtAt) => AccessSnapshot.Build(ToSource(), new FakeTimeProvider(builtAt));

    private Guid NextId() => Guid.Parse($"00000000-0000-4000-8000-{++_next:D12}");
}
