using Gatehouse.Faces;
using Gatehouse.Server.Data;
using Gatehouse.Server.Features.Credentials;
using Gatehouse.Server.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Gatehouse.Server.Features.Faces;

/// <summary>
/// The consent that comes with a photo: whether it was given, by which administrator (null when the person gives
/// it through an invitation), from which address, and the notice version the page showed (when it says; a
/// different current version is then a 409, so nobody consents to a text they did not see).
/// </summary>
internal sealed record FaceConsentInput(bool Given, Guid? AdminId, string? RemoteAddress, int? NoticeVersion = null);

/// <summary>
/// Enrolls faces from photos (administrator's upload and selfie invitations) and hands out their thumbnails. A photo
/// is analysed, compared with the organization's other users' faces of the same model, and kept only as an encrypted
/// template (and thumbnail); a photo that fails analysis changes nothing and says why.
/// </summary>
internal sealed partial class FaceEnrollmentService(
    GatehouseDbContext db,
    FaceEngineHost engine,
    FaceProtector protector,
    FaceSettingsService settings,
    FaceCredentialDetails details,
    IOptions<FaceOptions> options,
    TimeProvider clock,
    ILogger<FaceEnrollmentService> logger)
{
    /// <summary>
    /// Enrolls the user's face from one photo (JPEG, PNG or WebP). Errors: <see cref="ApiError.NotFound"/> (user),
    /// <see cref="ApiError.FaceUnavailable"/> (no engine), <see cref="ApiError.Invalid"/> naming <c>consent</c> or
    /// <c>photo</c>, <see cref="ApiError.TooLarge"/>, <see cref="ApiError.PhotoRejected"/> (422 with reason, detail and
    /// quality), <see cref="ApiError.Conflict"/> when the notice changed since it was shown.
    /// </summary>
    public async Task<Result<CredentialDto>> EnrollFromPhotoAsync(Guid userId, Stream? photo, FaceConsentInput consent, CancellationToken ct)
    {
        if (!await db.Users.AnyAsync(u => u.Id == userId, ct))
        {
            return new ApiError.NotFound("The user");
        }

        var prepared = await PrepareAsync(userId, photo, consent, invitationId: null, ct);
        if (prepared.Error is { } error)
        {
            return error;
        }

        var credential = prepared.Value!;
        db.Credentials.Add(credential);
        await db.SaveChangesAsync(ct);
        LogEnrolled(credential);
        return await details.CompleteAsync(credential.ToDto(clock.GetUtcNow()), ct);
    }

    /// <summary>The decrypted 160 px JPEG of a face; 404 when the credential is not a face or has none.</summary>
    public async Task<Result<byte[]>> GetThumbnailAsync(Guid credentialId, CancellationToken ct)
    {
        var face = await db.Credentials.OfType<FaceCredential>().AsNoTracking()
            .Where(c => c.Id == credentialId)
            .Select(c => new { c.ProtectedThumbnail })
            .SingleOrDefaultAsync(ct);
        if (face is null)
        {
            return new ApiError.NotFound("The face credential");
        }

        return face.ProtectedThumbnail is { Length: > 0 } thumbnail
            ? protector.UnprotectThumbnail(thumbnail)
            : new ApiError.NotFound("The face's thumbnail");
    }

    /// <summary>
    /// The consent notice's version an administrator confirms the person's consent under now, for a face to be
    /// captured later (at a device). Errors: <see cref="ApiError.FaceUnavailable"/> (no engine), and
    /// <see cref="ApiError.Conflict"/> when <paramref name="shown"/> is not the current version.
    /// </summary>
    internal async Task<Result<int>> ConsentNoticeVersionAsync(int? shown, CancellationToken ct)
    {
        if (engine.Unavailable is { } off)
        {
            return off;
        }

        var current = (await settings.CurrentNoticeAsync(ct)).Version;
        return shown is { } version && version != current
            ? new ApiError.Conflict("The consent notice has changed since it was shown. Read the new notice and consent again.")
            : current;
    }

    /// <summary>
    /// What every way of enrolling shares: the checks, the analysis and the comparison, ending in a new credential that
    /// is not added yet: the caller adds and saves it (with the invitation it completes, for a selfie). Nothing is
    /// stored when this fails.
    /// </summary>
    internal async Task<Result<FaceCredential>> PrepareAsync(
        Guid userId, Stream? photo, FaceConsentInput consent, Guid? invitationId, CancellationToken ct)
    {
        if (engine.Unavailable is { } off)
        {
            return off;
        }

        var v = new Validation();
        if (!consent.Given)
        {
            v.Add("consent", "A face is enrolled only with the person's consent: show them the notice, and send consent=true once they agree.");
        }

        if (photo is null)
        {
            v.Add("photo", "Attach the photo as the multipart field \"photo\" (JPEG, PNG or WebP).");
        }

        if (!v.IsValid)
        {
            return v.ToError();
        }

        if (consent.NoticeVersion is { } shown && shown != (await settings.CurrentNoticeAsync(ct)).Version)
        {
            return new ApiError.Conflict("The consent notice has changed since it was shown. Read the new notice and consent again.");
        }

        var maxBytes = options.Value.MaxImageBytes;
        if (await FaceUploads.ReadBoundedAsync(photo!, maxBytes, ct) is not { } image)
        {
            return new ApiError.TooLarge(string.Create(
                System.Globalization.CultureInfo.InvariantCulture, $"The photo may be at most {maxBytes / (1024 * 1024.0):0.#} MB."));
        }

        if (FaceUploads.Sniff(image) is null)
        {
            LogRejected(logger, userId, FaceRejection.UnreadableImage);
            return new ApiError.PhotoRejected(FaceRejection.UnreadableImage, "The file is not a JPEG, PNG or WebP photo. Take the photo again or choose another file.", new FaceQuality());
        }

        var analysis = (await engine.AnalyzeAsync(image, ct))!;
        if (!analysis.Succeeded)
        {
            var reason = analysis.Rejection ?? FaceRejection.UnreadableImage;
            LogRejected(logger, userId, reason);
            return new ApiError.PhotoRejected(reason, analysis.Detail ?? "The photo could not be used. Please try again.", analysis.Quality);
        }

        var template = analysis.Template!;
        var resembles = await MostSimilarOtherAsync(userId, template, ct);
        var keepThumbnail = await settings.KeepThumbnailsAsync(ct);
        var notice = await settings.NoticeForConsentAsync(ct);
        var now = clock.GetUtcNow();
        var credential = new FaceCredential
        {
            UserId = userId,
            Status = CredentialStatus.Active,
            Model = template.Model,
            ProtectedTemplate = protector.ProtectTemplate(template),
            ProtectedThumbnail = keepThumbnail && analysis.Thumbnail is { Length: > 0 } thumbnail ? protector.ProtectThumbnail(thumbnail) : null,
            Quality = analysis.Quality,
            ConsentNoticeId = notice.Id,
            ConsentNoticeVersion = notice.Version,
            ConsentedAt = now,
            ConsentAdminId = consent.AdminId,
            ConsentInvitationId = invitationId,
            ConsentRemoteAddress = consent.RemoteAddress is { Length: > 64 } address ? address[..64] : consent.RemoteAddress,
            ResemblesCredentialId = resembles?.CredentialId,
            ResemblesUserId = resembles?.UserId,
            ResemblesSimilarity = resembles?.Similarity,
            CreatedAt = now,
            UpdatedAt = now,
        };
        return credential;
    }

    /// <summary>Logs a saved enrollment: IDs, the model and a resemblance, never the template or the photo.</summary>
    internal void LogEnrolled(FaceCredential credential)
    {
        LogEnrolled(logger, credential.Id, credential.UserId, credential.Model, credential.ConsentInvitationId);
        if (credential is { ResemblesCredentialId: { } other, ResemblesUserId: { } otherUser, ResemblesSimilarity: { } similarity })
        {
            LogResembles(logger, credential.Id, other, otherUser, similarity);
        }
    }

    /// <summary>
    /// The other user's face most like this one above the match threshold, comparing only templates of the same
    /// model (a template of another model is never compared).
    /// </summary>
    private async Task<(Guid CredentialId, Guid UserId, float Similarity)?> MostSimilarOtherAsync(Guid userId, FaceTemplate template, CancellationToken ct)
    {
        var others = await db.Credentials.OfType<FaceCredential>().AsNoTracking()
            .Where(c => c.UserId != userId && c.Model == template.Model)
            .Select(c => new { c.Id, c.UserId, c.ProtectedTemplate })
            .ToListAsync(ct);
        var threshold = options.Value.Thresholds.Match;
        (Guid, Guid, float)? best = null;
        foreach (var other in others)
        {
            var similarity = template.Similarity(protector.UnprotectTemplate(template.Model, other.ProtectedTemplate));
            if (similarity >= threshold && (best is null || similarity > best.Value.Item3))
            {
                best = (other.Id, other.UserId, similarity);
            }
        }

        return best;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Face credential {CredentialId} enrolled for user {UserId} (model {Model}, invitation {InvitationId})")]
    private static partial void LogEnrolled(ILogger logger, Guid credentialId, Guid userId, string model, Guid? invitationId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Face credential {CredentialId} resembles face credential {OtherCredentialId} of user {OtherUserId} (similarity {Similarity:0.000})")]
    private static partial void LogResembles(ILogger logger, Guid credentialId, Guid otherCredentialId, Guid otherUserId, float similarity);

    [LoggerMessage(Level = LogLevel.Information, Message = "A photo for user {UserId} was not enrolled: {Reason}")]
    private static partial void LogRejected(ILogger logger, Guid userId, FaceRejection reason);
}
