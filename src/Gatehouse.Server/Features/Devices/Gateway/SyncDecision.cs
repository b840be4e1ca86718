namespace Gatehouse.Server.Features.Devices.Gateway;

/// <summary>What the server does about a device's store.</summary>
internal enum SyncAction
{
    /// <summary>It holds what it should, or a delta is on its way to it.</summary>
    Nothing,

    /// <summary>It holds the last published version: send what changed since (nothing, if nothing did).</summary>
    Delta,

    /// <summary>What it holds is unknown, or off the server's chain of versions: send all of it.</summary>
    Snapshot,
}

/// <summary>
/// What the server knows of one device's versions when deciding what to send it.
/// </summary>
/// <param name="Reported">The version the device says it holds.</param>
/// <param name="Published">The version last published to it; -1 while not yet read from the store.</param>
/// <param name="Floor">The lowest version it may report while a delta is on its way (what it held when the last one was sent).</param>
/// <param name="HasView">The server holds the view it last published, so a delta can be built from it.</param>
/// <param name="Followed">
/// The server has followed the device without a gap: it was online before this report, and the server's own client
/// has not reconnected since (a reconnect may have lost what was in flight).
/// </param>
/// <param name="BehindSinceLastCheck">
/// At the last periodic check the device already reported this same version behind this same published one: the
/// delta it lacks is not on its way after all.
/// </param>
internal readonly record struct DeviceVersions(
    long Reported, long Published, long Floor, bool HasView, bool Followed, bool BehindSinceLastCheck = false);

/// <summary>The decision, and the floor to keep for the next one.</summary>
internal readonly record struct SyncDecision(SyncAction Action, long Floor)
{
    /// <summary>
    /// A device not followed without a gap (or one whose view the server lost) is taken at its word: a delta when it
    /// holds the last published version, else a snapshot. A followed device that holds the last published version
    /// needs nothing; one behind it but not behind the floor is waiting for a delta on its way, unless it was already
    /// behind at the last check; anything else is off the chain.
    /// </summary>
    public static SyncDecision For(DeviceVersions device)
    {
        if (!device.Followed || !device.HasView)
        {
            return new(TakenAtItsWord(device.Reported, device.Published, device.HasView), device.Floor);
        }

        if (device.Reported == device.Published)
        {
            return new(SyncAction.Nothing, device.Reported);
        }

        if (device.Reported > device.Published || device.Reported < device.Floor)
        {
            return new(SyncAction.Snapshot, device.Floor);
        }

        // Behind, on the chain: a delta on its way, or one lost without the device knowing.
        return device.BehindSinceLastCheck ? new(SyncAction.Snapshot, device.Floor) : new(SyncAction.Nothing, device.Reported);
    }

    /// <summary>Whether a device that reports <paramref name="reported"/> can be brought up to date with a delta.</summary>
    public static SyncAction TakenAtItsWord(long reported, long published, bool hasView) =>
        hasView && reported == published ? SyncAction.Delta : SyncAction.Snapshot;

    /// <summary>Behind the published version but not off the chain: what a periodic check watches for.</summary>
    public static bool IsWaitingForDelta(DeviceVersions device) =>
        device.Followed && device.HasView && device.Reported < device.Published && device.Reported >= device.Floor;
}
