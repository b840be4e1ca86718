using System.Text.Json.Serialization;
using Gatehouse.Core.DeviceProtocol;
using Gatehouse.Server.Data;
using Gatehouse.Server.Features.Audit;
using Gatehouse.Server.Features.Credentials;
using Gatehouse.Server.Features.Devices.Gateway;
using Gatehouse.Server.Features.Events;
using Gatehouse.Server.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Gatehouse.Server.Features.Devices;

/// <summary>What became of a sent unlock command within the confirmation timeout.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<UnlockOutcome>))]
internal enum UnlockOutcome
{
    /// <summary>The device confirmed that it operated the lock.</summary>
    [JsonStringEnumMemberName("unlocked")] Unlocked = 1,

    /// <summary>The device did not confirm in time; it may still open the door if the command reaches it.</summary>
    [JsonStringEnumMemberName("doorDidNotAnswer")] DoorDidNotAnswer = 2,

    /// <summary>The device answered that it could not unlock the door.</summary>
    [JsonStringEnumMemberName("refused")] Refused = 3,
}

/// <summary>
/// The answer to a remote unlock: the command sent, the access event that records it once confirmed, and
/// whether the device confirmed within the timeout (<see cref="Confirmed"/>, <see cref="Outcome"/>).
/// </summary>
internal sealed record UnlockAccepted(Guid DoorId, Guid DeviceId, Guid CommandId, Guid EventId, bool Confirmed, UnlockOutcome Outcome);

/// <summary>The device that controls a door.</summary>
internal sealed record UnlockingDevice(Guid Id, string Name, Guid OrganizationId);

/// <summary>An unlock command handed to the door's device.</summary>
internal sealed record SentUnlock(UnlockingDevice Device, UnlockCommand Command, RemoteUnlockCommand Record);

/// <summary>Who an unlock is for, when a credential opens it (a Cloud Key); null for an admin's remote unlock.</summary>
internal sealed record UnlockHolder(Guid UserId, string UserName, Guid CredentialId, CredentialType CredentialType);

/// <summary>
/// Opens a door from the console or the API: sends the door's device an unlock command, waits a short while
/// for the device to confirm it operated the lock, and records it twice, as an access event (what happened at
/// the door, once confirmed) and in the audit log (who asked).
/// </summary>
internal sealed partial class RemoteUnlockService(
    GatehouseDbContext db,
    DeviceGateway gateway,
    UnlockConfirmations confirmations,
    AccessEventWriter events,
    IOptions<DeviceOptions> options,
    TimeProvider clock,
    ILogger<RemoteUnlockService> logger)
{
    public async Task<Result<UnlockAccepted>> UnlockAsync(Guid doorId, CancellationToken ct)
    {
        var door = await db.Doors.AsNoTracking().SingleOrDefaultAsync(d => d.Id == doorId, ct);
        if (door is null)
        {
            return new ApiError.NotFound("The door");
        }

        // The audit entry rides on the save of the command's record: the interceptor writes pending notes with the next save.
        var sent = await SendUnlockAsync(doorId, door.Name, AccessEventSource.RemoteUnlock, null, ct, (device, commandId) =>
            db.PendingAuditNotes.Add(new AuditNote(device.OrganizationId, "door", doorId.ToString(), "unlocked",
                new Dictionary<string, object?> { ["deviceId"] = device.Id, ["device"] = device.Name, ["commandId"] = commandId })));
        if (sent.Error is { } error)
        {
            return error;
        }

        var (unlocking, command, _) = sent.Value!;
        var outcome = await ConfirmAsync(sent.Value!, ct);
        LogUnlock(logger, doorId, unlocking.Id, command.Id, outcome);
        return new UnlockAccepted(doorId, unlocking.Id, command.Id, command.Id, outcome == UnlockOutcome.Unlocked, outcome);
    }

    /// <summary>
    /// Records and sends the unlock command to the device that controls the door, if it is online. The record
    /// (saved before the command leaves, with whatever <paramref name="beforeSave"/> adds) is what the device's
    /// answer and its own report of the unlock are matched against.
    /// </summary>
    public async Task<Result<SentUnlock>> SendUnlockAsync(
        Guid doorId, string doorName, AccessEventSource source, UnlockHolder? holder, CancellationToken ct, Action<UnlockingDevice, Guid>? beforeSave = null)
    {
        var device = await db.DeviceDoors.Where(dd => dd.DoorId == doorId)
            .Join(db.Devices, dd => dd.DeviceId, d => d.Id, (dd, d) => new UnlockingDevice(d.Id, d.Name, d.OrganizationId))
            .SingleOrDefaultAsync(ct);
        if (device is null)
        {
            return new ApiError.Conflict($"No device controls “{doorName}”, so it cannot be unlocked remotely. Add the door to a device first.");
        }

        var now = clock.GetUtcNow();
        if (!await db.DeviceStates.AnyAsync(s => s.DeviceId == device.Id && s.Online && (s.OnlineUntil == null || s.OnlineUntil > now), ct))
        {
            return new ApiError.Conflict($"The device “{device.Name}” that controls “{doorName}” is offline, so the door cannot be unlocked remotely.");
        }

        // Past this the server no longer waits, so the device must not open the door either (a command the broker
        // kept through an outage would otherwise open it long after the person was told it did not answer).
        var expiresAt = now + options.Value.UnlockConfirmationTimeout + options.Value.UnlockExpiryMargin;
        var command = new UnlockCommand(Guid.CreateVersion7(), now, doorId, expiresAt);
        var record = new RemoteUnlockCommand
        {
            Id = command.Id,
            OrganizationId = device.OrganizationId,
            DeviceId = device.Id,
            DoorId = doorId,
            DoorName = doorName,
            IssuedAt = now,
            ExpiresAt = expiresAt,
            Source = source,
            UserId = holder?.UserId,
            UserName = holder?.UserName,
            CredentialId = holder?.CredentialId,
            CredentialType = holder?.CredentialType,
        };
        db.RemoteUnlockCommands.Add(record);
        beforeSave?.Invoke(device, command.Id);
        await db.SaveChangesAsync(ct);
        db.Entry(record).State = EntityState.Detached;

        confirmations.Expect(command.Id);
        if (!await gateway.SendAsync(device.OrganizationId, device.Id, command, ct))
        {
            await db.RemoteUnlockCommands.Where(c => c.Id == command.Id).ExecuteDeleteAsync(ct);
            return new ApiError.Conflict($"The device “{device.Name}” could not be reached, so “{doorName}” was not unlocked. Try again.");
        }

        return new SentUnlock(device, command, record);
    }

    /// <summary>
    /// Waits for the device's answer to a sent unlock (at most <see cref="DeviceOptions.UnlockConfirmationTimeout"/>);
    /// once it confirms, writes the unlock's access event under the command's ID. The device reports the unlock it
    /// carried out under the same ID, so it is stored once, also when the confirmation comes too late for the wait.
    /// </summary>
    public async Task<UnlockOutcome> ConfirmAsync(SentUnlock sent, CancellationToken ct)
    {
        var answer = await confirmations.WaitAsync(db, sent.Command.Id, options.Value.UnlockConfirmationTimeout, ct);
        if (answer != UnlockAnswer.Unlocked)
        {
            return answer == UnlockAnswer.Refused ? UnlockOutcome.Refused : UnlockOutcome.DoorDidNotAnswer;
        }

        await events.AppendAsync(sent.Record.ToEvent(sent.Command.IssuedAt), ct);
        return UnlockOutcome.Unlocked;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Remote unlock of door {DoorId} through device {DeviceId} (command {CommandId}): {Outcome}")]
    private static partial void LogUnlock(ILogger logger, Guid doorId, Guid deviceId, Guid commandId, UnlockOutcome outcome);
}
