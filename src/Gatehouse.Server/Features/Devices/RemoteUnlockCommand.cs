using Gatehouse.Server.Features.Credentials;
using Gatehouse.Server.Features.Events;
using Gatehouse.Server.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Gatehouse.Server.Features.Devices;

/// <summary>
/// An unlock command the server sent to a device (a remote unlock or a Cloud Key), kept so that the device's
/// confirmation can be waited for by whichever server took the request, and so that the device can report
/// only the unlocks it was really sent: its <c>remoteUnlock</c> event is stored under this ID with what the
/// server knows of it (source, user, credential), or refused when no such command was sent to it.
/// </summary>
[AuditIgnore]
internal sealed class RemoteUnlockCommand : ITenantOwned
{
    /// <summary>The command's ID, which is also the ID of its access event.</summary>
    public Guid Id { get; set; }

    public Guid OrganizationId { get; set; }

    public Guid DeviceId { get; set; }

    public Guid DoorId { get; set; }

    public required string DoorName { get; set; }

    public DateTimeOffset IssuedAt { get; set; }

    public AccessEventSource Source { get; set; }

    public Guid? UserId { get; set; }

    public string? UserName { get; set; }

    public Guid? CredentialId { get; set; }

    public CredentialType? CredentialType { get; set; }

    /// <summary>
    /// The expiry the device was given: past it (by its own clock) the device refuses the command, and the server
    /// no longer counts an answer to it. Rows are pruned <see cref="DeviceOptions.MaxEventAge"/> after it.
    /// </summary>
    public DateTimeOffset ExpiresAt { get; set; }

    /// <summary>
    /// When the server stopped waiting for the answer and told the person the door did not answer; an answer that
    /// comes after it is not counted (it is logged). Null while the server waits, or once answered in time.
    /// </summary>
    public DateTimeOffset? ExpiredAt { get; set; }

    /// <summary>When the device answered; null while it has not.</summary>
    public DateTimeOffset? AnsweredAt { get; set; }

    /// <summary>Whether the device said it operated the lock; meaningful once <see cref="AnsweredAt"/> is set.</summary>
    public bool Succeeded { get; set; }

    /// <summary>The access event of this unlock, as it happened (at <paramref name="at"/>).</summary>
    public AccessEvent ToEvent(DateTimeOffset at) => new()
    {
        Id = Id,
        OrganizationId = OrganizationId,
        OccurredAt = at,
        DoorId = DoorId,
        DoorName = DoorName,
        UserId = UserId,
        UserName = UserName,
        CredentialId = CredentialId,
        CredentialType = CredentialType,
        Granted = true,
        Reason = Core.Decisions.AccessReason.Granted,
        Source = Source,
        DeviceId = DeviceId,
    };
}

internal sealed class RemoteUnlockCommandConfiguration : IEntityTypeConfiguration<RemoteUnlockCommand>
{
    public void Configure(EntityTypeBuilder<RemoteUnlockCommand> builder)
    {
        builder.Property(c => c.DoorName).HasMaxLength(AccessEvent.NameMaxLength);
        builder.Property(c => c.UserName).HasMaxLength(2 * AccessEvent.NameMaxLength + 1);
        builder.Property(c => c.Source).HasConversion<string>().HasMaxLength(20);
        builder.Property(c => c.CredentialType).HasConversion<string>().HasMaxLength(20);
        builder.HasIndex(c => c.OrganizationId);
        builder.HasIndex(c => c.DeviceId);
        builder.HasIndex(c => c.ExpiresAt);
        builder.HasOne<Device>().WithMany().HasForeignKey(c => c.DeviceId).OnDelete(DeleteBehavior.Cascade);
    }
}
