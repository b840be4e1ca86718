using System.Text.Json;
using Gatehouse.Faces;
using Gatehouse.Server.Features.Credentials;
using Gatehouse.Server.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.ChangeTracking;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Gatehouse.Server.Features.Faces;

/// <summary>
/// A face: the template the engine made of an enrollment photo, and the consent given for it. The photo is not
/// kept; the template (and, when the organization keeps them, a 160 px thumbnail) is encrypted with the server's
/// data-protection keys (<see cref="FaceProtector"/>). Both are columns of this row, so deleting the credential
/// (or its user) deletes them. Neither ever enters the audit log (<see cref="AuditRedactAttribute"/>).
/// </summary>
internal sealed class FaceCredential : Credential
{
    public FaceCredential() => Type = CredentialType.Face;

    /// <summary>The recogniser that made the template; templates of another model are never compared.</summary>
    public string Model { get; set; } = "";

    /// <summary>The template's vector, encrypted (<see cref="FaceProtector.ProtectTemplate"/>).</summary>
    [AuditRedact]
    public byte[] ProtectedTemplate { get; set; } = [];

    /// <summary>The 160 px JPEG of the face, encrypted; null when the organization does not keep thumbnails.</summary>
    [AuditRedact]
    public byte[]? ProtectedThumbnail { get; set; }

    /// <summary>What the analysis measured on the enrollment photo.</summary>
    public FaceQuality Quality { get; set; } = new();

    /// <summary>The version of the organization's notice that was shown (<see cref="FaceConsentNotice"/>).</summary>
    public Guid ConsentNoticeId { get; set; }

    public int ConsentNoticeVersion { get; set; }

    public DateTimeOffset ConsentedAt { get; set; }

    /// <summary>The administrator who recorded the person's consent, when enrolled by an administrator.</summary>
    public Guid? ConsentAdminId { get; set; }

    /// <summary>The invitation through which the person gave consent themselves.</summary>
    public Guid? ConsentInvitationId { get; set; }

    /// <summary>The address the consent came from (the administrator's or the person's browser).</summary>
    public string? ConsentRemoteAddress { get; set; }

    /// <summary>Another user's face this one matched above the threshold at enrollment: one person, two identities?</summary>
    public Guid? ResemblesCredentialId { get; set; }

    public Guid? ResemblesUserId { get; set; }

    public float? ResemblesSimilarity { get; set; }
}

internal sealed class FaceCredentialConfiguration : IEntityTypeConfiguration<FaceCredential>
{
    private static readonly JsonSerializerOptions QualityJson = new(JsonSerializerDefaults.Web);

    public void Configure(EntityTypeBuilder<FaceCredential> builder)
    {
        // Columns of a table shared by every kind of credential: named for faces where the name alone is too general.
        builder.Property(c => c.Model).HasColumnName("FaceModel").HasMaxLength(100);
        builder.Property(c => c.ProtectedTemplate).HasColumnName("FaceTemplate");
        builder.Property(c => c.ProtectedThumbnail).HasColumnName("FaceThumbnail");
        builder.Property(c => c.Quality).HasColumnName("FaceQuality").HasMaxLength(1000).HasConversion(
            q => JsonSerializer.Serialize(q, QualityJson),
            s => JsonSerializer.Deserialize<FaceQuality>(s, QualityJson) ?? new FaceQuality(),
            new ValueComparer<FaceQuality>((a, b) => Equals(a, b), q => q.GetHashCode(), q => q));
        builder.Property(c => c.ConsentRemoteAddress).HasMaxLength(64);
        // Notice versions are never deleted but with their organization, whose credentials go in the same statement.
        builder.HasOne<FaceConsentNotice>().WithMany().HasForeignKey(c => c.ConsentNoticeId).OnDelete(DeleteBehavior.NoAction);
    }
}

/// <summary>A face as the API shows it (never the template or the thumbnail itself).</summary>
/// <param name="Model">The recogniser that made the template.</param>
/// <param name="Quality">What the analysis measured on the enrollment photo.</param>
/// <param name="ReenrollNeeded">The engine now runs another model: this template is never compared, enroll again.</param>
/// <param name="Resembles">Another user whose face this one matched at enrollment, while that face is still enrolled.</param>
/// <param name="HasThumbnail">Whether <c>GET /face-credentials/{id}/thumbnail</c> has an image.</param>
/// <param name="Consent">Who recorded the consent, when, from where, and which notice version was shown.</param>
internal sealed record FaceDto(
    string Model,
    FaceQuality Quality,
    bool ReenrollNeeded,
    FaceResemblance? Resembles,
    bool HasThumbnail,
    FaceConsentDto Consent);

/// <summary>The other user a face resembles: its credential, its user and their name, and how alike (cosine similarity).</summary>
internal sealed record FaceResemblance(Guid CredentialId, Guid UserId, string Name, float Similarity);

/// <summary>The consent record of a face.</summary>
internal sealed record FaceConsentDto(
    DateTimeOffset At, Guid? AdminId, Guid? InvitationId, string? RemoteAddress, Guid NoticeId, int NoticeVersion);

internal static class FaceCredentialMapping
{
    /// <summary>
    /// The face as far as the row alone tells: <see cref="FaceCredentialDetails"/> then adds what depends on the
    /// engine (re-enroll needed) and on other rows (the resembled user's name, if that face still exists).
    /// </summary>
    public static FaceDto ToFaceDto(this FaceCredential c) => new(
        c.Model,
        c.Quality,
        ReenrollNeeded: false,
        c.ResemblesCredentialId is { } other && c.ResemblesUserId is { } user && c.ResemblesSimilarity is { } similarity
            ? new FaceResemblance(other, user, "", similarity)
            : null,
        c.ProtectedThumbnail is { Length: > 0 },
        new FaceConsentDto(c.ConsentedAt, c.ConsentAdminId, c.ConsentInvitationId, c.ConsentRemoteAddress, c.ConsentNoticeId, c.ConsentNoticeVersion));
}
