using Gatehouse.Server.Features.Doors;
using Gatehouse.Server.Features.Organizations;
using Gatehouse.Server.Features.Schedules;
using Gatehouse.Server.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Gatehouse.Server.Features.AccessGroups;

/// <summary>Doors that open for the group's users while its schedule is open.</summary>
internal sealed class AccessGroup : ITenantOwned, INamedEntity
{
    public const int NameMaxLength = 200;

    /// <summary>The most doors one group opens; a whole campus fits.</summary>
    public const int MaxDoors = 1000;

    public Guid Id { get; set; } = Guid.CreateVersion7();

    public Guid OrganizationId { get; set; }

    public required string Name { get; set; }

    public Guid ScheduleId { get; set; }

    public List<AccessGroupDoor> Doors { get; set; } = [];

    public DateTimeOffset CreatedAt { get; set; }
}

/// <summary>
/// A door of an access group. Tenant-owned like everything else so that no query can reach another
/// organization's rows through it.
/// </summary>
internal sealed class AccessGroupDoor : ITenantOwned
{
    public Guid AccessGroupId { get; set; }

    public Guid DoorId { get; set; }

    public Guid OrganizationId { get; set; }
}

internal sealed class AccessGroupConfiguration : IEntityTypeConfiguration<AccessGroup>
{
    public void Configure(EntityTypeBuilder<AccessGroup> builder)
    {
        builder.Property(g => g.Name).HasMaxLength(AccessGroup.NameMaxLength);
        builder.HasIndex(g => new { g.OrganizationId, g.Name }).IsUnique();
        builder.HasIndex(g => g.ScheduleId);

        // A schedule in use cannot be deleted: the service answers 409 first, the database backs it up.
        builder.HasOne<Schedule>().WithMany().HasForeignKey(g => g.ScheduleId).OnDelete(DeleteBehavior.Restrict);
        builder.HasOne<Organization>().WithMany().HasForeignKey(g => g.OrganizationId).OnDelete(DeleteBehavior.Cascade);
        builder.HasMany(g => g.Doors).WithOne().HasForeignKey(d => d.AccessGroupId).OnDelete(DeleteBehavior.Cascade);
    }
}

internal sealed class AccessGroupDoorConfiguration : IEntityTypeConfiguration<AccessGroupDoor>
{
    public void Configure(EntityTypeBuilder<AccessGroupDoor> builder)
    {
        builder.HasKey(d => new { d.AccessGroupId, d.DoorId });
        builder.HasIndex(d => d.DoorId);
        builder.HasOne<Door>().WithMany().HasForeignKey(d => d.DoorId).OnDelete(DeleteBehavior.Cascade);
    }
}
