using Gatehouse.Server.Data;
using Gatehouse.Server.Features.CloudKeys;
using Gatehouse.Server.Features.Messaging;
using Gatehouse.Server.Features.Users;
using Gatehouse.Server.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Gatehouse.Server.Features.Faces;

/// <summary>
/// Selfie invitations: the administrator's side (create and send, list, revoke, resend) and the public side of the
/// link (the page's data, and the photo). Shared by the API and the admin console. The token is made and checked as
/// a Cloud Key's is (<see cref="CloudKeySecrets"/>: 256 bits from the CSPRNG, only its SHA-256 stored).
/// </summary>
internal sealed partial class FaceInvitationService(
    GatehouseDbContext db,
    CurrentOrganization organization,
    FaceEnrollmentService enrollment,
    FaceSettingsService settings,
    FaceEngineHost engine,
    Outbox outbox,
    PublicLinks links,
    IOptions<FaceInvitationOptions> options,
    TimeProvider clock,
    ILogger<FaceInvitationService> logger)
{
    private static readonly ApiError UnknownInvitation = new ApiError.NotFound("The invitation");

    /// <summary>Creates an invitation and sends its link by email and/or text. 400 naming the fields; 404 for the user.</summary>
    public async Task<Result<FaceInvitationDto>> CreateAsync(Guid userId, Guid? adminId, CreateFaceInvitationRequest request, CancellationToken ct)
    {
        var user = await db.Users.AsNoTracking().SingleOrDefaultAsync(u => u.Id == userId, ct);
        if (user is null)
        {
            return new ApiError.NotFound("The user");
        }

        // A link to a page that cannot enroll anyone would only disappoint.
        if (engine.Unavailable is { } off)
        {
            return off;
        }

        var now = clock.GetUtcNow();
        var maxValidity = options.Value.MaxValidity;
        var v = new Validation();
        MessageChannels.Check(v, user, request.SendEmail, request.SendText, "the invitation");
        if (request.ExpiresAt is not { } expiresAt)
        {
            v.Add("expiresAt", "This field is required: an invitation is always for a limited time.");
        }
        else if (expiresAt <= now)
        {
            v.Add("expiresAt", "Must be in the future.");
        }
        else if (expiresAt > now + maxValidity)
        {
            v.Add("expiresAt", string.Create(System.Globalization.CultureInfo.InvariantCulture, $"May be at most {maxValidity.TotalDays:0.##} days from now."));
        }

        if (!v.IsValid)
        {
            return v.ToError();
        }

        if (!links.TryGetBase(out var linkBase))
        {
            return PublicLinks.NotConfigured;
        }

        var invitation = new FaceInvitation
        {
            UserId = userId,
            SendEmail = request.SendEmail,
            SendText = request.SendText,
            ExpiresAt = request.ExpiresAt!.Value,
            CreatedAt = now,
            CreatedByAdminId = adminId,
        };
        db.FaceInvitations.Add(invitation);
        await IssueAsync(invitation, user, linkBase, now, ct);
        await db.SaveChangesAsync(ct);
        LogCreated(logger, invitation.Id, userId, invitation.SendEmail, invitation.SendText);
        return invitation.ToDto(now, options.Value.MaxUploads);
    }

    /// <summary>The user's invitations, newest first.</summary>
    public async Task<Result<PagedList<FaceInvitationDto>>> ListAsync(Guid userId, int? page, int? pageSize, CancellationToken ct)
    {
        if (Paging.Check(page, pageSize) is { } error)
        {
            return error;
        }

        if (!await db.Users.AnyAsync(u => u.Id == userId, ct))
        {
            return new ApiError.NotFound("The user");
        }

        var now = clock.GetUtcNow();
        var max = options.Value.MaxUploads;
        return await db.FaceInvitations.AsNoTracking().Where(i => i.UserId == userId)
            .OrderByDescending(i => i.CreatedAt).ThenByDescending(i => i.Id)
            .ToPageAsync(page, pageSize, i => i.ToDto(now, max), ct);
    }

    public async Task<Result<FaceInvitationDto>> GetAsync(Guid id, CancellationToken ct) =>
        await db.FaceInvitations.AsNoTracking().SingleOrDefaultAsync(i => i.Id == id, ct) is { } invitation
            ? invitation.ToDto(clock.GetUtcNow(), options.Value.MaxUploads)
            : UnknownInvitation;

    /// <summary>Revokes the link: it works no more. Revoking twice, or a completed invitation, changes nothing.</summary>
    public async Task<Result<FaceInvitationDto>> RevokeAsync(Guid id, CancellationToken ct)
    {
        var invitation = await db.FaceInvitations.SingleOrDefaultAsync(i => i.Id == id, ct);
        if (invitation is null)
        {
            return UnknownInvitation;
        }

        var now = clock.GetUtcNow();
        if (invitation.RevokedAt is null && invitation.CompletedAt is null)
        {
            invitation.RevokedAt = now;
            await db.SaveChangesAsync(ct);
            LogRevoked(logger, invitation.Id);
        }

        return invitation.ToDto(now, options.Value.MaxUploads);
    }

    /// <summary>
    /// Sends a new link (the old one stops working at once) with a fresh count of uploads; a completed, revoked or
    /// expired invitation cannot be resent (409: create a new one).
    /// </summary>
    public async Task<Result<FaceInvitationDto>> ResendAsync(Guid id, CancellationToken ct)
    {
        var invitation = await db.FaceInvitations.SingleOrDefaultAsync(i => i.Id == id, ct);
        if (invitation is null)
        {
            return UnknownInvitation;
        }

        var now = clock.GetUtcNow();
        var status = invitation.StatusAt(now);
        if (!FaceText.IsOpen(status))
        {
            return new ApiError.Conflict(
                $"This invitation is {FaceText.StatusLabel(status).ToLowerInvariant()}, so it cannot be sent again. Send a new invitation instead.");
        }

        var user = await db.Users.AsNoTracking().SingleAsync(u => u.Id == invitation.UserId, ct);
        var v = new Validation();
        MessageChannels.Check(v, user, invitation.SendEmail, invitation.SendText, "the invitation");
        if (!v.IsValid)
        {
            return v.ToError();
        }

        if (!links.TryGetBase(out var linkBase))
        {
            return PublicLinks.NotConfigured;
        }

        await IssueAsync(invitation, user, linkBase, now, ct);
        await db.SaveChangesAsync(ct);
        LogResent(logger, invitation.Id);
        return invitation.ToDto(now, options.Value.MaxUploads);
    }

    /// <summary>
    /// What the selfie page shows. Marks the invitation opened and nothing else, so a mail gateway's link scanner
    /// cannot use it up. 404 unknown; 410 completed, expired or revoked.
    /// </summary>
    public async Task<Result<FaceInvitationPageDto>> GetPublicAsync(string token, CancellationToken ct)
    {
        if (await FindAsync(token, ct) is not { } invitation)
        {
            return UnknownInvitation;
        }

        organization.Set(invitation.OrganizationId);
        var now = clock.GetUtcNow();
        if (Gone(invitation, now) is { } gone)
        {
            return gone;
        }

        if (invitation.OpenedAt is null)
        {
            await db.FaceInvitations.Where(i => i.Id == invitation.Id && i.OpenedAt == null)
                .ExecuteUpdateAsync(s => s.SetProperty(i => i.OpenedAt, now), ct);
            invitation.OpenedAt = now;
        }

        var firstName = await db.Users.AsNoTracking().Where(u => u.Id == invitation.UserId).Select(u => u.FirstName).SingleAsync(ct);
        var organizationName = await db.Organizations.AsNoTracking().Where(o => o.Id == invitation.OrganizationId).Select(o => o.Name).SingleAsync(ct);
        var notice = await settings.CurrentNoticeAsync(ct);
        return new FaceInvitationPageDto(
            organizationName, firstName, notice.Text, notice.Version, invitation.StatusAt(now), invitation.ExpiresAt,
            Math.Max(0, options.Value.MaxUploads - invitation.Uploads));
    }

    /// <summary>
    /// Enrolls the invited user's face from their selfie. 404 unknown; 410 completed, expired or revoked; 429 after
    /// the last allowed upload; 400 naming <c>consent</c> or <c>photo</c>; 413; 422 with the reason the photo failed;
    /// 503 while face features are off.
    /// </summary>
    public async Task<Result<FaceSelfieResult>> UploadAsync(
        string token, Stream? photo, bool consent, int? noticeVersion, string? remoteAddress, CancellationToken ct)
    {
        if (await FindAsync(token, ct) is not { } found)
        {
            return UnknownInvitation;
        }

        organization.Set(found.OrganizationId);
        var now = clock.GetUtcNow();
        if (Gone(found, now) is { } gone)
        {
            return gone;
        }

        if (engine.Unavailable is { } off)
        {
            return off;
        }

        // Refused before it counts: a missing tick or file costs the server nothing.
        var v = new Validation();
        if (!consent)
        {
            v.Add("consent", "Tick the box to consent, after reading the notice.");
        }

        if (photo is null)
        {
            v.Add("photo", "Attach the photo as the multipart field \"photo\" (JPEG, PNG or WebP).");
        }

        if (!v.IsValid)
        {
            return v.ToError();
        }

        // Counted in the store by one conditional statement, so concurrent uploads each count and none passes the bound.
        var max = options.Value.MaxUploads;
        var counted = await db.FaceInvitations.Where(i => i.Id == found.Id && i.Uploads < max)
            .ExecuteUpdateAsync(s => s.SetProperty(i => i.Uploads, i => i.Uploads + 1), ct);
        if (counted == 0)
        {
            LogUploadsExhausted(logger, found.Id, max);
            return new ApiError.TriesExhausted("tooManyUploads",
                $"This link has taken its {max} photos. Ask your administrator to send you a new link.");
        }

        var prepared = await enrollment.PrepareAsync(
            found.UserId, photo, new FaceConsentInput(true, AdminId: null, remoteAddress, noticeVersion), found.Id, ct);
        if (prepared.Error is { } error)
        {
            return error;
        }

        // The link completes once: a conditional claim in the same transaction as the new face, so two selfies sent at
        // once cannot both enroll, and a link revoked meanwhile enrolls nothing.
        var credential = prepared.Value!;
        await using (var transaction = await db.Database.BeginTransactionAsync(ct))
        {
            var claimed = await db.FaceInvitations
                .Where(i => i.Id == found.Id && i.CompletedAt == null && i.RevokedAt == null && i.ExpiresAt > now && i.TokenHash == found.TokenHash)
                .ExecuteUpdateAsync(s => s.SetProperty(i => i.CompletedAt, now), ct);
            if (claimed == 0)
            {
                await transaction.RollbackAsync(ct);
                var current = await db.FaceInvitations.AsNoTracking().SingleAsync(i => i.Id == found.Id, ct);
                // Neither completed, revoked nor expired: it was resent meanwhile, so this link's token is dead.
                return Gone(current, now) ?? UnknownInvitation;
            }

            var invitation = await db.FaceInvitations.SingleAsync(i => i.Id == found.Id, ct);
            invitation.CredentialId = credential.Id;
            db.Credentials.Add(credential);
            await db.SaveChangesAsync(ct);
            await transaction.CommitAsync(ct);
        }

        enrollment.LogEnrolled(credential);
        LogCompleted(logger, found.Id, credential.Id);
        return new FaceSelfieResult(FaceInvitationStatus.Completed, credential.Quality);
    }

    /// <summary>The refusal of a link that worked once and works no more; null while it works.</summary>
    private static ApiError.Gone? Gone(FaceInvitation invitation, DateTimeOffset now) => invitation.StatusAt(now) switch
    {
        FaceInvitationStatus.Completed => new ApiError.Gone("completed", "Your face is enrolled already: this link has done its work."),
        FaceInvitationStatus.Expired => new ApiError.Gone("expired", "This link has expired. Ask your administrator to send you a new one."),
        FaceInvitationStatus.Revoked => new ApiError.Gone("revoked", "This link has been withdrawn. Ask your administrator if you still need one."),
        _ => null,
    };

    /// <summary>The invitation with this token, untracked, in whichever organization holds it.</summary>
    private async Task<FaceInvitation?> FindAsync(string token, CancellationToken ct)
    {
        if (!CloudKeySecrets.IsWellFormedToken(token))
        {
            return null;
        }

        var hash = CloudKeySecrets.HashToken(token);
        return await db.FaceInvitations.IgnoreQueryFilters().AsNoTracking().SingleOrDefaultAsync(i => i.TokenHash == hash, ct);
    }

    /// <summary>A new token (the old one dies), a fresh count, and the messages, queued to be stored by the caller's save.</summary>
    private async Task IssueAsync(FaceInvitation invitation, User user, string linkBase, DateTimeOffset now, CancellationToken ct)
    {
        var token = CloudKeySecrets.NewToken();
        invitation.TokenHash = CloudKeySecrets.HashToken(token);
        invitation.SentAt = now;
        invitation.OpenedAt = null;
        invitation.Uploads = 0;

        var organizationName = await db.Organizations.AsNoTracking().Where(o => o.Id == user.OrganizationId).Select(o => o.Name).SingleAsync(ct);
        var letter = new FaceInvitationLetter(
            organizationName, user.FirstName, $"{linkBase}/s/{token}", invitation.ExpiresAt, await CloudKeyMessages.ZoneOfAsync(db, user.Id, ct));
        var about = new MessageAbout(FaceInvitationMessages.Kind, user.Id);
        outbox.QueueToUser(
            user, invitation.SendEmail, invitation.SendText, FaceInvitationMessages.Subject(letter), () => FaceInvitationMessages.Email(letter), () => FaceInvitationMessages.Text(letter), about);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Selfie invitation {InvitationId} sent to user {UserId} (email {ByEmail}, text {ByText})")]
    private static partial void LogCreated(ILogger logger, Guid invitationId, Guid userId, bool byEmail, bool byText);

    [LoggerMessage(Level = LogLevel.Information, Message = "Selfie invitation {InvitationId} sent again with a new link")]
    private static partial void LogResent(ILogger logger, Guid invitationId);

    [LoggerMessage(Level = LogLevel.Information, Message = "Selfie invitation {InvitationId} revoked")]
    private static partial void LogRevoked(ILogger logger, Guid invitationId);

    [LoggerMessage(Level = LogLevel.Information, Message = "Selfie invitation {InvitationId} completed: face credential {CredentialId}")]
    private static partial void LogCompleted(ILogger logger, Guid invitationId, Guid credentialId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Selfie invitation {InvitationId} refused a photo: its {MaxUploads} uploads are used")]
    private static partial void LogUploadsExhausted(ILogger logger, Guid invitationId, int maxUploads);
}
