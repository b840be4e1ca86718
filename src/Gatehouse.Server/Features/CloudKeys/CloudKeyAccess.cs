using Gatehouse.Core.Decisions;
using Gatehouse.Server.Data;
using Gatehouse.Server.Features.Audit;
using Gatehouse.Server.Features.Credentials;
using Gatehouse.Server.Features.Decisions;
using Gatehouse.Server.Features.Devices;
using Gatehouse.Server.Features.Events;
using Gatehouse.Server.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace Gatehouse.Server.Features.CloudKeys;

/// <summary>
/// What the holder of a Cloud Key's link may see: no secret, nothing about other users. <c>TimeZone</c> is the
/// zone its message gave the validity in, so the page shows the same times.
/// </summary>
internal sealed record CloudKeyPageDto(
    string OrganizationName,
    string FirstName,
    string LastName,
    CloudKeyState Status,
    DateTimeOffset? ValidFrom,
    DateTimeOffset? ValidUntil,
    bool OneTimeUse,
    int PinAttemptsLeft,
    IReadOnlyList<CredentialDoorDto> Doors,
    string TimeZone);

internal sealed record CloudKeyUnlockRequest(Guid? DoorId, string? Pin);

internal sealed record CloudKeyUnlocked(bool Unlocked, Guid DoorId, string DoorName, Guid EventId);

/// <summary>
/// The public side of Cloud Keys, for whoever holds the link (no account): the key's page and the unlock.
/// The token finds the key across organizations (the link names none); each operation then enters the key's
/// organization (<see cref="EnterOrganizationOf"/>) and reads everything in it. Reading the page changes nothing; an unlock checks, in order, that the key is
/// not revoked, locked or used, the PIN, the validity and schedule (the same engine as the doors), and the
/// door's device, and records every attempt that names a door of the organization as an access event.
/// </summary>
internal sealed partial class CloudKeyAccess(
    GatehouseDbContext db,
    CurrentOrganization organization,
    AccessSnapshotCache snapshots,
    RemoteUnlockService unlocks,
    AccessEventWriter events,
    TimeProvider clock,
    ILogger<CloudKeyAccess> logger)
{
    /// <summary>What the key's page shows; <see cref="ApiError.NotFound"/> when no key has this token.</summary>
    public async Task<Result<CloudKeyPageDto>> GetPageAsync(string token, CancellationToken ct)
    {
        if (await FindAsync(token, ct) is not { } key)
        {
            return UnknownKey;
        }

        EnterOrganizationOf(key);

        var now = clock.GetUtcNow();
        var user = await db.Users.AsNoTracking().Where(u => u.Id == key.UserId).Select(u => new { u.FirstName, u.LastName }).SingleAsync(ct);
        var organizationName = await db.Organizations.AsNoTracking().Where(o => o.Id == key.OrganizationId).Select(o => o.Name).SingleAsync(ct);
        var state = key.StateAt(now);
        var usable = state is CloudKeyState.Active or CloudKeyState.NotYetValid;
        var page = await CredentialDoors.ListAsync(db, await snapshots.GetAsync(key.OrganizationId, ct), key.UserId, key.Id, usable, now, ct);
        return new CloudKeyPageDto(
            organizationName, user.FirstName, user.LastName, state, key.ValidFrom, key.ValidUntil, key.OneTimeUse,
            Math.Max(0, CloudKeyCredential.MaxFailedPinAttempts - key.FailedPinAttempts), page,
            (await CloudKeyMessages.ZoneOfAsync(db, key.UserId, ct)).Id);
    }

    /// <summary>
    /// Opens the door, or says why not: <see cref="ApiError.Refused"/> (403 with the reason),
    /// <see cref="ApiError.Locked"/> (423), <see cref="ApiError.DeviceUnavailable"/> (409),
    /// <see cref="ApiError.DoorDidNotAnswer"/> (504), or <see cref="ApiError.NotFound"/> when no key has this token.
    /// </summary>
    public async Task<Result<CloudKeyUnlocked>> UnlockAsync(string token, CloudKeyUnlockRequest request, CancellationToken ct)
    {
        var v = new Validation();
        if (request.DoorId is null)
        {
            v.Add("doorId", "This field is required.");
        }

        if (string.IsNullOrEmpty(request.Pin))
        {
            v.Add("pin", "This field is required.");
        }
        else if (!CloudKeySecrets.IsWellFormedPin(request.Pin))
        {
            v.Add("pin", $"Must be the {CloudKeySecrets.PinLength} digits of the PIN in your message.");
        }

        if (await FindAsync(token, ct) is not { } key)
        {
            return UnknownKey;
        }

        EnterOrganizationOf(key);
        if (!v.IsValid)
        {
            return v.ToError();
        }

        var doorId = request.DoorId!.Value;
        var pin = request.Pin!;
        var now = clock.GetUtcNow();
        var door = await db.Doors.AsNoTracking().Where(d => d.Id == doorId).Select(d => new { d.Id, d.Name }).SingleOrDefaultAsync(ct);
        var user = await db.Users.AsNoTracking().Where(u => u.Id == key.UserId).Select(u => new { u.FirstName, u.LastName }).SingleAsync(ct);
        var userName = $"{user.FirstName} {user.LastName}";

        async Task<ApiError> RefuseAsync(AccessReason reason, ApiError refusal)
        {
            if (door is not null)
            {
                await events.AppendAsync(Event(key, door.Id, door.Name, userName, now, granted: false, reason), ct);
            }

            var said = ReasonOf(refusal);
            LogRefused(logger, key.Id, doorId, said);
            return refusal;
        }

        // The same order as the access explorer's answer (CloudKeyState.RefusalOfKey): revoked, locked, used.
        if (key.RefusalOfKey() is { } refusal)
        {
            return await RefuseAsync(refusal, refusal switch
            {
                AccessReason.CredentialRevoked => Revoked,
                AccessReason.CredentialLocked => Locked,
                _ => Used,
            });
        }

        if (!CloudKeySecrets.PinMatches(token, pin, key.PinHash))
        {
            return await WrongPinAsync(key, RefuseAsync, now, ct);
        }

        if (key.FailedPinAttempts > 0)
        {
            await db.Credentials.OfType<CloudKeyCredential>().Where(k => k.Id == key.Id && k.LockedAt == null)
                .ExecuteUpdateAsync(s => s.SetProperty(k => k.FailedPinAttempts, 0), ct);
        }

        if (door is null)
        {
            return await RefuseAsync(AccessReason.NoAccessToDoor, NoAccess);
        }

        var decision = (await snapshots.GetAsync(key.OrganizationId, ct)).DecideCredential(key.Id, door.Id, now);
        if (!decision.Granted)
        {
            // Said in the key's own time zone, as its message and page say it.
            var opensFrom = decision.Reason == AccessReason.CredentialNotYetValid && key.ValidFrom is { } from
                ? CloudKeyMessages.When(from, await CloudKeyMessages.ZoneOfAsync(db, key.UserId, ct))
                : null;
            return await RefuseAsync(decision.Reason, Denied(decision.Reason, opensFrom));
        }

        // A one-time key is spent before the command leaves, by a conditional update that only one request
        // can win; if the command then cannot be sent, the key is given back.
        if (key.OneTimeUse && await SpendAsync(key.Id, now, ct) is { } lost)
        {
            return await RefuseAsync(lost.Reason, lost.Refusal);
        }

        var holder = new UnlockHolder(key.UserId, userName, key.Id, CredentialType.CloudKey);
        var sent = await unlocks.SendUnlockAsync(door.Id, door.Name, AccessEventSource.CloudKey, holder, ct);
        if (sent.Error is { } error)
        {
            await GiveBackAsync(key, now, ct);
            var unavailable = new ApiError.DeviceUnavailable(error is ApiError.Conflict c ? c.Detail : "The door could not be unlocked. Try again.");
            LogRefused(logger, key.Id, doorId, "deviceUnavailable");
            return unavailable;
        }

        // "Unlocked" only once the device says it operated the lock; otherwise the key is not spent.
        var outcome = await unlocks.ConfirmAsync(sent.Value!, ct);
        var (device, command, _) = sent.Value!;
        if (outcome != UnlockOutcome.Unlocked)
        {
            await GiveBackAsync(key, now, ct);
            LogNotConfirmed(logger, key.Id, door.Id, device.Id, command.Id, outcome);
            return outcome == UnlockOutcome.Refused
                ? new ApiError.DeviceUnavailable($"The device at “{door.Name}” could not unlock it. Try again.")
                : new ApiError.DoorDidNotAnswer($"“{door.Name}” did not answer, so it may not have opened. Try again.");
        }

        LogUnlocked(logger, key.Id, door.Id, device.Id, command.Id);
        return new CloudKeyUnlocked(true, door.Id, door.Name, command.Id);
    }

    /// <summary>Un-spends a one-time key this request spent (at <paramref name="spentAt"/>): the door did not open.</summary>
    private async Task GiveBackAsync(CloudKeyCredential key, DateTimeOffset spentAt, CancellationToken ct)
    {
        if (key.OneTimeUse)
        {
            await db.Credentials.OfType<CloudKeyCredential>().Where(k => k.Id == key.Id && k.UsedAt == spentAt)
                .ExecuteUpdateAsync(s => s.SetProperty(k => k.UsedAt, (DateTimeOffset?)null), ct);
        }
    }

    private static ApiError UnknownKey { get; } = new ApiError.NotFound("The Cloud Key");

    private static ApiError.Locked Locked { get; } = new("locked",
        $"This Cloud Key is locked after {CloudKeyCredential.MaxFailedPinAttempts} wrong PINs. Ask your administrator to unlock it.");

    private static ApiError.Refused Revoked { get; } = new("revoked", "This Cloud Key has been revoked.");

    private static ApiError.Refused Used { get; } = new("used", "This one-time Cloud Key has been used already.");

    private static ApiError.Refused NoAccess { get; } = new("noAccessToDoor", "This Cloud Key does not open that door.");

    /// <summary>The engine's reasons, in the public endpoint's words.</summary>
    private static ApiError.Refused Denied(AccessReason reason, string? opensFrom) => reason switch
    {
        AccessReason.CredentialExpired or AccessReason.UserExpired => new("expired", "This Cloud Key has expired."),
        AccessReason.CredentialNotYetValid or AccessReason.UserNotYetValid => new("notYetValid",
            opensFrom is not null ? $"This Cloud Key is not valid yet: it opens from {opensFrom}." : "This Cloud Key is not valid yet."),
        AccessReason.CredentialSuspended or AccessReason.UserSuspended => new("suspended", "This Cloud Key is suspended."),
        AccessReason.OutsideSchedule or AccessReason.Holiday => new("outsideSchedule", "Your schedule does not open this door now."),
        _ => NoAccess,
    };

    /// <summary>The reason the public endpoint answers with, for the log.</summary>
    private static string ReasonOf(ApiError refusal) => refusal switch
    {
        ApiError.Refused r => r.Reason,
        ApiError.Locked l => l.Reason,
        ApiError.DeviceUnavailable => "deviceUnavailable",
        _ => refusal.GetType().Name,
    };

    private async Task<ApiError> WrongPinAsync(
        CloudKeyCredential key, Func<AccessReason, ApiError, Task<ApiError>> refuse, DateTimeOffset now, CancellationToken ct)
    {
        var keys = db.Credentials.OfType<CloudKeyCredential>();

        // Counted in the store by one statement that also answers the new count, so concurrent wrong
        // guesses each count and each learns its own place; none counts once the key is locked.
        var counts = await db.Database.SqlQuery<int>($"""
            UPDATE "Credentials" SET "FailedPinAttempts" = "FailedPinAttempts" + 1
            WHERE "Id" = {key.Id} AND "LockedAt" IS NULL
            RETURNING "FailedPinAttempts" AS "Value"
            """).ToListAsync(ct);
        if (counts.Count == 0)
        {
            return await refuse(AccessReason.CredentialLocked, Locked);
        }

        var failed = counts[0];
        if (failed < CloudKeyCredential.MaxFailedPinAttempts)
        {
            var left = CloudKeyCredential.MaxFailedPinAttempts - failed;
            return await refuse(AccessReason.WrongPin, new ApiError.Refused("wrongPin",
                left == 1 ? "Wrong PIN. One more wrong PIN locks this Cloud Key." : $"Wrong PIN. {left} attempts left.", left));
        }

        if (await keys.Where(k => k.Id == key.Id && k.LockedAt == null).ExecuteUpdateAsync(s => s.SetProperty(k => k.LockedAt, now), ct) == 1)
        {
            // The lock was a bulk update, which the audit interceptor does not see: this note puts it in the
            // audit log as the system's doing, saved here on its own.
            db.PendingAuditNotes.Add(new AuditNote(key.OrganizationId, "cloudKeyCredential", key.Id.ToString(), "locked",
                new Dictionary<string, object?> { ["failedPinAttempts"] = failed }));
            await db.SaveChangesAsync(ct);
            LogLocked(logger, key.Id, failed);
        }

        return await refuse(AccessReason.WrongPin, Locked);
    }

    /// <summary>Marks a one-time key used; null when this request won, else why it lost.</summary>
    private async Task<(AccessReason Reason, ApiError Refusal)?> SpendAsync(Guid id, DateTimeOffset now, CancellationToken ct)
    {
        var keys = db.Credentials.OfType<CloudKeyCredential>();
        var spent = await keys.Where(k => k.Id == id && k.UsedAt == null && k.RevokedAt == null && k.LockedAt == null)
            .ExecuteUpdateAsync(s => s.SetProperty(k => k.UsedAt, now), ct);
        if (spent == 1)
        {
            return null;
        }

        var state = await keys.AsNoTracking().Where(k => k.Id == id).Select(k => new { k.RevokedAt, k.LockedAt }).SingleAsync(ct);
        return state.RevokedAt is not null ? (AccessReason.CredentialRevoked, Revoked)
            : state.LockedAt is not null ? (AccessReason.CredentialLocked, Locked)
            : (AccessReason.CredentialUsed, Used);
    }

    /// <summary>The key with this token, untracked, in whichever organization holds it.</summary>
    private async Task<CloudKeyCredential?> FindAsync(string token, CancellationToken ct)
    {
        if (!CloudKeySecrets.IsWellFormedToken(token))
        {
            return null;
        }

        var hash = CloudKeySecrets.HashToken(token);
        return await db.Credentials.IgnoreQueryFilters().OfType<CloudKeyCredential>().AsNoTracking()
            .SingleOrDefaultAsync(k => k.TokenHash == hash, ct);
    }

    /// <summary>
    /// Makes the key's organization the current one: the caller has no account, so the query filters, the
    /// access events and the audit log of this request are the key's organization's from here on.
    /// </summary>
    private void EnterOrganizationOf(CloudKeyCredential key) => organization.Set(key.OrganizationId);

    private static AccessEvent Event(
        CloudKeyCredential key, Guid doorId, string doorName, string userName, DateTimeOffset at, bool granted, AccessReason reason) => new()
    {
        OccurredAt = at,
        DoorId = doorId,
        DoorName = doorName,
        UserId = key.UserId,
        UserName = userName,
        CredentialId = key.Id,
        CredentialType = CredentialType.CloudKey,
        Granted = granted,
        Reason = reason,
        Source = AccessEventSource.CloudKey,
    };

    [LoggerMessage(Level = LogLevel.Information, Message = "Cloud Key {CredentialId} opened door {DoorId} through device {DeviceId} (command {CommandId})")]
    private static partial void LogUnlocked(ILogger logger, Guid credentialId, Guid doorId, Guid deviceId, Guid commandId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Cloud Key {CredentialId}: door {DoorId} was sent command {CommandId} through device {DeviceId} but did not confirm it ({Outcome})")]
    private static partial void LogNotConfirmed(ILogger logger, Guid credentialId, Guid doorId, Guid deviceId, Guid commandId, UnlockOutcome outcome);

    [LoggerMessage(Level = LogLevel.Information, Message = "Cloud Key {CredentialId} did not open door {DoorId}: {Reason}")]
    private static partial void LogRefused(ILogger logger, Guid credentialId, Guid doorId, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Cloud Key {CredentialId} locked after {FailedPinAttempts} wrong PINs")]
    private static partial void LogLocked(ILogger logger, Guid credentialId, int failedPinAttempts);
}
