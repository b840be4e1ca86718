using System.Text.Json.Serialization;
using Gatehouse.Core.Decisions;
using Gatehouse.Server.Features.Credentials;
using Gatehouse.Server.Features.Organizations;
using Gatehouse.Server.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Gatehouse.Server.Features.Events;

/// <summary>What made the door decide: a reader at a device, a remote unlock, a Cloud Key…</summary>
[JsonConverter(typeof(JsonStringEnumConverter<AccessEventSource>))]
internal enum AccessEventSource
{
    [JsonStringEnumMemberName("device")] Device = 1,
    [JsonStringEnumMemberName("remoteUnlock")] RemoteUnlock = 2,
    [JsonStringEnumMemberName("cloudKey")] CloudKey = 3,
    [JsonStringEnumMemberName("mobile")] Mobile = 4,
}

/// <summary>
/// One attempt to open a door and its outcome. Events are history: they keep the names of the door and
/// the user as they were, and no foreign keys, so they still read right after the door or user is deleted.
/// They are a log of their own, written by doors rather than changed by anyone, so the audit log leaves them out.
/// </summary>
[AuditIgnore]
internal sealed class AccessEvent : ITenantOwned
{
    public const int NameMaxLength = 200;

    /// <summary>Chosen by whoever saw the attempt (a device), so a resent event is recognised and stored once.</summary>
    public Guid Id { get; set; } = Guid.CreateVersion7();

    public Guid OrganizationId { get; set; }

    /// <summary>When the attempt happened, by the clock of whoever saw it.</summary>
    public DateTimeOffset OccurredAt { get; set; }

    public Guid DoorId { get; set; }

    public required string DoorName { get; set; }

    public Guid? UserId { get; set; }

    /// <summary>"First Last" of the user at the time; null when the credential was unknown.</summary>
    public string? UserName { get; set; }

    public Guid? CredentialId { get; set; }

    public CredentialType? CredentialType { get; set; }

    public bool Granted { get; set; }

    public AccessReason Reason { get; set; }

    public AccessEventSource Source { get; set; }

    public Guid? DeviceId { get; set; }

    /// <summary>A face's similarity to the matched (or nearest) template, −1 to 1; null for other credentials.</summary>
    public float? Score { get; set; }

    /// <summary>A face's liveness score, 0 to 1; null for other credentials.</summary>
    public float? Liveness { get; set; }

    /// <summary>When the server stored it; later than <see cref="OccurredAt"/> for events a device kept while offline.</summary>
    public DateTimeOffset ReceivedAt { get; set; }
}

internal sealed class AccessEventConfiguration : IEntityTypeConfiguration<AccessEvent>
{
    public void Configure(EntityTypeBuilder<AccessEvent> builder)
    {
        builder.Property(e => e.Id).ValueGeneratedNever();
        builder.Property(e => e.DoorName).HasMaxLength(AccessEvent.NameMaxLength);
        builder.Property(e => e.UserName).HasMaxLength(2 * AccessEvent.NameMaxLength + 1);
        builder.Property(e => e.CredentialType).HasConversion<string>().HasMaxLength(20);
        builder.Property(e => e.Reason).HasConversion<string>().HasMaxLength(40);
        builder.Property(e => e.Source).HasConversion<string>().HasMaxLength(20);

        // The history is read newest first, whole or by door or user.
        builder.HasIndex(e => new { e.OrganizationId, e.OccurredAt });
        builder.HasIndex(e => new { e.OrganizationId, e.DoorId, e.OccurredAt });
        builder.HasIndex(e => new { e.OrganizationId, e.UserId, e.OccurredAt });
        builder.HasOne<Organization>().WithMany().HasForeignKey(e => e.OrganizationId).OnDelete(DeleteBehavior.Cascade);
    }
}

/// <summary>An access event as the API shows it.</summary>
internal sealed record AccessEventDto(
    Guid Id,
    DateTimeOffset OccurredAt,
    Guid DoorId,
    string DoorName,
    Guid? UserId,
    string? UserName,
    Guid? CredentialId,
    CredentialType? CredentialType,
    bool Granted,
    string Reason,
    AccessEventSource Source,
    Guid? DeviceId,
    DateTimeOffset ReceivedAt,
    float? Score = null,
    float? Liveness = null);

internal static class AccessEventMapping
{
    public static AccessEventDto ToDto(this AccessEvent e) => new(
        e.Id, e.OccurredAt, e.DoorId, e.DoorName, e.UserId, e.UserName, e.CredentialId, e.CredentialType,
        e.Granted, e.Reason.ToApiName(), e.Source, e.DeviceId, e.ReceivedAt, e.Score, e.Liveness);
}
