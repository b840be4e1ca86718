using Gatehouse.Server.Features.Organizations;
using Gatehouse.Server.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Gatehouse.Server.Features.Faces;

/// <summary>
/// An organization's face settings. No row means the defaults (thumbnails kept); the consent notice has its own
/// versioned table (<see cref="FaceConsentNotice"/>).
/// </summary>
internal sealed class FaceSettings : ITenantOwned
{
    public Guid OrganizationId { get; set; }

    /// <summary>Keep an encrypted 160 px thumbnail of each enrolled face for the user's page.</summary>
    public bool KeepThumbnails { get; set; } = true;

    public DateTimeOffset UpdatedAt { get; set; }
}

/// <summary>
/// One version of an organization's consent notice. Versions are never changed or deleted: editing the notice
/// adds a version, so every face's consent points at the exact text that was shown.
/// </summary>
internal sealed class FaceConsentNotice : ITenantOwned
{
    public const int TextMaxLength = 4000;

    public Guid Id { get; set; } = Guid.CreateVersion7();

    public Guid OrganizationId { get; set; }

    /// <summary>1, 2, 3… per organization.</summary>
    public int Version { get; set; }

    public string Text { get; set; } = "";

    public DateTimeOffset CreatedAt { get; set; }

    /// <summary>The administrator who wrote it; null for the default text put in place by the server.</summary>
    public Guid? CreatedByAdminId { get; set; }
}

internal sealed class FaceSettingsConfiguration : IEntityTypeConfiguration<FaceSettings>
{
    public void Configure(EntityTypeBuilder<FaceSettings> builder)
    {
        builder.HasKey(s => s.OrganizationId);
        builder.HasOne<Organization>().WithOne().HasForeignKey<FaceSettings>(s => s.OrganizationId).OnDelete(DeleteBehavior.Cascade);
    }
}

internal sealed class FaceConsentNoticeConfiguration : IEntityTypeConfiguration<FaceConsentNotice>
{
    public void Configure(EntityTypeBuilder<FaceConsentNotice> builder)
    {
        builder.Property(n => n.Text).HasMaxLength(FaceConsentNotice.TextMaxLength);
        builder.HasIndex(n => new { n.OrganizationId, n.Version }).IsUnique();
        builder.HasOne<Organization>().WithMany().HasForeignKey(n => n.OrganizationId).OnDelete(DeleteBehavior.Cascade);
    }
}

/// <summary>The face settings as the API shows them.</summary>
/// <param name="KeepThumbnails">Keep an encrypted thumbnail of each enrolled face (default on).</param>
/// <param name="Notice">The current consent notice, shown before every enrollment.</param>
internal sealed record FaceSettingsDto(bool KeepThumbnails, FaceNoticeDto Notice);

/// <summary>A version of the consent notice; <c>isDefault</c> while the organization has not written its own.</summary>
internal sealed record FaceNoticeDto(Guid? Id, int Version, string Text, DateTimeOffset? CreatedAt, bool IsDefault);

/// <summary>The body of <c>PATCH /organization/face-settings</c>: a new notice text adds a version.</summary>
internal sealed record UpdateFaceSettingsRequest
{
    public Optional<bool?> KeepThumbnails { get; init; }

    public Optional<string?> Notice { get; init; }
}
