using Gatehouse.Server.Features.Credentials;
using Gatehouse.Server.Features.Faces;
using System.Text.Json.Serialization;
using Gatehouse.Core.DeviceProtocol;
using Gatehouse.Server.Features.Organizations;
using Gatehouse.Server.Features.Users;
using Gatehouse.Server.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Gatehouse.Server.Features.Devices.Enrollments;

[JsonConverter(typeof(JsonStringEnumConverter<EnrollmentStatus>))]
internal enum EnrollmentStatus
{
    /// <summary>The device is waiting for the card (or face).</summary>
    [JsonStringEnumMemberName("pending")] Pending = 0,

    /// <summary>The capture became a credential of the user.</summary>
    [JsonStringEnumMemberName("completed")] Completed = 1,

    /// <summary>The capture could not become a credential (the card is someone else's); <see cref="Enrollment.Error"/> says why.</summary>
    [JsonStringEnumMemberName("failed")] Failed = 2,

    /// <summary>Nothing was captured in time.</summary>
    [JsonStringEnumMemberName("timedOut")] TimedOut = 3,

    /// <summary>An admin cancelled it, or started another at the same device.</summary>
    [JsonStringEnumMemberName("cancelled")] Cancelled = 4,
}

/// <summary>
/// An admin's request that a device capture a credential for a user: the device prompts the person and
/// sends what it reads; the server turns that into the credential or says why not. Short-lived and
/// bookkeeping only, so the audit log leaves it out: the credential it makes is audited as any other.
/// </summary>
[AuditIgnore]
internal sealed class Enrollment : ITenantOwned
{
    public const int ErrorMaxLength = 300;

    /// <summary>How long the device waits for the card (or face) to be presented.</summary>
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    public Guid Id { get; set; } = Guid.CreateVersion7();

    public Guid OrganizationId { get; set; }

    public Guid UserId { get; set; }

    public Guid DeviceId { get; set; }

    public EnrollmentKind Kind { get; set; }

    /// <summary>Checked on every update, so a capture, a cancel and the timeout cannot both finish the same enrollment.</summary>
    public EnrollmentStatus Status { get; set; }

    /// <summary>The credential made, once completed (no foreign key: the credential may be deleted later).</summary>
    public Guid? CredentialId { get; set; }

    /// <summary>Why it failed, in words for the admin.</summary>
    public string? Error { get; set; }

    /// <summary>The administrator who started it (no foreign key: they may be removed later); the credential it makes is audited as theirs.</summary>
    public Guid? StartedById { get; set; }

    /// <summary>Their email when they started it, as the audit log names them.</summary>
    public string? StartedBy { get; set; }

    /// <summary>For a face: the address the administrator confirmed the person's consent from, at Select.</summary>
    public string? ConsentRemoteAddress { get; set; }

    /// <summary>For a face: the consent notice's version when the administrator confirmed consent; the face is enrolled only under it.</summary>
    public int? ConsentNoticeVersion { get; set; }

    public DateTimeOffset CreatedAt { get; set; }

    public DateTimeOffset ExpiresAt { get; set; }

    public DateTimeOffset? FinishedAt { get; set; }

    public void Finish(EnrollmentStatus status, DateTimeOffset at, string? error = null, Guid? credentialId = null)
    {
        Status = status;
        FinishedAt = at;
        Error = error;
        CredentialId = credentialId;
    }
}

internal sealed class EnrollmentConfiguration : IEntityTypeConfiguration<Enrollment>
{
    public void Configure(EntityTypeBuilder<Enrollment> builder)
    {
        builder.Property(e => e.Kind).HasConversion<string>().HasMaxLength(20);
        builder.Property(e => e.Status).HasConversion<string>().HasMaxLength(20).IsConcurrencyToken();
        builder.Property(e => e.Error).HasMaxLength(Enrollment.ErrorMaxLength);
        builder.Property(e => e.StartedBy).HasMaxLength(254);
        builder.Property(e => e.ConsentRemoteAddress).HasMaxLength(64);

        // The pending enrollment of a device (captures, a new enrollment), and the pending ones past their time (the sweeper).
        builder.HasIndex(e => new { e.DeviceId, e.Status });
        builder.HasIndex(e => new { e.Status, e.ExpiresAt });
        builder.HasIndex(e => e.OrganizationId);
        builder.HasOne<User>().WithMany().HasForeignKey(e => e.UserId).OnDelete(DeleteBehavior.Cascade);
        builder.HasOne<Device>().WithMany().HasForeignKey(e => e.DeviceId).OnDelete(DeleteBehavior.Cascade);
        builder.HasOne<Organization>().WithMany().HasForeignKey(e => e.OrganizationId).OnDelete(DeleteBehavior.Cascade);
    }
}

/// <summary>An enrollment as the API shows it.</summary>
internal sealed record EnrollmentDto(
    Guid Id,
    Guid UserId,
    Guid DeviceId,
    EnrollmentKind Kind,
    EnrollmentStatus Status,
    Guid? CredentialId,
    string? Error,
    DateTimeOffset CreatedAt,
    DateTimeOffset ExpiresAt,
    DateTimeOffset? FinishedAt);

internal static class EnrollmentMapping
{
    public static EnrollmentDto ToDto(this Enrollment e) =>
        new(e.Id, e.UserId, e.DeviceId, e.Kind, e.Status, e.CredentialId, e.Error, e.CreatedAt, e.ExpiresAt, e.FinishedAt);
}

/// <summary>
/// What a user's page reads once for its two "Add using a device" panels (cards and faces): the devices to choose
/// from, the consent notice a face enrollment shows, and the enrollment the page was opened for (with its card, once
/// completed). The panels must not read the store themselves: they render at once, on the request's one context.
/// </summary>
internal sealed record UserEnrollmentData(
    IReadOnlyList<DeviceDto> Devices, FaceNoticeDto Notice, EnrollmentDto? Enrollment, CredentialDto? Card)
{
    public static readonly UserEnrollmentData Empty = new([], new FaceNoticeDto(null, 0, "", null, true), null, null);
}
