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

        var device = await db.DeviceDoors.Where(dd => dd.DoorId == doorId)
            .Join(db.Devices, dd => dd.DeviceId, d => d.Id, (dd, d) => new { d.Id, d.Name, d.OrganizationId })
            .SingleOrDefaultAsync(ct);
        if (device is null)
        {
            return new ApiError.Conflict($"No device controls “{door.Name}”, so it cannot be unlocked remotely. Add the door to a device first.");
        }

        if (!await db.DeviceStates.AnyAsync(s => s.DeviceId == device.Id && s.Online, ct))
        {
            return new ApiError.Conflict($"The device “{device.Name}” that controls “{door.Name}” is offline, so the door cannot be unlocked remotely.");
        }

        var now = clock.GetUtcNow();
        var command = new UnlockCommand(Guid.CreateVersion7(), now, doorId);
        if (!await gateway.SendAsync(device.OrganizationId, device.Id, command, ct))
        {
            return new ApiError.Conflict($"The device “{device.Name}” could not be reached, so “{door.Name}” was not unlocked. Try again.");
        }

        // The audit entry rides on the event's save: the interceptor writes pending notes with the next save.
        db.PendingAuditNotes.Add(new AuditNote(device.OrganizationId, "door", doorId.ToString(), "unlocked",
            new Dictionary<string, object?> { ["deviceId"] = device.Id, ["device"] = device.Name, ["commandId"] = command.Id }));
        // Under the command's ID: the device reports the unlock it carried out under the same ID, so it is stored once.
        var accessEvent = new AccessEvent
        {
            Id = command.Id,
            OccurredAt = now,
            DoorId = doorId,
            DoorName = door.Name,
            Granted = true,
            Reason = AccessReason.Granted,
            Source = AccessEventSource.RemoteUnlock,
            DeviceId = device.Id,
        };
        await events.AppendAsync(accessEvent, ct);
        LogUnlocked(logger, doorId, device.Id, command.Id);
        return new UnlockAccepted(doorId, device.Id, command.Id, accessEvent.Id);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Door {DoorId} unlocked remotely through device {DeviceId} (command {CommandId})")]
    private static partial void LogUnlocked(ILogger logger, Guid doorId, Guid deviceId, Guid commandId);
}
