using System.Text.Json.Serialization;
using Gatehouse.Core.Cards;
using Gatehouse.Server.Features.Doors;
using Gatehouse.Server.Features.Organizations;
using Gatehouse.Server.Features.Sites;
using Gatehouse.Server.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Gatehouse.Server.Features.Devices;

/// <summary>The kinds of door device Gatehouse runs.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<DeviceModel>))]
internal enum DeviceModel
{
    /// <summary>A face reader with a card reader, speaker, LED ring and one lock relay.</summary>
    [JsonStringEnumMemberName("F3D100")] F3D100 = 1,
}

/// <summary>
/// A door device of a site and the doors it controls. It is added with a one-time claim code; the agent on
/// the device exchanges the code for its own MQTT credentials, of which the server keeps only a hash.
/// What the device reports about itself (online, versions, locks) lives in <see cref="DeviceState"/>, which
/// changes too often to be audited.
/// </summary>
internal sealed class Device : ITenantOwned
{
    public const int NameMaxLength = 200;

    /// <summary>The most doors one device controls; an F3D100 wires a handful.</summary>
    public const int MaxDoors = 32;

    public Guid Id { get; set; } = Guid.CreateVersion7();

    public Guid OrganizationId { get; set; }

    public required string Name { get; set; }

    public DeviceModel Model { get; set; }

    public Guid SiteId { get; set; }

    /// <summary>The Wiegand format the device's reader decodes cards in; null reads cards by CSN.</summary>
    public CardFormat? WiegandFormat { get; set; }

    /// <summary>SHA-256 of the unused claim code; null once claimed (or never issued).</summary>
    [AuditRedact]
    public string? ClaimCodeHash { get; set; }

    public DateTimeOffset? ClaimCodeExpiresAt { get; set; }

    /// <summary>SHA-256 of the device's MQTT password; null until claimed.</summary>
    [AuditRedact]
    public string? SecretHash { get; set; }

    public DateTimeOffset? ClaimedAt { get; set; }

    public DateTimeOffset CreatedAt { get; set; }

    public DateTimeOffset UpdatedAt { get; set; }

    public List<DeviceDoor> Doors { get; set; } = [];
}

/// <summary>A door a device controls. A door is controlled by at most one device.</summary>
internal sealed class DeviceDoor
{
    public Guid DeviceId { get; set; }

    public Guid DoorId { get; set; }
}

/// <summary>
/// What a device last reported (its status messages) and how far the server has synced it. One row per
/// device, written by the gateway; left out of the audit log, which records what people change.
/// </summary>
[AuditIgnore]
internal sealed class DeviceState : ITenantOwned
{
    public Guid DeviceId { get; set; }

    public Guid OrganizationId { get; set; }

    public bool Online { get; set; }

    public DateTimeOffset? LastSeenAt { get; set; }

    public string? SoftwareVersion { get; set; }

    /// <summary>The sync version the device reported holding.</summary>
    public long SyncVersion { get; set; }

    /// <summary>The last sync version the server published to the device; the next delta or snapshot is one more.</summary>
    public long PublishedSyncVersion { get; set; }

    /// <summary>The doors whose lock is open now, as the device last reported.</summary>
    public List<Guid> UnlockedDoorIds { get; set; } = [];

    public int QueuedEvents { get; set; }

    public long DroppedEvents { get; set; }

    /// <summary>
    /// Until when the device counts as online without another word from it: its last status plus three of the
    /// heartbeats it declared. Null for a device that declares none (it is then offline only by its last will or,
    /// on the in-process broker, when its connection ends).
    /// </summary>
    public DateTimeOffset? OnlineUntil { get; set; }

    /// <summary>Online by its last status, and not silent past its heartbeats.</summary>
    public bool IsOnlineAt(DateTimeOffset now) => Online && (OnlineUntil is null || OnlineUntil > now);

    /// <summary>Events the device sent that the server refused (malformed, or not what the device could have seen).</summary>
    public long RejectedEvents { get; set; }
}

internal sealed class DeviceConfiguration : IEntityTypeConfiguration<Device>
{
    public void Configure(EntityTypeBuilder<Device> builder)
    {
        builder.Property(d => d.Name).HasMaxLength(Device.NameMaxLength);
        builder.Property(d => d.Model).HasConversion<string>().HasMaxLength(20);
        builder.Property(d => d.WiegandFormat).HasConversion<string>().HasMaxLength(20);
        builder.Property(d => d.ClaimCodeHash).HasMaxLength(64);
        builder.Property(d => d.SecretHash).HasMaxLength(64);
        builder.HasIndex(d => new { d.OrganizationId, d.Name }).IsUnique();
        builder.HasIndex(d => d.ClaimCodeHash).IsUnique();
        builder.HasOne<Site>().WithMany().HasForeignKey(d => d.SiteId).OnDelete(DeleteBehavior.Restrict);
        builder.HasOne<Organization>().WithMany().HasForeignKey(d => d.OrganizationId).OnDelete(DeleteBehavior.Cascade);
        builder.HasMany(d => d.Doors).WithOne().HasForeignKey(d => d.DeviceId).OnDelete(DeleteBehavior.Cascade);
    }
}

internal sealed class DeviceDoorConfiguration : IEntityTypeConfiguration<DeviceDoor>
{
    public void Configure(EntityTypeBuilder<DeviceDoor> builder)
    {
        builder.HasKey(d => new { d.DeviceId, d.DoorId });

        // One device per door: two devices opening the same lock would disagree about its state.
        builder.HasIndex(d => d.DoorId).IsUnique();
        builder.HasOne<Door>().WithMany().HasForeignKey(d => d.DoorId).OnDelete(DeleteBehavior.Cascade);
    }
}

internal sealed class DeviceStateConfiguration : IEntityTypeConfiguration<DeviceState>
{
    public void Configure(EntityTypeBuilder<DeviceState> builder)
    {
        builder.HasKey(s => s.DeviceId);
        builder.Property(s => s.SoftwareVersion).HasMaxLength(50);
        builder.HasIndex(s => s.OrganizationId);
        builder.HasIndex(s => new { s.Online, s.OnlineUntil });
        builder.HasOne<Device>().WithOne().HasForeignKey<DeviceState>(s => s.DeviceId).OnDelete(DeleteBehavior.Cascade);
    }
}
