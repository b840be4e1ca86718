using Gatehouse.Core.Decisions;
using Gatehouse.Core.DeviceProtocol;
using Gatehouse.Device.Events;
using Gatehouse.Device.Hardware;
using Gatehouse.Device.Sync;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;

namespace Gatehouse.Device.Door;

/// <summary>
/// Decides at the door, with the local store only, so it works the same with the server or the broker
/// gone: a card becomes a key, the engine decides, the attempt is committed to the event queue, and then
/// the lock, the LED and the prompt answer the person.
/// </summary>
internal sealed partial class DoorController(
    AccessEngine engine, EventQueue events, LockControl locks, Feedback feedback, TimeProvider clock, ILogger<DoorController> logger)
{
    public const string CardCredentialType = "card";
    public const string GrantedPrompt = "Access granted";
    public const string DeniedPrompt = "Access denied";
    public const string RemoteUnlockPrompt = "Door unlocked remotely";

    /// <summary>Decides on a face presented to the camera of the first door (recognition is not built yet: nobody is recognised).</summary>
    public Task<FaceOutcome> DecideFaceAsync(CameraFrame frame, CancellationToken ct) => Task.FromResult(new FaceOutcome(false, "noFace"));

    /// <summary>Decides on a card presented at the reader of <paramref name="read"/>'s door (the first door unless it names one).</summary>
    public TapOutcome Decide(CardRead read)
    {
        var view = engine.Current;
        var door = view.DoorFor(read.DoorId);
        if (door is null)
        {
            var card = read.Card.ToMaskedString();
            LogNoDoor(logger, card);
            feedback.Show(LedColor.Red, $"{DeniedPrompt}: this device has no door yet");
            return new TapOutcome(false, TapOutcome.NoDoor);
        }

        var now = clock.GetUtcNow();
        var decision = view.Snapshot.Decide(read.Card.ToKey(), door.Id, now);
        var reason = decision.Reason.ToApiName();
        Record(new DeviceEvent(
            Guid.CreateVersion7(now),
            now,
            door.Id,
            CardCredentialType,
            decision.Granted,
            reason,
            decision.CredentialId,
            decision.UserId,
            decision.Reason == AccessReason.UnknownCredential ? read.Card.ToMaskedString() : null));

        if (decision.Granted)
        {
            locks.Unlock(door.Id);
            feedback.Show(LedColor.Green, GrantedPrompt);
        }
        else
        {
            feedback.Show(LedColor.Red, $"{DeniedPrompt}: {ShortReason(decision.Reason)}");
        }

        var masked = read.Card.ToMaskedString();
        LogDecided(logger, masked, door.Id, decision.Granted, reason, view.Version);
        return new TapOutcome(decision.Granted, reason, door.Id);
    }

    /// <summary>
    /// Carries out a remote unlock; false when the device does not control the door. The event takes the
    /// command's ID, so a resent command, or a server that recorded the unlock itself under that ID, still
    /// makes one event.
    /// </summary>
    public bool RemoteUnlock(UnlockCommand command)
    {
        var view = engine.Current;
        if (view.Doors.All(d => d.Id != command.DoorId))
        {
            return false;
        }

        var now = clock.GetUtcNow();
        Record(new DeviceEvent(command.Id, now, command.DoorId, DeviceEvent.RemoteUnlock, true, AccessReason.Granted.ToApiName()));
        locks.Unlock(command.DoorId);
        feedback.Show(LedColor.Green, RemoteUnlockPrompt);
        LogRemoteUnlock(logger, command.DoorId, command.Id);
        return true;
    }

    /// <summary>A few words a person at the door understands.</summary>
    public static string ShortReason(AccessReason reason) => reason switch
    {
        AccessReason.UnknownCredential => "card not recognised",
        AccessReason.CredentialSuspended => "card suspended",
        AccessReason.CredentialExpired => "card expired",
        AccessReason.CredentialNotYetValid => "card not valid yet",
        AccessReason.UserSuspended => "access suspended",
        AccessReason.UserExpired => "access expired",
        AccessReason.UserNotYetValid => "access not valid yet",
        AccessReason.NoAccessToDoor => "no access to this door",
        AccessReason.OutsideSchedule => "outside your schedule",
        AccessReason.Holiday => "closed for a holiday",
        _ => reason.ToApiName(),
    };

    private void Record(DeviceEvent deviceEvent)
    {
        try
        {
            events.Enqueue(deviceEvent);
        }
        catch (SqliteException e)
        {
            // The door still answers the person; the lost event is logged as loudly as a full queue.
            LogEventNotStored(logger, deviceEvent.Id, e.Message);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Card {Card} at door {DoorId}: granted {Granted} ({Reason}), sync version {Version}")]
    private static partial void LogDecided(ILogger logger, string card, Guid doorId, bool granted, string reason, long version);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Card {Card} presented, but the device has no door yet (no snapshot received)")]
    private static partial void LogNoDoor(ILogger logger, string card);

    [LoggerMessage(Level = LogLevel.Information, Message = "Door {DoorId} unlocked remotely (command {CommandId})")]
    private static partial void LogRemoteUnlock(ILogger logger, Guid doorId, Guid commandId);

    [LoggerMessage(Level = LogLevel.Error, Message = "Access event {EventId} could not be stored and is lost: {Error}")]
    private static partial void LogEventNotStored(ILogger logger, Guid eventId, string error);
}
