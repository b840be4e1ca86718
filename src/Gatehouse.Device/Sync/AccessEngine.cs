using Gatehouse.Core.Decisions;
using Gatehouse.Core.DeviceProtocol;

namespace Gatehouse.Device.Sync;

/// <summary>
/// What the doors decide with right now: the compiled <see cref="AccessSnapshot"/> and the settings and
/// doors it was built from, at one sync version. Replaced whole after each applied sync, so a tap reads
/// either the old view or the new one, never a mix.
/// </summary>
internal sealed record AccessView(long Version, SyncDevice? Device, IReadOnlyList<SyncDoor> Doors, AccessSnapshot Snapshot)
{
    /// <summary>The face templates of the view's face credentials, opened for identification.</summary>
    public FaceGallery Faces { get; init; } = FaceGallery.Empty;

    /// <summary>The phone keys of the view's mobile credentials, by credential ID.</summary>
    public IReadOnlyDictionary<Guid, PhoneKey> PhoneKeys { get; init; } = new Dictionary<Guid, PhoneKey>();

    public static AccessView Empty { get; } =
        new(0, null, [], AccessSnapshot.Build(new SnapshotSource([], [], [], [], [])));

    /// <summary>The door a tap is for: the named one (when the device controls it), else the first; null when there is none.</summary>
    public SyncDoor? DoorFor(Guid? doorId) =>
        doorId is { } id ? Doors.FirstOrDefault(d => d.Id == id) : Doors.Count > 0 ? Doors[0] : null;
}

/// <summary>A mobile credential's phone public key (a 65-byte P-256 point) and the credential's user.</summary>
internal sealed record PhoneKey(byte[] Key, Guid UserId);

/// <summary>Holds the current <see cref="AccessView"/>; the sync applier swaps it, everyone else reads it.</summary>
internal sealed class AccessEngine
{
    private volatile AccessView _current = AccessView.Empty;

    /// <summary>Raised after a new view is in place.</summary>
    public event Action? Changed;

    public AccessView Current => _current;

    public void Publish(AccessView view)
    {
        _current = view;
        Changed?.Invoke();
    }
}
