using Gatehouse.Core.DeviceProtocol;
using Gatehouse.Device.Mqtt;
using Microsoft.Extensions.Logging;

namespace Gatehouse.Device.Door;

/// <summary>Carries out the server's commands: remote unlocks and the steps of an enrollment.</summary>
internal sealed partial class CommandHandler(
    DoorController door, Enrollments enrollments, IDeviceOutbox outbox, TimeProvider clock, ILogger<CommandHandler> logger)
{
    public void Handle(DeviceCommand command)
    {
        switch (command)
        {
            case UnlockCommand unlock:
                Unlock(unlock);
                break;
            case EnrollCommand enroll:
                // The enrollment answers with its capture (or, for a face, with why it cannot).
                enrollments.Start(enroll);
                break;
            case EnrollmentOutcomeCommand outcome:
                enrollments.Outcome(outcome);
                break;
            case CancelEnrollmentCommand cancel:
                enrollments.Cancel(cancel);
                break;
            default:
                LogUnknownCommand(logger, command.GetType().Name, command.Id);
                outbox.Send(new CommandDoneReply(command.Id, clock.GetUtcNow(), false, "Unknown command"));
                break;
        }
    }

    /// <summary>
    /// Carries out a remote unlock, unless it comes too late: past its expiry the server has told the person that
    /// the door did not answer (a command kept by the broker through an outage arrives long after), so the lock,
    /// the LED and the prompt stay as they are and the refusal is the answer.
    /// </summary>
    private void Unlock(UnlockCommand unlock)
    {
        var now = clock.GetUtcNow();
        if (unlock.ExpiresAt is { } expiresAt && now > expiresAt)
        {
            LogUnlockExpired(logger, unlock.Id, unlock.DoorId, unlock.IssuedAt, expiresAt, now);
            outbox.Send(new CommandDoneReply(unlock.Id, now, false, "The unlock command expired before it arrived", CommandDoneReply.ExpiredReason));
            return;
        }

        outbox.Send(door.RemoteUnlock(unlock)
            ? new CommandDoneReply(unlock.Id, clock.GetUtcNow(), true)
            : new CommandDoneReply(unlock.Id, clock.GetUtcNow(), false, "This device does not control that door", CommandDoneReply.UnknownDoorReason));
    }

    // The three instants side by side: a device whose clock runs ahead refuses every unlock, and this line shows it.
    [LoggerMessage(Level = LogLevel.Warning, Message = "Unlock command {CommandId} for door {DoorId} refused: issued at {IssuedAt}, it expired at {ExpiresAt}, and the device's clock says {Now}")]
    private static partial void LogUnlockExpired(ILogger logger, Guid commandId, Guid doorId, DateTimeOffset issuedAt, DateTimeOffset expiresAt, DateTimeOffset now);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Command {CommandId} of an unknown kind {Kind} ignored")]
    private static partial void LogUnknownCommand(ILogger logger, string kind, Guid commandId);
}
