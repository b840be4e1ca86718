using System.Text.Json.Serialization;
using Gatehouse.Server.Features.Organizations;
using Gatehouse.Server.Features.Users;
using Gatehouse.Server.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Gatehouse.Server.Features.Faces;

[JsonConverter(typeof(JsonStringEnumConverter<FaceInvitationStatus>))]
internal enum FaceInvitationStatus
{
    [JsonStringEnumMemberName("sent")] Sent = 1,
    [JsonStringEnumMemberName("opened")] Opened,
    [JsonStringEnumMemberName("completed")] Completed,
    [JsonStringEnumMemberName("expired")] Expired,
    [JsonStringEnumMemberName("revoked")] Revoked,
}

/// <summary>
/// A selfie invitation: a link sent to a user by email and/or text, where they read the organization's notice,
/// consent and enroll their own face. The token (256 bits from the CSPRNG) is stored only as its SHA-256, as a
/// Cloud Key's is. The link works until it expires, a face is enrolled through it, it is revoked, or resent (a new
/// token replaces the old); it takes a bounded number of uploads.
/// </summary>
internal sealed class FaceInvitation : ITenantOwned
{
    public Guid Id { get; set; } = Guid.CreateVersion7();

    public Guid OrganizationId { get; set; }

    public Guid UserId { get; set; }

    /// <summary>Lower-case hex SHA-256 of the link's token.</summary>
    [AuditRedact]
    public string TokenHash { get; set; } = "";

    public bool SendEmail { get; set; }

    public bool SendText { get; set; }

    public DateTimeOffset ExpiresAt { get; set; }

    public DateTimeOffset CreatedAt { get; set; }

    /// <summary>The administrator who created it.</summary>
    public Guid? CreatedByAdminId { get; set; }

    /// <summary>When the link was last sent (created or resent).</summary>
    public DateTimeOffset SentAt { get; set; }

    /// <summary>When the page first read the invitation after the last send.</summary>
    [AuditIgnore]
    public DateTimeOffset? OpenedAt { get; set; }

    /// <summary>Photos uploaded through the link since the last send; bookkeeping, not audited.</summary>
    [AuditIgnore]
    public int Uploads { get; set; }

    public DateTimeOffset? CompletedAt { get; set; }

    /// <summary>The face enrolled through the link.</summary>
    public Guid? CredentialId { get; set; }

    public DateTimeOffset? RevokedAt { get; set; }

    public FaceInvitationStatus StatusAt(DateTimeOffset now) =>
        RevokedAt is not null ? FaceInvitationStatus.Revoked
        : CompletedAt is not null ? FaceInvitationStatus.Completed
        : ExpiresAt <= now ? FaceInvitationStatus.Expired
        : OpenedAt is not null ? FaceInvitationStatus.Opened
        : FaceInvitationStatus.Sent;
}

internal sealed class FaceInvitationConfiguration : IEntityTypeConfiguration<FaceInvitation>
{
    public void Configure(EntityTypeBuilder<FaceInvitation> builder)
    {
        builder.Property(i => i.TokenHash).HasMaxLength(64);

        // Tokens are found across organizations (the link names none).
        builder.HasIndex(i => i.TokenHash).IsUnique();
        builder.HasIndex(i => new { i.OrganizationId, i.UserId });
        builder.HasOne<User>().WithMany().HasForeignKey(i => i.UserId).OnDelete(DeleteBehavior.Cascade);
        builder.HasOne<Organization>().WithMany().HasForeignKey(i => i.OrganizationId).OnDelete(DeleteBehavior.Cascade);
    }
}

/// <summary>The body of <c>POST /users/{id}/credentials/faces/invitations</c>.</summary>
internal sealed record CreateFaceInvitationRequest(bool SendEmail = false, bool SendText = false, DateTimeOffset? ExpiresAt = null);

/// <summary>An invitation as the administrator sees it (never its token).</summary>
internal sealed record FaceInvitationDto(
    Guid Id,
    Guid UserId,
    FaceInvitationStatus Status,
    bool SendEmail,
    bool SendText,
    DateTimeOffset ExpiresAt,
    DateTimeOffset CreatedAt,
    DateTimeOffset SentAt,
    DateTimeOffset? OpenedAt,
    DateTimeOffset? CompletedAt,
    DateTimeOffset? RevokedAt,
    int Uploads,
    int MaxUploads,
    Guid? CredentialId);

/// <summary>What the selfie page shows to whoever holds the link: no secret, nothing about anyone else.</summary>
internal sealed record FaceInvitationPageDto(
    string OrganizationName,
    string FirstName,
    string Notice,
    int NoticeVersion,
    FaceInvitationStatus Status,
    DateTimeOffset ExpiresAt,
    int UploadsLeft);

/// <summary>The answer to a selfie that enrolled: what was measured. No template, no thumbnail.</summary>
internal sealed record FaceSelfieResult(FaceInvitationStatus Status, Gatehouse.Faces.FaceQuality Quality);

internal static class FaceInvitationMapping
{
    public static FaceInvitationDto ToDto(this FaceInvitation i, DateTimeOffset now, int maxUploads) => new(
        i.Id, i.UserId, i.StatusAt(now), i.SendEmail, i.SendText, i.ExpiresAt, i.CreatedAt, i.SentAt, i.OpenedAt,
        i.CompletedAt, i.RevokedAt, i.Uploads, maxUploads, i.CredentialId);
}
