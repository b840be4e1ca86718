using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text.Json;
using Gatehouse.Core.Decisions;
using Gatehouse.Core.Mobile;
using Gatehouse.Server.Data;
using Gatehouse.Server.Features.CloudKeys;
using Gatehouse.Server.Features.Credentials;
using Gatehouse.Server.Features.Decisions;
using Gatehouse.Server.Features.Devices;
using Gatehouse.Server.Features.Events;
using Gatehouse.Server.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Gatehouse.Server.Features.Mobile;

internal sealed record MobileActivateRequest(string? Code, JsonElement? PublicKey, string? DeviceName);

internal sealed record MobileActivated(Guid CredentialId, Guid OrganizationId, string OrganizationName, string FirstName);

internal sealed record MobileChallengeDto(string Challenge, DateTimeOffset ExpiresAt);

internal sealed record MobileProofRequest(string? Challenge, string? Signature);

internal sealed record MobileUnlockRequest(Guid? DoorId, string? Challenge, string? Signature);

/// <summary>What the app shows on its home screen: who it belongs to, and the doors with when they open.</summary>
internal sealed record MobileDoorsDto(string OrganizationName, string FirstName, string LastName, CredentialStatus Status, IReadOnlyList<CredentialDoorDto> Doors);

internal sealed record MobileUnlocked(bool Unlocked, Guid DoorId, string DoorName, Guid EventId);

/// <summary>
/// The app's side of mobile credentials, for whoever holds the phone (no account; the phone's key is the proof).
/// Activation binds a pending credential to a phone's public key with the one-time code of its welcome message;
/// after that every call but a challenge carries the phone's signature of a fresh challenge, which one conditional
/// update spends. Each operation enters the credential's organization (the calls name none), and every unlock
/// attempt that names a door of it is an access event.
/// </summary>
internal sealed partial class MobileAccess(
    GatehouseDbContext db,
    CurrentOrganization organization,
    AccessSnapshotCache snapshots,
    RemoteUnlockService unlocks,
    AccessEventWriter events,
    IOptions<MobileOptions> options,
    TimeProvider clock,
    ILogger<MobileAccess> logger)
{
    private const int ChallengeBytes = 32;

    /// <summary>Answered or expired challenges a credential gathers before they are cleared.</summary>
    private const int StaleChallengesKept = 50;

    /// <summary>
    /// Binds the credential to the phone's key: 404 for an unknown code, 410 for a used or expired one, 400 naming the
    /// field for a key that is not P-256 or a bad phone name (nothing is changed then; the code still works).
    /// </summary>
    public async Task<Result<MobileActivated>> ActivateAsync(MobileActivateRequest request, CancellationToken ct)
    {
        var v = new Validation();
        byte[]? key = null;
        if (request.PublicKey is not { ValueKind: JsonValueKind.Object } jwk)
        {
            v.Add("publicKey", "This field is required: the phone's public key as a JWK.");
        }
        else if (!MobileKeys.TryFromJwk(Member(jwk, "kty"), Member(jwk, "crv"), Member(jwk, "x"), Member(jwk, "y"), out key, out var keyError))
        {
            v.Add("publicKey", keyError);
        }

        var deviceName = request.DeviceName?.Trim();
        v.Text("deviceName", deviceName, MobileCredentialConfiguration.DeviceNameMaxLength);

        if (!CloudKeySecrets.IsWellFormedToken(request.Code))
        {
            return UnknownCode;
        }

        var hash = CloudKeySecrets.HashToken(request.Code!);
        var credential = await db.Credentials.IgnoreQueryFilters().OfType<MobileCredential>().SingleOrDefaultAsync(c => c.ActivationCodeHash == hash, ct);
        if (credential is null)
        {
            return UnknownCode;
        }

        organization.Set(credential.OrganizationId);
        var now = clock.GetUtcNow();
        if (credential.ActivationUsedAt is not null || credential.PublicKey is not null)
        {
            LogActivationRefused(logger, credential.Id, "used");
            return UsedCode;
        }

        if (credential.ActivationExpiresAt <= now)
        {
            LogActivationRefused(logger, credential.Id, "expired");
            return ExpiredCode;
        }

        if (!v.IsValid)
        {
            return v.ToError();
        }

        // The code is spent by one conditional update inside the transaction that binds the key: of two phones
        // opening the link at once, one binds and the other is told the link was used. A failure leaves it unspent.
        await using (var transaction = await db.Database.BeginTransactionAsync(ct))
        {
            var spent = await db.Credentials.OfType<MobileCredential>()
                .Where(c => c.Id == credential.Id && c.ActivationCodeHash == hash && c.ActivationUsedAt == null && c.PublicKey == null)
                .ExecuteUpdateAsync(s => s.SetProperty(c => c.ActivationUsedAt, now), ct);
            if (spent != 1)
            {
                LogActivationRefused(logger, credential.Id, "used");
                return UsedCode;
            }

            credential.ActivationUsedAt = now;
            db.Entry(credential).Property(c => c.ActivationUsedAt).IsModified = false;
            credential.PublicKey = MobileKeys.ToText(key!);
            credential.DeviceName = deviceName;
            credential.ActivatedAt = now;
            credential.UpdatedAt = now;
            await db.SaveChangesAsync(ct);
            await transaction.CommitAsync(ct);
        }

        var user = await db.Users.AsNoTracking().Where(u => u.Id == credential.UserId).Select(u => u.FirstName).SingleAsync(ct);
        var organizationName = await db.Organizations.AsNoTracking().Where(o => o.Id == credential.OrganizationId).Select(o => o.Name).SingleAsync(ct);
        LogActivated(logger, credential.Id);
        return new MobileActivated(credential.Id, credential.OrganizationId, organizationName, user);
    }

    /// <summary>A fresh challenge for an active credential; 404 for any other ID, 429 when too many are open.</summary>
    public async Task<Result<MobileChallengeDto>> ChallengeAsync(Guid credentialId, CancellationToken ct)
    {
        if (await FindActiveAsync(credentialId, ct) is not { } credential)
        {
            return UnknownCredential;
        }

        var now = clock.GetUtcNow();
        var lifetime = options.Value.ChallengeLifetime;

        // Answered and expired challenges are kept a while, so a late replay is told apart from a forgery, and
        // cleared once a credential has gathered a few (one read per challenge, a delete only now and then).
        var ofCredential = db.MobileChallenges.Where(c => c.CredentialId == credential.Id);
        if (await ofCredential.CountAsync(ct) >= StaleChallengesKept + options.Value.MaxOpenChallenges)
        {
            await ofCredential.Where(c => c.ExpiresAt < now - lifetime).ExecuteDeleteAsync(ct);
        }

        var open = await ofCredential.CountAsync(c => c.UsedAt == null && c.ExpiresAt > now, ct);

        if (open >= options.Value.MaxOpenChallenges)
        {
            LogTooManyChallenges(logger, credential.Id, open);
            return new ApiError.RateLimited((int)Math.Ceiling(lifetime.TotalSeconds));
        }

        var challenge = new MobileChallenge
        {
            CredentialId = credential.Id,
            Value = Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(ChallengeBytes)),
            ExpiresAt = now + lifetime,
        };
        db.MobileChallenges.Add(challenge);
        await db.SaveChangesAsync(ct);
        return new MobileChallengeDto(challenge.Value, challenge.ExpiresAt);
    }

    /// <summary>
    /// The app's home screen, for a signed challenge (purpose <c>doors</c>); 403 with the reason when the proof fails, or
    /// when the credential or its user opens no door at all now (suspended, expired, not valid yet).
    /// </summary>
    public async Task<Result<MobileDoorsDto>> DoorsAsync(Guid credentialId, MobileProofRequest request, CancellationToken ct)
    {
        if (await FindActiveAsync(credentialId, ct) is not { } credential)
        {
            return UnknownCredential;
        }

        var now = clock.GetUtcNow();
        var proof = await ProveAsync(credential, MobileProofPurpose.Doors, request.Challenge, request.Signature, null, now, ct);
        if (proof != AccessReason.Granted)
        {
            LogRefused(logger, credential.Id, null, proof);
            return Refusal(proof);
        }

        var user = await db.Users.AsNoTracking().Where(u => u.Id == credential.UserId).Select(u => new { u.FirstName, u.LastName }).SingleAsync(ct);
        var organizationName = await db.Organizations.AsNoTracking().Where(o => o.Id == credential.OrganizationId).Select(o => o.Name).SingleAsync(ct);
        var snapshot = await snapshots.GetAsync(credential.OrganizationId, ct);
        var doors = await CredentialDoors.ListAsync(db, snapshot, credential.UserId, credential.Id, usable: true, now, ct);

        // A phone or a person that opens nothing at all (suspended, expired) is told so, not shown closed doors.
        if (doors.Count > 0 && snapshot.DecideCredential(credential.Id, doors[0].Id, now).Reason is var standing && ClosesEveryDoor(standing))
        {
            LogRefused(logger, credential.Id, null, standing);
            return Refusal(standing);
        }

        return new MobileDoorsDto(organizationName, user.FirstName, user.LastName, credential.Status, doors);
    }

    /// <summary>
    /// Opens the door for a signed challenge (purpose <c>unlock</c>, naming the door), or says why not:
    /// <see cref="ApiError.Refused"/> (403 with the reason), <see cref="ApiError.DeviceUnavailable"/> (409),
    /// <see cref="ApiError.DoorDidNotAnswer"/> (504), or <see cref="ApiError.NotFound"/> for an unknown credential.
    /// </summary>
    public async Task<Result<MobileUnlocked>> UnlockAsync(Guid credentialId, MobileUnlockRequest request, CancellationToken ct)
    {
        var v = new Validation();
        if (request.DoorId is null)
        {
            v.Add("doorId", "This field is required.");
        }

        if (await FindActiveAsync(credentialId, ct) is not { } credential)
        {
            return UnknownCredential;
        }

        if (!v.IsValid)
        {
            return v.ToError();
        }

        var doorId = request.DoorId!.Value;
        var now = clock.GetUtcNow();
        var door = await db.Doors.AsNoTracking().Where(d => d.Id == doorId).Select(d => new { d.Id, d.Name }).SingleOrDefaultAsync(ct);
        var user = await db.Users.AsNoTracking().Where(u => u.Id == credential.UserId).Select(u => new { u.FirstName, u.LastName }).SingleAsync(ct);
        var userName = $"{user.FirstName} {user.LastName}";

        async Task<ApiError> RefuseAsync(AccessReason reason)
        {
            if (door is not null)
            {
                await events.AppendAsync(new AccessEvent
                {
                    OccurredAt = now,
                    DoorId = door.Id,
                    DoorName = door.Name,
                    UserId = credential.UserId,
                    UserName = userName,
                    CredentialId = credential.Id,
                    CredentialType = CredentialType.Mobile,
                    Granted = false,
                    Reason = reason,
                    Source = AccessEventSource.Mobile,
                }, ct);
            }

            LogRefused(logger, credential.Id, doorId, reason);
            return Refusal(reason);
        }

        var proof = await ProveAsync(credential, MobileProofPurpose.Unlock, request.Challenge, request.Signature, doorId, now, ct);
        if (proof != AccessReason.Granted)
        {
            return await RefuseAsync(proof);
        }

        if (door is null)
        {
            return await RefuseAsync(AccessReason.NoAccessToDoor);
        }

        var decision = (await snapshots.GetAsync(credential.OrganizationId, ct)).DecideCredential(credential.Id, door.Id, now);
        if (!decision.Granted)
        {
            return await RefuseAsync(decision.Reason);
        }

        var holder = new UnlockHolder(credential.UserId, userName, credential.Id, CredentialType.Mobile);
        var sent = await unlocks.SendUnlockAsync(door.Id, door.Name, AccessEventSource.Mobile, holder, ct);
        if (sent.Error is { } error)
        {
            LogDeviceUnavailable(logger, credential.Id, doorId);
            return new ApiError.DeviceUnavailable(error is ApiError.Conflict c ? c.Detail : "The door could not be unlocked. Try again.");
        }

        var outcome = await unlocks.ConfirmAsync(sent.Value!, ct);
        var (device, command, _) = sent.Value!;
        if (outcome != UnlockOutcome.Unlocked)
        {
            LogNotConfirmed(logger, credential.Id, door.Id, device.Id, command.Id, outcome);
            return outcome == UnlockOutcome.Refused
                ? new ApiError.DeviceUnavailable($"The device at “{door.Name}” could not unlock it. Try again.")
                : new ApiError.DoorDidNotAnswer($"“{door.Name}” did not answer, so it may not have opened. Try again.");
        }

        LogUnlocked(logger, credential.Id, door.Id, device.Id, command.Id);
        return new MobileUnlocked(true, door.Id, door.Name, command.Id);
    }

    /// <summary>
    /// Checks the phone's signature of the challenge for this purpose (and door), then spends the challenge:
    /// <see cref="AccessReason.Granted"/>, or <see cref="AccessReason.TokenInvalid"/> (a bad signature or a challenge
    /// never given), <see cref="AccessReason.TokenReplayed"/> or <see cref="AccessReason.TokenExpired"/>.
    /// </summary>
    private async Task<AccessReason> ProveAsync(
        MobileCredential credential, MobileProofPurpose purpose, string? challenge, string? signature, Guid? doorId, DateTimeOffset now, CancellationToken ct)
    {
        if (challenge is not { Length: > 0 and <= 64 } || !MobileKeys.TryFromText(credential.PublicKey, out var key)
            || !MobileProof.Verify(key, MobileProof.Message(purpose, credential.Id, challenge, doorId), signature))
        {
            return AccessReason.TokenInvalid;
        }

        var spent = await db.MobileChallenges
            .Where(c => c.CredentialId == credential.Id && c.Value == challenge && c.UsedAt == null && c.ExpiresAt > now)
            .ExecuteUpdateAsync(s => s.SetProperty(c => c.UsedAt, now), ct);
        if (spent == 1)
        {
            return AccessReason.Granted;
        }

        var found = await db.MobileChallenges.AsNoTracking().Where(c => c.CredentialId == credential.Id && c.Value == challenge)
            .Select(c => new { c.UsedAt }).SingleOrDefaultAsync(ct);
        return found is null ? AccessReason.TokenInvalid
            : found.UsedAt is not null ? AccessReason.TokenReplayed
            : AccessReason.TokenExpired;
    }

    /// <summary>The active (activated) mobile credential with this ID in whichever organization holds it, which becomes the current one.</summary>
    private async Task<MobileCredential?> FindActiveAsync(Guid id, CancellationToken ct)
    {
        var credential = await db.Credentials.IgnoreQueryFilters().OfType<MobileCredential>().AsNoTracking()
            .SingleOrDefaultAsync(c => c.Id == id && c.PublicKey != null, ct);
        if (credential is not null)
        {
            organization.Set(credential.OrganizationId);
        }

        return credential;
    }

    private static bool ClosesEveryDoor(AccessReason reason) => reason is AccessReason.CredentialSuspended or AccessReason.CredentialExpired
        or AccessReason.CredentialNotYetValid or AccessReason.UserSuspended or AccessReason.UserExpired or AccessReason.UserNotYetValid;

    private static string? Member(JsonElement jwk, string name) =>
        jwk.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    /// <summary>A refusal as the app shows it: the reason's API name and a sentence for the person holding the phone.</summary>
    private static ApiError.Refused Refusal(AccessReason reason) => new(reason.ToApiName(), reason switch
    {
        AccessReason.TokenInvalid => "Your phone's signature was not accepted. If this goes on, ask your administrator to send you a new link.",
        AccessReason.TokenExpired => "That took too long. Try again.",
        AccessReason.TokenReplayed => "That request was used already. Try again.",
        AccessReason.CredentialExpired or AccessReason.UserExpired => "Your mobile credential has expired.",
        AccessReason.CredentialNotYetValid or AccessReason.UserNotYetValid => "Your mobile credential is not valid yet.",
        AccessReason.CredentialSuspended or AccessReason.UserSuspended => "Your mobile credential is suspended.",
        AccessReason.OutsideSchedule or AccessReason.Holiday => "Your schedule does not open this door now.",
        _ => "Your mobile credential does not open this door.",
    });

    private static ApiError UnknownCode { get; } = new ApiError.NotFound("The activation link");

    private static ApiError UsedCode { get; } = new ApiError.Gone("used", "This link has been used already. Ask your administrator to send you a new one.");

    private static ApiError ExpiredCode { get; } = new ApiError.Gone("expired", "This link has expired. Ask your administrator to send you a new one.");

    private static ApiError UnknownCredential { get; } = new ApiError.NotFound("The mobile credential");

    [LoggerMessage(Level = LogLevel.Information, Message = "Mobile credential {CredentialId} activated on a phone")]
    private static partial void LogActivated(ILogger logger, Guid credentialId);

    [LoggerMessage(Level = LogLevel.Information, Message = "Mobile credential {CredentialId} was not activated: the link is {Why}")]
    private static partial void LogActivationRefused(ILogger logger, Guid credentialId, string why);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Mobile credential {CredentialId} asked for a challenge with {Open} open; refused")]
    private static partial void LogTooManyChallenges(ILogger logger, Guid credentialId, int open);

    [LoggerMessage(Level = LogLevel.Information, Message = "Mobile credential {CredentialId} opened door {DoorId} through device {DeviceId} (command {CommandId})")]
    private static partial void LogUnlocked(ILogger logger, Guid credentialId, Guid doorId, Guid deviceId, Guid commandId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Mobile credential {CredentialId}: door {DoorId} was sent command {CommandId} through device {DeviceId} but did not confirm it ({Outcome})")]
    private static partial void LogNotConfirmed(ILogger logger, Guid credentialId, Guid doorId, Guid deviceId, Guid commandId, UnlockOutcome outcome);

    [LoggerMessage(Level = LogLevel.Information, Message = "Mobile credential {CredentialId} was refused (door {DoorId}): {Reason}")]
    private static partial void LogRefused(ILogger logger, Guid credentialId, Guid? doorId, AccessReason reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "Mobile credential {CredentialId} could not open door {DoorId}: its device is unavailable")]
    private static partial void LogDeviceUnavailable(ILogger logger, Guid credentialId, Guid doorId);
}
