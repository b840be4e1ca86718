using Gatehouse.Server.Features.Organizations;
using Gatehouse.Server.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Gatehouse.Server.Features.Sites;

/// <summary>A place with doors. Its time zone is the one in which the schedules of its doors are read.</summary>
internal sealed class Site : ITenantOwned, INamedEntity
{
    public const int NameMaxLength = 200;

    public Guid Id { get; set; } = Guid.CreateVersion7();

    public Guid OrganizationId { get; set; }

    public required string Name { get; set; }

    /// <summary>An IANA identifier such as <c>Europe/Berlin</c>.</summary>
    public required string TimeZone { get; set; }

    public DateTimeOffset CreatedAt { get; set; }
}

internal sealed class SiteConfiguration : IEntityTypeConfiguration<Site>
{
    public void Configure(EntityTypeBuilder<Site> builder)
    {
        builder.Property(s => s.Name).HasMaxLength(Site.NameMaxLength);
        builder.Property(s => s.TimeZone).HasMaxLength(64);
        builder.HasIndex(s => new { s.OrganizationId, s.Name }).IsUnique();
        builder.HasOne<Organization>().WithMany().HasForeignKey(s => s.OrganizationId).OnDelete(DeleteBehavior.Cascade);
    }
}
