using Gatehouse.Core.Schedules;

namespace Gatehouse.Core.Decisions;

/// <summary>
/// Everything of one organization that access decisions depend on, as plain data. The server builds it
/// from its store, a door device from its local store; <see cref="AccessSnapshot"/> compiles it.
/// </summary>
public sealed record SnapshotSource(
    IReadOnlyList<DoorEntry> Doors,
    IReadOnlyList<ScheduleEntry> Schedules,
    IReadOnlyList<AccessGroupEntry> AccessGroups,
    IReadOnlyList<UserEntry> Users,
    IReadOnlyList<CredentialEntry> Credentials);

/// <summary>A door and the IANA time zone of its site, in which schedules are read.</summary>
public sealed record DoorEntry(Guid Id, string TimeZoneId);

/// <summary>A schedule: weekly windows of local time, and dates on which it opens nothing.</summary>
public sealed record ScheduleEntry(Guid Id, IReadOnlyList<WeeklyWindow> Windows, IReadOnlyList<DateOnly> Holidays);

/// <summary>An access group: the doors it opens, when its schedule is open.</summary>
public sealed record AccessGroupEntry(Guid Id, Guid ScheduleId, IReadOnlyList<Guid> DoorIds);

/// <summary>A user, their status, validity window and access groups.</summary>
public sealed record UserEntry(
    Guid Id, bool Suspended, DateTimeOffset? ValidFrom, DateTimeOffset? ValidUntil, IReadOnlyList<Guid> AccessGroupIds);

/// <summary>
/// A credential of a user. <see cref="Key"/> is how it is presented at a reader (cards); credentials
/// without one (a Cloud Key, say) are decided on by their <see cref="Id"/>.
/// </summary>
public sealed record CredentialEntry(
    Guid Id, Guid UserId, CredentialKey? Key, bool Suspended, DateTimeOffset? ValidFrom, DateTimeOffset? ValidUntil);
