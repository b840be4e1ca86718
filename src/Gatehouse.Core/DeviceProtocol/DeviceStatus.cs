namespace Gatehouse.Core.DeviceProtocol;

/// <summary>
/// A device's state, published retained on <see cref="DeviceTopics.Status"/> when it connects and when
/// anything in it changes; its last will is the same message with <see cref="Online"/> false.
/// </summary>
public sealed record DeviceStatus(
    bool Online,
    DateTimeOffset At,
    string? SoftwareVersion = null,
    long SyncVersion = 0,
    IReadOnlyList<DoorState>? Doors = null,
    int QueuedEvents = 0,
    long DroppedEvents = 0,
    int? HeartbeatSeconds = null);

/// <summary>The lock of one door of a device.</summary>
public sealed record DoorState(Guid DoorId, bool Unlocked);

/// <summary>A device asking for a full snapshot: it has none yet, or it saw a gap in the deltas.</summary>
public sealed record SyncRequest(long HaveVersion, string Reason);
