using System.Text.Json.Serialization;

namespace Gatehouse.Core.DeviceProtocol;

/// <summary>What kind of sync message a <see cref="SyncMessage"/> is.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<SyncKind>))]
public enum SyncKind
{
    /// <summary>One part of a full snapshot: the device replaces its store once it has all parts of a version.</summary>
    [JsonStringEnumMemberName("snapshot")] Snapshot = 1,

    /// <summary>The changes from <see cref="SyncMessage.FromVersion"/> to <see cref="SyncMessage.Version"/>.</summary>
    [JsonStringEnumMemberName("delta")] Delta = 2,
}

/// <summary>
/// Server → device on <see cref="DeviceTopics.Sync"/>. A device applies a delta only when it holds exactly
/// <see cref="FromVersion"/>, and the parts of a snapshot only once all <see cref="Parts"/> of one
/// <see cref="Version"/> are in; anything else is a gap, and it asks for a snapshot (<see cref="SyncRequest"/>).
/// Each apply is atomic: the store is at the old version or the new one, never between.
/// </summary>
public sealed record SyncMessage(
    SyncKind Kind,
    long Version,
    long FromVersion,
    int Part,
    int Parts,
    SyncData Data);

/// <summary>
/// Records to add or replace (by ID), and IDs to remove. In a snapshot every part's records together are
/// the whole store and <see cref="Removed"/> is empty.
/// </summary>
public sealed record SyncData(
    SyncDevice? Device = null,
    IReadOnlyList<SyncDoor>? Doors = null,
    IReadOnlyList<SyncSchedule>? Schedules = null,
    IReadOnlyList<SyncAccessGroup>? AccessGroups = null,
    IReadOnlyList<SyncUser>? Users = null,
    IReadOnlyList<SyncCredential>? Credentials = null,
    SyncRemovals? Removed = null);

/// <summary>IDs of records the device must drop.</summary>
public sealed record SyncRemovals(
    IReadOnlyList<Guid>? Doors = null,
    IReadOnlyList<Guid>? Schedules = null,
    IReadOnlyList<Guid>? AccessGroups = null,
    IReadOnlyList<Guid>? Users = null,
    IReadOnlyList<Guid>? Credentials = null);

/// <summary>
/// The device's own settings: its name and the Wiegand format its reader decodes cards in (a
/// <c>CardFormat</c> name such as <c>H10301</c>; null reads cards by CSN). Sent in every snapshot, and in a
/// delta when they change.
/// </summary>
public sealed record SyncDevice(string Name, string? WiegandFormat = null);

/// <summary>A door the device controls, with the IANA time zone of its site.</summary>
public sealed record SyncDoor(Guid Id, string Name, string TimeZone);

/// <summary>A schedule: weekly windows and holidays, as in the REST API.</summary>
public sealed record SyncSchedule(Guid Id, IReadOnlyList<SyncWindow> Windows, IReadOnlyList<DateOnly> Holidays);

/// <summary>A weekly window, <c>[Start, End)</c> local time on <see cref="Day"/>; <c>"24:00"</c> ends at midnight.</summary>
public sealed record SyncWindow(DayOfWeek Day, string Start, string End);

/// <summary>An access group, with only the doors of this device.</summary>
public sealed record SyncAccessGroup(Guid Id, Guid ScheduleId, IReadOnlyList<Guid> DoorIds);

/// <summary>A user with access to a door of the device: status, validity and groups (no name or contact).</summary>
public sealed record SyncUser(
    Guid Id, bool Suspended, IReadOnlyList<Guid> AccessGroupIds, DateTimeOffset? ValidFrom = null, DateTimeOffset? ValidUntil = null);

/// <summary>
/// A credential a reader of the device can be shown. <see cref="Card"/> is the canonical card identity
/// (<c>H10301:1:11572</c>, <c>CSN:04A224B2C15E80</c>) of a card credential; <see cref="Face"/> the sealed template
/// of a face credential; <see cref="MobileKey"/> the public key of an activated mobile credential's phone
/// (<c>MobileKeys.ToText</c>), against which the device checks the phone's QR tokens.
/// </summary>
public sealed record SyncCredential(
    Guid Id,
    Guid UserId,
    string Type,
    bool Suspended,
    DateTimeOffset? ValidFrom = null,
    DateTimeOffset? ValidUntil = null,
    string? Card = null,
    SyncFace? Face = null,
    string? MobileKey = null);

/// <summary>
/// A face credential's template: the recogniser <see cref="Model"/> that made it and the template sealed for this
/// device (<see cref="FaceTemplateSeal"/>). A device whose engine runs another model cannot use it. A template is
/// fixed for the life of its credential (a new photo is a new credential), so records are equal by model and ID.
/// </summary>
public sealed record SyncFace(string Model, string? Template = null)
{
    /// <summary>Equal by <see cref="Model"/>: the sealed text differs at every sealing (a fresh nonce) for the same template.</summary>
    public bool Equals(SyncFace? other) => other is not null && other.Model == Model;

    /// <inheritdoc />
    public override int GetHashCode() => Model.GetHashCode(StringComparison.Ordinal);
}
