using Gatehouse.Core.Cards;
using Gatehouse.Core.DeviceProtocol;
using Gatehouse.Faces;
using Gatehouse.Server.Data;
using Gatehouse.Server.Features.Audit;
using Gatehouse.Server.Features.Credentials;
using Gatehouse.Server.Features.Devices.Gateway;
using Gatehouse.Server.Features.Faces;
using Gatehouse.Server.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace Gatehouse.Server.Features.Devices.Enrollments;

/// <summary>
/// Starts an enrollment at <see cref="DeviceId"/>. For a face, <see cref="NoticeVersion"/> is the consent notice's
/// version the administrator showed the person (optional; a different current version is a 409).
/// </summary>
internal sealed record StartEnrollmentRequest(Guid? DeviceId, int? NoticeVersion = null);

/// <summary>
/// Enrolling credentials at a device: started by an admin, completed by what the device captures, or
/// ended by a cancel or the timeout. Every way an enrollment ends updates it only while it is still
/// pending (its status is a concurrency token), so exactly one of them wins.
/// </summary>
internal sealed partial class EnrollmentService(
    GatehouseDbContext db,
    DeviceGateway gateway,
    FaceEnrollmentService faces,
    TimeProvider clock,
    EnrollmentSweeper sweeper,
    ILogger<EnrollmentService> logger)
{
    public const string NoLongerOpenPrompt = "Enrollment is no longer open";
    public const string CancelledPrompt = "Enrollment cancelled";
    public const string TimedOutPrompt = "Enrollment timed out";
    public const string CardEnrolledPrompt = "Card enrolled";
    public const string CardTakenPrompt = "This card is already enrolled";
    public const string CardUnreadablePrompt = "Card not read, try again";
    public const string FaceEnrolledPrompt = "Face enrolled";
    public const string FaceUnreadablePrompt = "Face not read, try again";

    public async Task<Result<EnrollmentDto>> GetAsync(Guid id, CancellationToken ct) =>
        await db.Enrollments.AsNoTracking().SingleOrDefaultAsync(e => e.Id == id, ct) is { } enrollment
            ? enrollment.ToDto()
            : new ApiError.NotFound("The enrollment");

    /// <summary>Has the device wait for a card for the user; the card is recorded as added by <paramref name="startedBy"/>.</summary>
    public Task<Result<EnrollmentDto>> StartCardAsync(Guid userId, StartEnrollmentRequest request, AuditActor startedBy, CancellationToken ct) =>
        StartAsync(userId, request, EnrollmentKind.Card, startedBy, consent: null, ct);

    /// <summary>
    /// Has the device capture the user's face. Pressing Select is <paramref name="startedBy"/> confirming the person's
    /// consent (from <paramref name="remoteAddress"/>, under the current notice), which the face credential records.
    /// </summary>
    public async Task<Result<EnrollmentDto>> StartFaceAsync(
        Guid userId, StartEnrollmentRequest request, AuditActor startedBy, string? remoteAddress, CancellationToken ct)
    {
        var notice = await faces.ConsentNoticeVersionAsync(request.NoticeVersion, ct);
        if (notice.Error is { } error)
        {
            return error;
        }

        var address = remoteAddress is { Length: > 64 } longer ? longer[..64] : remoteAddress;
        return await StartAsync(userId, request, EnrollmentKind.Face, startedBy, (address, notice.Value), ct);
    }

    /// <summary>
    /// Has the device capture a credential of <paramref name="kind"/> for the user. The device does one
    /// enrollment at a time, so an unfinished one there is cancelled: the admin who pressed Select last is
    /// the one at the device.
    /// </summary>
    private async Task<Result<EnrollmentDto>> StartAsync(
        Guid userId, StartEnrollmentRequest request, EnrollmentKind kind, AuditActor startedBy, (string? Address, int Notice)? consent, CancellationToken ct)
    {
        if (!await db.Users.AnyAsync(u => u.Id == userId, ct))
        {
            return new ApiError.NotFound("The user");
        }

        if (request.DeviceId is not { } deviceId)
        {
            return ApiError.Invalid.Field("deviceId", "This field is required.");
        }

        var device = await db.Devices.AsNoTracking().SingleOrDefaultAsync(d => d.Id == deviceId, ct);
        if (device is null)
        {
            return ApiError.Invalid.Field("deviceId", "The device was not found.");
        }

        var now = clock.GetUtcNow();
        if (!await db.DeviceStates.AnyAsync(s => s.DeviceId == deviceId && s.Online && (s.OnlineUntil == null || s.OnlineUntil > now), ct))
        {
            return new ApiError.Conflict($"The device “{device.Name}” is offline. Enrolling needs a device that is online.");
        }

        foreach (var unfinished in await db.Enrollments.Where(e => e.DeviceId == deviceId && e.Status == EnrollmentStatus.Pending).ToListAsync(ct))
        {
            unfinished.Finish(EnrollmentStatus.Cancelled, now, "Another enrollment was started at the same device.");
        }

        var enrollment = new Enrollment
        {
            UserId = userId,
            DeviceId = deviceId,
            Kind = kind,
            Status = EnrollmentStatus.Pending,
            StartedById = startedBy.Id,
            StartedBy = startedBy.Name,
            ConsentRemoteAddress = consent?.Address,
            ConsentNoticeVersion = consent?.Notice,
            CreatedAt = now,
            ExpiresAt = now + Enrollment.Timeout,
        };
        db.Enrollments.Add(enrollment);
        if (!await TrySaveAsync(ct))
        {
            return new ApiError.Conflict("Another enrollment at this device ended just now. Try again.");
        }

        // Saved before it is sent: a device may answer faster than a later save would land. The command's ID is the
        // enrollment's, so a device's refusal of the command (no camera) finds the enrollment it ends.
        var command = new EnrollCommand(enrollment.Id, now, enrollment.Id, kind, enrollment.ExpiresAt);
        if (!await gateway.SendAsync(device.OrganizationId, deviceId, command, ct))
        {
            enrollment.Finish(EnrollmentStatus.Failed, now, "The device could not be reached.");
            await TrySaveAsync(ct);
            return new ApiError.Conflict($"The device “{device.Name}” could not be reached. Check that it is online and try again.");
        }

        sweeper.Wake();
        LogStarted(logger, enrollment.Id, userId, deviceId);
        return enrollment.ToDto();
    }

    /// <summary>Cancels a pending enrollment and tells the device to stop waiting; a finished one is a 409.</summary>
    public async Task<Result<EnrollmentDto>> CancelAsync(Guid id, CancellationToken ct)
    {
        var enrollment = await db.Enrollments.SingleOrDefaultAsync(e => e.Id == id, ct);
        if (enrollment is null)
        {
            return new ApiError.NotFound("The enrollment");
        }

        var now = clock.GetUtcNow();
        if (enrollment.Status != EnrollmentStatus.Pending)
        {
            return Finished(enrollment);
        }

        enrollment.Finish(EnrollmentStatus.Cancelled, now);
        if (!await TrySaveAsync(ct))
        {
            return Finished(await db.Enrollments.AsNoTracking().SingleAsync(e => e.Id == id, ct));
        }

        await gateway.SendAsync(enrollment.OrganizationId, enrollment.DeviceId,
            new CancelEnrollmentCommand(Guid.CreateVersion7(), now, id, CancelledPrompt), ct);
        LogEnded(logger, id, EnrollmentStatus.Cancelled);
        return enrollment.ToDto();
    }

    /// <summary>
    /// Takes what <paramref name="deviceId"/> captured for an enrollment (the current organization must be
    /// the device's): makes the credential, or fails the enrollment, and tells the device the outcome.
    /// A capture for an enrollment that is not pending at that device changes nothing.
    /// </summary>
    public async Task CaptureAsync(Guid deviceId, EnrollmentCapturedReply reply, CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        var enrollment = await db.Enrollments.SingleOrDefaultAsync(e => e.Id == reply.EnrollmentId && e.DeviceId == deviceId, ct);
        if (enrollment is not { Status: EnrollmentStatus.Pending } || enrollment.Kind != reply.Kind)
        {
            LogNotOpen(logger, reply.EnrollmentId, deviceId);
            await TellAsync(deviceId, reply.EnrollmentId, false, NoLongerOpenPrompt, ct);
            return;
        }

        if (enrollment.ExpiresAt <= now)
        {
            // Presented after the time the admin was promised, before the sweeper came by: it timed out.
            await TimeOutAsync(enrollment, now, ct);
            await TellAsync(deviceId, enrollment.Id, false, NoLongerOpenPrompt, ct);
            return;
        }

        switch (enrollment.Kind)
        {
            case EnrollmentKind.Card:
                await CaptureCardAsync(enrollment, reply.Card, now, ct);
                break;
            default:
                await CaptureFaceAsync(enrollment, reply, now, ct);
                break;
        }
    }

    /// <summary>
    /// The device said it went offline (or its last will did): its pending enrollment fails now, so the admin learns
    /// it at once rather than at the timeout, and a capture it sends later is not taken.
    /// </summary>
    public async Task DeviceOfflineAsync(Guid deviceId, CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        foreach (var enrollment in await db.Enrollments.Where(e => e.DeviceId == deviceId && e.Status == EnrollmentStatus.Pending).ToListAsync(ct))
        {
            enrollment.Finish(EnrollmentStatus.Failed, now, "The device went offline. Check its network and try again.");
            if (await TrySaveAsync(ct))
            {
                LogEnded(logger, enrollment.Id, EnrollmentStatus.Failed);
            }
        }
    }

    /// <summary>
    /// A device refused an enroll command (it has no camera, or no face engine): the enrollment it started fails
    /// with the device's words, rather than wait for its timeout. Other commands' answers change nothing here.
    /// </summary>
    public async Task RefusedAsync(Guid deviceId, CommandDoneReply done, string error, CancellationToken ct)
    {
        if (done.Succeeded)
        {
            return;
        }

        var enrollment = await db.Enrollments.SingleOrDefaultAsync(e => e.Id == done.CommandId && e.DeviceId == deviceId, ct);
        if (enrollment is { Status: EnrollmentStatus.Pending })
        {
            enrollment.Finish(EnrollmentStatus.Failed, clock.GetUtcNow(), $"The device cannot do this: {error}");
            if (await TrySaveAsync(ct))
            {
                LogEnded(logger, enrollment.Id, EnrollmentStatus.Failed);
            }
        }
    }

    /// <summary>Ends an enrollment whose time is up (the sweeper calls this in the enrollment's organization).</summary>
    public async Task ExpireAsync(Guid id, CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        var enrollment = await db.Enrollments.SingleOrDefaultAsync(e => e.Id == id, ct);
        if (enrollment is { Status: EnrollmentStatus.Pending } && enrollment.ExpiresAt <= now && await TimeOutAsync(enrollment, now, ct))
        {
            await gateway.SendAsync(enrollment.OrganizationId, enrollment.DeviceId,
                new CancelEnrollmentCommand(Guid.CreateVersion7(), now, id, TimedOutPrompt), ct);
        }
    }

    private async Task CaptureCardAsync(Enrollment enrollment, string? text, DateTimeOffset now, CancellationToken ct)
    {
        if (!CardIdentity.TryParse(text, out var card))
        {
            await FailAsync(enrollment, now, "The device sent a card it could not read. Try again.", CardUnreadablePrompt, ct);
            return;
        }

        if (await HolderOfAsync(card, ct) is { } holder)
        {
            await FailAsync(enrollment, now, $"This card already belongs to {holder}.", CardTakenPrompt, ct);
            return;
        }

        var credential = CardCredential.For(enrollment.UserId, card);
        credential.Status = CredentialStatus.Active;
        credential.CreatedAt = now;
        credential.UpdatedAt = now;
        db.Credentials.Add(credential);
        enrollment.Finish(EnrollmentStatus.Completed, now, credentialId: credential.Id);
        try
        {
            // One save: the credential exists exactly when the enrollment says it was completed. The device only
            // read the card; the audit log names the administrator who asked for it.
            db.ActingFor = enrollment.StartedBy is { } startedBy ? new AuditActor(enrollment.StartedById, startedBy) : null;
            try
            {
                await db.SaveChangesAsync(ct);
            }
            finally
            {
                db.ActingFor = null;
            }
        }
        catch (DbUpdateConcurrencyException)
        {
            // Cancelled or timed out while the card was on its way.
            db.ChangeTracker.Clear();
            LogNotOpen(logger, enrollment.Id, enrollment.DeviceId);
            await TellAsync(enrollment.DeviceId, enrollment.Id, false, NoLongerOpenPrompt, ct);
            return;
        }
        catch (DbUpdateException ex) when (ex.IsUniqueViolation())
        {
            // The same card was added to someone in the meantime.
            db.ChangeTracker.Clear();
            var fresh = await db.Enrollments.SingleAsync(e => e.Id == enrollment.Id, ct);
            var owner = await HolderOfAsync(card, ct) ?? "someone else";
            await FailAsync(fresh, now, $"This card already belongs to {owner}.", CardTakenPrompt, ct);
            return;
        }

        var masked = card.ToMaskedString();
        LogCardEnrolled(logger, credential.Id, enrollment.UserId, enrollment.DeviceId, masked);
        await TellAsync(enrollment.DeviceId, enrollment.Id, true, CardEnrolledPrompt, ct);
    }

    /// <summary>
    /// Turns the frame a device chose into the user's face exactly as a photo upload would (the same analysis, checks
    /// and duplicate search), with the consent the administrator confirmed at Select. The frame arrives sealed with
    /// the device's face key; one that does not open is refused. A device that saw no usable face says why.
    /// </summary>
    private async Task CaptureFaceAsync(Enrollment enrollment, EnrollmentCapturedReply reply, DateTimeOffset now, CancellationToken ct)
    {
        if (reply.Face is not { } sealedFace)
        {
            var said = FacePrompts.TryParse(reply.FaceRejection, out var why) ? why : FaceRejection.NoFace;
            await FailAsync(enrollment, now, $"The device saw no face it could use ({FacePrompts.Name(said)}): “{FacePrompts.For(said)}”.", FacePrompts.For(said), ct);
            return;
        }

        var secretHash = await db.Devices.Where(d => d.Id == enrollment.DeviceId).Select(d => d.SecretHash).SingleOrDefaultAsync(ct);
        var image = secretHash is { Length: > 0 }
            ? DeviceChannelCipher.TryOpen(
                FaceTemplateSeal.DeriveKey(secretHash, enrollment.DeviceId), sealedFace, EnrollmentCapturedReply.FaceContext(enrollment.Id))
            : null;
        if (image is null)
        {
            LogUnsealFailed(logger, enrollment.Id, enrollment.DeviceId);
            await FailAsync(enrollment, now, "The device sent a face that could not be decrypted. Try again; if it happens again, claim the device again.", FaceUnreadablePrompt, ct);
            return;
        }

        var consent = new FaceConsentInput(true, enrollment.StartedById, enrollment.ConsentRemoteAddress, enrollment.ConsentNoticeVersion);
        using var photo = new MemoryStream(image, writable: false);
        var prepared = await faces.PrepareAsync(enrollment.UserId, photo, consent, invitationId: null, ct);
        if (prepared.Error is { } error)
        {
            var (message, prompt) = error switch
            {
                ApiError.PhotoRejected rejected => (rejected.Detail, FacePrompts.For(rejected.Reason)),
                _ => (FormErrorText(error), FaceUnreadablePrompt),
            };
            await FailAsync(enrollment, now, message.Length <= Enrollment.ErrorMaxLength ? message : message[..Enrollment.ErrorMaxLength], prompt, ct);
            return;
        }

        var credential = prepared.Value!;
        db.Credentials.Add(credential);
        enrollment.Finish(EnrollmentStatus.Completed, now, credentialId: credential.Id);
        if (!await SaveCredentialAsync(enrollment, ct))
        {
            return;
        }

        faces.LogEnrolled(credential);
        await TellAsync(enrollment.DeviceId, enrollment.Id, true, FaceEnrolledPrompt, ct);
    }

    /// <summary>
    /// Saves a credential with the enrollment it completes, in one save, credited to the administrator who started it;
    /// false (the device told) when the enrollment was cancelled or timed out meanwhile, so nothing was saved.
    /// </summary>
    private async Task<bool> SaveCredentialAsync(Enrollment enrollment, CancellationToken ct)
    {
        db.ActingFor = enrollment.StartedBy is { } startedBy ? new AuditActor(enrollment.StartedById, startedBy) : null;
        try
        {
            await db.SaveChangesAsync(ct);
            return true;
        }
        catch (DbUpdateConcurrencyException)
        {
            db.ChangeTracker.Clear();
            LogNotOpen(logger, enrollment.Id, enrollment.DeviceId);
            await TellAsync(enrollment.DeviceId, enrollment.Id, false, NoLongerOpenPrompt, ct);
            return false;
        }
        finally
        {
            db.ActingFor = null;
        }
    }

    private static string FormErrorText(ApiError error) => error.ToProblemDetails().Detail ?? "The face could not be enrolled.";

    /// <summary>"First Last" of the user who holds the card in this organization, if anyone does.</summary>
    private async Task<string?> HolderOfAsync(CardIdentity card, CancellationToken ct)
    {
        var identity = card.ToString();
        return await db.Credentials.OfType<CardCredential>()
            .Where(c => c.Identity == identity)
            .Join(db.Users, c => c.UserId, u => u.Id, (c, u) => u.FirstName + " " + u.LastName)
            .FirstOrDefaultAsync(ct);
    }

    private async Task FailAsync(Enrollment enrollment, DateTimeOffset now, string error, string prompt, CancellationToken ct)
    {
        enrollment.Finish(EnrollmentStatus.Failed, now, error);
        if (!await TrySaveAsync(ct))
        {
            await TellAsync(enrollment.DeviceId, enrollment.Id, false, NoLongerOpenPrompt, ct);
            return;
        }

        LogEnded(logger, enrollment.Id, EnrollmentStatus.Failed);
        await TellAsync(enrollment.DeviceId, enrollment.Id, false, prompt, ct);
    }

    private async Task<bool> TimeOutAsync(Enrollment enrollment, DateTimeOffset now, CancellationToken ct)
    {
        var what = enrollment.Kind == EnrollmentKind.Face ? "face" : "card";
        enrollment.Finish(EnrollmentStatus.TimedOut, now, $"No {what} was presented within {Enrollment.Timeout.TotalSeconds:0} seconds.");
        if (!await TrySaveAsync(ct))
        {
            return false;
        }

        LogEnded(logger, enrollment.Id, EnrollmentStatus.TimedOut);
        return true;
    }

    /// <summary>Saves; false when an enrollment being finished was finished by someone else first (nothing is saved then).</summary>
    private async Task<bool> TrySaveAsync(CancellationToken ct)
    {
        try
        {
            await db.SaveChangesAsync(ct);
            return true;
        }
        catch (DbUpdateConcurrencyException)
        {
            db.ChangeTracker.Clear();
            return false;
        }
    }

    private async Task TellAsync(Guid deviceId, Guid enrollmentId, bool succeeded, string prompt, CancellationToken ct)
    {
        var organizationId = await db.Devices.Where(d => d.Id == deviceId).Select(d => (Guid?)d.OrganizationId).SingleOrDefaultAsync(ct);
        if (organizationId is { } organization)
        {
            await gateway.SendAsync(organization, deviceId,
                new EnrollmentOutcomeCommand(Guid.CreateVersion7(), clock.GetUtcNow(), enrollmentId, succeeded, prompt), ct);
        }
    }

    private static ApiError.Conflict Finished(Enrollment enrollment) =>
        new($"The enrollment has already ended ({enrollment.Status.ToApiName()}); only a pending one can be cancelled.");

    [LoggerMessage(Level = LogLevel.Information, Message = "Enrollment {EnrollmentId} started for user {UserId} at device {DeviceId}")]
    private static partial void LogStarted(ILogger logger, Guid enrollmentId, Guid userId, Guid deviceId);

    [LoggerMessage(Level = LogLevel.Information, Message = "Card credential {CredentialId} ({Card}) enrolled for user {UserId} at device {DeviceId}")]
    private static partial void LogCardEnrolled(ILogger logger, Guid credentialId, Guid userId, Guid deviceId, string card);

    [LoggerMessage(Level = LogLevel.Warning, Message = "The face device {DeviceId} sent for enrollment {EnrollmentId} did not decrypt under its face key; refused")]
    private static partial void LogUnsealFailed(ILogger logger, Guid enrollmentId, Guid deviceId);

    [LoggerMessage(Level = LogLevel.Information, Message = "Enrollment {EnrollmentId} ended: {Status}")]
    private static partial void LogEnded(ILogger logger, Guid enrollmentId, EnrollmentStatus status);

    [LoggerMessage(Level = LogLevel.Information, Message = "Device {DeviceId} sent a capture for enrollment {EnrollmentId}, which is not open there; ignored")]
    private static partial void LogNotOpen(ILogger logger, Guid enrollmentId, Guid deviceId);
}

internal static class EnrollmentStatusNames
{
    /// <summary>The status as the API spells it.</summary>
    public static string ToApiName(this EnrollmentStatus status) => status switch
    {
        EnrollmentStatus.Pending => "pending",
        EnrollmentStatus.Completed => "completed",
        EnrollmentStatus.Failed => "failed",
        EnrollmentStatus.TimedOut => "timedOut",
        _ => "cancelled",
    };
}
