using Gatehouse.Device.Hardware;
using Microsoft.Extensions.Options;

namespace Gatehouse.Device.Door;

/// <summary>
/// Opens a door's lock relay for <see cref="DoorOptions.UnlockTime"/> and closes it again; another grant
/// while it is open keeps it open for the full time from then.
/// </summary>
internal sealed class LockControl(ILockRelay relay, TimeProvider clock, IOptions<DoorOptions> options) : IDisposable
{
    private readonly TimeSpan _unlockTime = options.Value.UnlockTime;
    private readonly Dictionary<Guid, OpenDoor> _open = [];
    private readonly Lock _gate = new();

    /// <summary>Raised when a door locks or unlocks (outside the lock).</summary>
    public event Action? Changed;

    public bool IsUnlocked(Guid doorId)
    {
        lock (_gate)
        {
            return _open.ContainsKey(doorId);
        }
    }

    public void Unlock(Guid doorId)
    {
        bool opened;
        lock (_gate)
        {
            opened = !_open.TryGetValue(doorId, out var door);
            if (door is null)
            {
                door = new OpenDoor(this, doorId);
                door.Timer = clock.CreateTimer(static state => ((OpenDoor)state!).Expire(), door, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
                _open[doorId] = door;
                relay.Set(doorId, open: true);
            }

            door.Until = clock.GetUtcNow() + _unlockTime;
            door.Timer!.Change(_unlockTime, Timeout.InfiniteTimeSpan);
        }

        if (opened)
        {
            Changed?.Invoke();
        }
    }

    public void Dispose()
    {
        lock (_gate)
        {
            foreach (var (doorId, door) in _open)
            {
                door.Timer?.Dispose();
                relay.Set(doorId, open: false);
            }

            _open.Clear();
        }
    }

    private void Expire(OpenDoor door)
    {
        lock (_gate)
        {
            if (!_open.TryGetValue(door.DoorId, out var current) || current != door)
            {
                return;
            }

            // Early: a firing that raced with a later unlock (which moved Until), or a timer whose clock runs a
            // hair ahead of the wall clock. Come back for the rest.
            var left = door.Until - clock.GetUtcNow();
            if (left > TimeSpan.Zero)
            {
                door.Timer?.Change(left, Timeout.InfiniteTimeSpan);
                return;
            }

            _open.Remove(door.DoorId);
            door.Timer?.Dispose();
            relay.Set(door.DoorId, open: false);
        }

        Changed?.Invoke();
    }

    private sealed class OpenDoor(LockControl owner, Guid doorId)
    {
        public Guid DoorId { get; } = doorId;

        public ITimer? Timer { get; set; }

        public DateTimeOffset Until { get; set; }

        public void Expire() => owner.Expire(this);
    }
}
