#pragma warning disable CS9113 // The bodies follow.
using Gatehouse.Server.Data;
using Gatehouse.Server.Features.Messaging;
using Gatehouse.Server.Infrastructure;
using Microsoft.Extensions.Options;

namespace Gatehouse.Server.Features.Faces;

/// <summary>
/// Selfie invitations: the administrator's side (create and send, list, revoke, resend) and the public side of the
/// link (the page's data, and the photo). Shared by the API and the admin console.
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
    /// <summary>Creates an invitation and sends its link by email and/or text. 400 naming the fields; 404 for the user.</summary>
    public Task<Result<FaceInvitationDto>> CreateAsync(Guid userId, Guid? adminId, CreateFaceInvitationRequest request, CancellationToken ct) =>
        throw new NotImplementedException();

    /// <summary>The user's invitations, newest first.</summary>
    public Task<Result<PagedList<FaceInvitationDto>>> ListAsync(Guid userId, int? page, int? pageSize, CancellationToken ct) =>
        throw new NotImplementedException();

    public Task<Result<FaceInvitationDto>> GetAsync(Guid id, CancellationToken ct) => throw new NotImplementedException();

    /// <summary>Revokes the link: it works no more. Revoking twice changes nothing.</summary>
    public Task<Result<FaceInvitationDto>> RevokeAsync(Guid id, CancellationToken ct) => throw new NotImplementedException();

    /// <summary>Sends a new link (the old one stops working at once); a completed or revoked invitation cannot be resent (409).</summary>
    public Task<Result<FaceInvitationDto>> ResendAsync(Guid id, CancellationToken ct) => throw new NotImplementedException();

    /// <summary>
    /// What the selfie page shows. Marks the invitation opened and nothing else, so a mail gateway's link scanner
    /// cannot use it up. 404 unknown; 410 completed, expired or revoked.
    /// </summary>
    public Task<Result<FaceInvitationPageDto>> GetPublicAsync(string token, CancellationToken ct) => throw new NotImplementedException();

    /// <summary>
    /// Enrolls the invited user's face from their selfie. 404 unknown; 410 completed, expired or revoked; 429 after
    /// the last allowed upload; 400 naming <c>consent</c>; 422 with the reason the photo failed.
    /// </summary>
    public Task<Result<FaceSelfieResult>> UploadAsync(string token, Stream? photo, bool consent, int? noticeVersion, string? remoteAddress, CancellationToken ct) =>
        throw new NotImplementedException();
}
