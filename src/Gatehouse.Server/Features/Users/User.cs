using Gatehouse.Server.Features.AccessGroups;
using Gatehouse.Server.Features.Organizations;
using Gatehouse.Server.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Gatehouse.Server.Features.Users;

internal enum UserStatus
{
    Active = 0,
    Suspended = 1,
}

/// <summary>
/// A person who opens doors (not an administrator). Emails need not be unique: colleagues may share a
/// front-desk address, and a user is never looked up by email.
/// </summary>
internal sealed class User : ITenantOwned
{
    public const int NameMaxLength = 200;
    public const int EmailMaxLength = 254;
    public const int PhoneMaxLength = 16;

    /// <summary>The most access groups one user is in.</summary>
    public const int MaxAccessGroups = 100;

    public Guid Id { get; set; } = Guid.CreateVersion7();

    public Guid OrganizationId { get; set; }

    public required string FirstName { get; set; }

    public required string LastName { get; set; }

    public string? Email { get; set; }

    /// <summary>E.164, e.g. <c>+4930123456</c>.</summary>
    public string? Phone { get; set; }

    public UserStatus Status { get; set; }

    public DateTimeOffset? ValidFrom { get; set; }

    public DateTimeOffset? ValidUntil { get; set; }

    public List<UserAccessGroup> AccessGroups { get; set; } = [];

    public DateTimeOffset CreatedAt { get; set; }

    /// <summary>
    /// Names and email folded to lower case for <c>?search=</c>. Derived rather than stored by hand so it
    /// can never go stale; SQLite's <c>lower()</c> folds only ASCII, so the folding happens here instead.
    /// </summary>
    public string SearchText
    {
        get => Fold(FirstName, LastName, Email);
        private set { }
    }

    public static string Fold(params ReadOnlySpan<string?> parts) =>
        string.Join('\n', parts.ToArray().Where(p => !string.IsNullOrEmpty(p))).ToLowerInvariant();
}

/// <summary>Membership of a user in an access group.</summary>
internal sealed class UserAccessGroup : ITenantOwned
{
    public Guid UserId { get; set; }

    public Guid AccessGroupId { get; set; }

    public Guid OrganizationId { get; set; }
}

internal sealed class UserConfiguration : IEntityTypeConfiguration<User>
{
    public void Configure(EntityTypeBuilder<User> builder)
    {
        builder.Property(u => u.FirstName).HasMaxLength(User.NameMaxLength);
        builder.Property(u => u.LastName).HasMaxLength(User.NameMaxLength);
        builder.Property(u => u.Email).HasMaxLength(User.EmailMaxLength);
        builder.Property(u => u.Phone).HasMaxLength(User.PhoneMaxLength);
        builder.Property(u => u.Status).HasConversion<string>().HasMaxLength(20);
        builder.Property(u => u.SearchText).HasMaxLength((2 * User.NameMaxLength) + User.EmailMaxLength + 2);
        builder.HasIndex(u => new { u.OrganizationId, u.LastName, u.FirstName, u.Id });
        builder.HasOne<Organization>().WithMany().HasForeignKey(u => u.OrganizationId).OnDelete(DeleteBehavior.Cascade);
        builder.HasMany(u => u.AccessGroups).WithOne().HasForeignKey(m => m.UserId).OnDelete(DeleteBehavior.Cascade);
    }
}

internal sealed class UserAccessGroupConfiguration : IEntityTypeConfiguration<UserAccessGroup>
{
    public void Configure(EntityTypeBuilder<UserAccessGroup> builder)
    {
        builder.HasKey(m => new { m.UserId, m.AccessGroupId });
        builder.HasIndex(m => m.AccessGroupId);
        builder.HasOne<AccessGroup>().WithMany().HasForeignKey(m => m.AccessGroupId).OnDelete(DeleteBehavior.Cascade);
    }
}
