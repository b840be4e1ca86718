using Gatehouse.Server.Data;
using Gatehouse.Server.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace Gatehouse.Server.Features.Faces;

/// <summary>
/// An organization's face settings: whether thumbnails are kept, and the consent notice (versioned; editing adds a
/// version; until an administrator writes one, <see cref="DefaultNotice"/> is shown and stored as version 1 with
/// the first enrollment). Shared by the API and the admin console.
/// </summary>
internal sealed class FaceSettingsService(GatehouseDbContext db, CurrentOrganization organization, TimeProvider clock)
{
    /// <summary>The notice of an organization that has not written its own; <c>{organization}</c> becomes its name.</summary>
    public const string DefaultNotice =
        "To let you open doors with your face, {organization} will make a face template from your photo: a set of " +
        "numbers that describes your face. The photo itself is not kept. The template is encrypted, used only to " +
        "recognise you at {organization}'s doors, never shared, and deleted when your face credential or your account " +
        "is deleted. You may withdraw your consent at any time by asking an administrator to delete it.";

    public async Task<Result<FaceSettingsDto>> GetAsync(CancellationToken ct)
    {
        var keep = await KeepThumbnailsAsync(ct);
        return new FaceSettingsDto(keep, await CurrentNoticeAsync(ct));
    }

    /// <summary>Changes <c>keepThumbnails</c> and/or writes a new version of the notice (an admin's).</summary>
    public async Task<Result<FaceSettingsDto>> UpdateAsync(Guid adminId, UpdateFaceSettingsRequest request, CancellationToken ct)
    {
        var v = new Validation();
        if (request.KeepThumbnails is { HasValue: true, Value: null })
        {
            v.Add("keepThumbnails", "Must be true or false.");
        }

        // A notice may have paragraphs: line breaks are kept (as \n); every line is held to the rules of one-line text.
        var text = request.Notice.HasValue ? request.Notice.Value?.ReplaceLineEndings("\n").Trim() : null;
        if (request.Notice.HasValue)
        {
            if (string.IsNullOrWhiteSpace(text))
            {
                v.Add("notice", "This field is required.");
            }
            else if (text.Length > FaceConsentNotice.TextMaxLength)
            {
                v.Add("notice", $"Must be at most {FaceConsentNotice.TextMaxLength} characters.");
            }
            else if (!text.Split('\n').All(PlainText.IsClean))
            {
                v.Add("notice", "May hold line breaks, but no other control characters or invisible formatting characters (such as direction overrides).");
            }
        }

        if (!v.IsValid)
        {
            return v.ToError();
        }

        var now = clock.GetUtcNow();
        if (request.KeepThumbnails.Value is { } keep)
        {
            var settings = await db.FaceSettings.SingleOrDefaultAsync(ct);
            if (settings is null)
            {
                db.FaceSettings.Add(new FaceSettings { KeepThumbnails = keep, UpdatedAt = now });
            }
            else if (settings.KeepThumbnails != keep)
            {
                settings.KeepThumbnails = keep;
                settings.UpdatedAt = now;
            }
        }

        if (text is not null)
        {
            var current = await db.FaceConsentNotices.OrderByDescending(n => n.Version).FirstOrDefaultAsync(ct);
            if (current is null || current.Text != text)
            {
                db.FaceConsentNotices.Add(new FaceConsentNotice
                {
                    Version = (current?.Version ?? 0) + 1,
                    Text = text,
                    CreatedAt = now,
                    CreatedByAdminId = adminId,
                });
            }
        }

        // Two editors at once both take the next version number: the unique index refuses the second, which is told to reload.
        if (await db.SaveOrExplainAsync(_ => Task.FromResult<ApiError?>(
                new ApiError.Conflict("The notice was changed by someone else at the same time. Reload it and try again.")), ct) is { } conflict)
        {
            return conflict;
        }

        return await GetAsync(ct);
    }

    /// <summary>The notice's versions, newest first (the default text alone while none is stored).</summary>
    public async Task<IReadOnlyList<FaceNoticeDto>> ListNoticesAsync(CancellationToken ct)
    {
        var stored = await db.FaceConsentNotices.AsNoTracking().OrderByDescending(n => n.Version).ToListAsync(ct);
        return stored.Count == 0 ? [await CurrentNoticeAsync(ct)] : stored.Select(n => ToDto(n)).ToList();
    }

    /// <summary>Whether the organization keeps thumbnails (on unless an administrator turned it off).</summary>
    public async Task<bool> KeepThumbnailsAsync(CancellationToken ct) =>
        await db.FaceSettings.AsNoTracking().Select(s => (bool?)s.KeepThumbnails).SingleOrDefaultAsync(ct) ?? true;

    /// <summary>The notice shown now: the newest stored version, or the default text (not stored yet).</summary>
    public async Task<FaceNoticeDto> CurrentNoticeAsync(CancellationToken ct)
    {
        var current = await db.FaceConsentNotices.AsNoTracking().OrderByDescending(n => n.Version).FirstOrDefaultAsync(ct);
        return current is not null
            ? ToDto(current)
            : new FaceNoticeDto(null, 1, await DefaultTextAsync(ct), null, IsDefault: true);
    }

    /// <summary>
    /// The notice version a consent is given to: the newest stored one, or the default text stored now as version 1,
    /// so the consent points at a row holding its text. Concurrent first enrollments store it once: the unique index
    /// refuses the others, which then read the one stored.
    /// </summary>
    public async Task<FaceConsentNotice> NoticeForConsentAsync(CancellationToken ct)
    {
        var current = await db.FaceConsentNotices.AsNoTracking().OrderByDescending(n => n.Version).FirstOrDefaultAsync(ct);
        if (current is not null)
        {
            return current;
        }

        var notice = new FaceConsentNotice { Version = 1, Text = await DefaultTextAsync(ct), CreatedAt = clock.GetUtcNow() };
        db.FaceConsentNotices.Add(notice);
        try
        {
            await db.SaveChangesAsync(ct);
            return notice;
        }
        catch (DbUpdateException)
        {
            db.Entry(notice).State = EntityState.Detached;
            return await db.FaceConsentNotices.AsNoTracking().OrderByDescending(n => n.Version).FirstAsync(ct);
        }
    }

    private async Task<string> DefaultTextAsync(CancellationToken ct)
    {
        var id = organization.RequiredId;
        var name = await db.Organizations.AsNoTracking().Where(o => o.Id == id).Select(o => o.Name).SingleAsync(ct);
        return DefaultNotice.Replace("{organization}", name, StringComparison.Ordinal);
    }

    private static FaceNoticeDto ToDto(FaceConsentNotice n) => new(n.Id, n.Version, n.Text, n.CreatedAt, IsDefault: n.CreatedByAdminId is null);
}
