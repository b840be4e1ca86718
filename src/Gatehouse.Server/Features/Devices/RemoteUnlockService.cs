using Gatehouse.Core.Decisions;
using Gatehouse.Core.DeviceProtocol;
using Gatehouse.Server.Data;
using Gatehouse.Server.Features.Audit;
using Gatehouse.Server.Features.Devices.Gateway;
using Gatehouse.Server.Features.Events;
using Gatehouse.Server.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace Gatehouse.Server.Features.Devices;

/// <summary>The answer to a remote unlock: the command sent, and the access event that records it.</summary>
internal sealed record UnlockAccepted(Guid DoorId, Guid DeviceId, Guid CommandId, Guid EventId);

/// <summary>The device that controls a door.</summary>
internal sealed record UnlockingDevice(Guid Id, string Name, Guid OrganizationId);

/// <summary>An unlock command handed to the door's device.</summary>
internal sealed record SentUnlock(UnlockingDevice Device, UnlockCommand Command);

/// <summary>
/// Opens a door from the console or the API: sends the door's device an unlock command, and records it
/// twice, as an access event (what happened at the door) and in the audit log (who did it).
/// </summary>
internal sealed partial class RemoteUnlockService(
    GatehouseDbContext db, DeviceGateway gateway, AccessEventWriter events, TimeProvider clock, ILogger<RemoteUnlockService> logger)
{
    public async Task<Result<UnlockAccepted>> UnlockAsync(Guid doorId, CancellationToken ct)
    {
        var door = await db.Doors.AsNoTracking().SingleOrDefaultAsync(d => d.Id == doorId, ct);
        if (door is null)
        {
            return new ApiError.NotFound("The door");
        }

        var sent = await SendUnlockAsync(doorId, door.Name, ct);
        if (sent.Error is { } error)
        {
            return error;
        }

        var (device, command) = sent.Value!;

        // The audit entry rides on the event's save: the interceptor writes pending notes with the next save.
        db.PendingAuditNotes.Add(new AuditNote(device.OrganizationId, "door", doorId.ToString(), "unlocked",
            new Dictionary<string, object?> { ["deviceId"] = device.Id, ["device"] = device.Name, ["commandId"] = command.Id }));
        var accessEvent = UnlockEvent(command, door.Name, device.Id, AccessEventSource.RemoteUnlock);
        await events.AppendAsync(accessEvent, ct);
        LogUnlocked(logger, doorId, device.Id, command.Id);
        return new UnlockAccepted(doorId, device.Id, command.Id, accessEvent.Id);
    }

    /// <summary>
    /// Sends the unlock command to the device that controls the door, if it is online; records nothing.
    /// The caller writes the access event, under the command's ID (see <see cref="UnlockEvent"/>).
    /// </summary>
    public async Task<Result<SentUnlock>> SendUnlockAsync(Guid doorId, string doorName, CancellationToken ct)
    {
        var device = await db.DeviceDoors.Where(dd => dd.DoorId == doorId)
            .Join(db.Devices, dd => dd.DeviceId, d => d.Id, (dd, d) => new UnlockingDevice(d.Id, d.Name, d.OrganizationId))
            .SingleOrDefaultAsync(ct);
        if (device is null)
        {
            return new ApiError.Conflict($"No device controls “{doorName}”, so it cannot be unlocked remotely. Add the door to a device first.");
        }

        if (!await db.DeviceStates.AnyAsync(s => s.DeviceId == device.Id && s.Online, ct))
        {
            return new ApiError.Conflict($"The device “{device.Name}” that controls “{doorName}” is offline, so the door cannot be unlocked remotely.");
        }

        var command = new UnlockCommand(Guid.CreateVersion7(), clock.GetUtcNow(), doorId);
        if (!await gateway.SendAsync(device.OrganizationId, device.Id, command, ct))
        {
            return new ApiError.Conflict($"The device “{device.Name}” could not be reached, so “{doorName}” was not unlocked. Try again.");
        }

        return new SentUnlock(device, command);
    }

    /// <summary>
    /// The granted event of a sent unlock, under the command's ID: the device reports the unlock it carried
    /// out under the same ID, so it is stored once.
    /// </summary>
    public static AccessEvent UnlockEvent(UnlockCommand command, string doorName, Guid deviceId, AccessEventSource source) => new()
    {
        Id = command.Id,
        OccurredAt = command.IssuedAt,
        DoorId = command.DoorId,
        DoorName = doorName,
        Granted = true,
        Reason = AccessReason.Granted,
        Source = source,
        DeviceId = deviceId,
    };

    [LoggerMessage(Level = LogLevel.Information, Message = "Door {DoorId} unlocked remotely through device {DeviceId} (command {CommandId})")]
    private static partial void LogUnlocked(ILogger logger, Guid doorId, Guid deviceId, Guid commandId);
}
