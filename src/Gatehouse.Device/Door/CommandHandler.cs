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
                var unlocked = door.RemoteUnlock(unlock);
                outbox.Send(unlocked
                    ? new CommandDoneReply(unlock.Id, clock.GetUtcNow(), true)
                    : new CommandDoneReply(unlock.Id, clock.GetUtcNow(), false, "This device does not control that door"));
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

    [LoggerMessage(Level = LogLevel.Warning, Message = "Command {CommandId} of an unknown kind {Kind} ignored")]
    private static partial void LogUnknownCommand(ILogger logger, string kind, Guid commandId);
}
