#pragma warning disable CS9113 // The bodies follow.
using Gatehouse.Faces;
using Gatehouse.Server.Data;
using Gatehouse.Server.Features.Credentials;
using Gatehouse.Server.Infrastructure;
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
    public Task<Result<CredentialDto>> EnrollFromPhotoAsync(Guid userId, Stream? photo, FaceConsentInput consent, CancellationToken ct) =>
        throw new NotImplementedException();

    /// <summary>The decrypted 160 px JPEG of a face; 404 when the credential is not a face or has none.</summary>
    public Task<Result<byte[]>> GetThumbnailAsync(Guid credentialId, CancellationToken ct) => throw new NotImplementedException();
}
