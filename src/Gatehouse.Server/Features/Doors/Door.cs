using Gatehouse.Server.Features.Organizations;
using Gatehouse.Server.Features.Sites;
using Gatehouse.Server.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Gatehouse.Server.Features.Doors;

/// <summary>A door of a site. Its name is unique within the site (two sites may both have a "Front door").</summary>
internal sealed class Door : ITenantOwned, INamedEntity
{
    public const int NameMaxLength = 200;

    public Guid Id { get; set; } = Guid.CreateVersion7();

    public Guid OrganizationId { get; set; }

    public Guid SiteId { get; set; }

    public required string Name { get; set; }

    public DateTimeOffset CreatedAt { get; set; }
}

internal sealed class DoorConfiguration : IEntityTypeConfiguration<Door>
{
    public void Configure(EntityTypeBuilder<Door> builder)
    {
        builder.Property(d => d.Name).HasMaxLength(Door.NameMaxLength);
        builder.HasIndex(d => new { d.SiteId, d.Name }).IsUnique();
        builder.HasIndex(d => d.OrganizationId);

        // A site with doors cannot be deleted: the service answers 409 first, the database backs it up.
        builder.HasOne<Site>().WithMany().HasForeignKey(d => d.SiteId).OnDelete(DeleteBehavior.Restrict);
        builder.HasOne<Organization>().WithMany().HasForeignKey(d => d.OrganizationId).OnDelete(DeleteBehavior.Cascade);
    }
}
