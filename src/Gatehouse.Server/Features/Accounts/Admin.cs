using System.Text.Json.Serialization;
using Gatehouse.Server.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Gatehouse.Server.Features.Accounts;

/// <summary>Roles inside an organization, lowest first: each includes the rights of the ones before it.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<AdminRole>))]
internal enum AdminRole
{
    [JsonStringEnumMemberName("viewer")] Viewer = 0,
    [JsonStringEnumMemberName("admin")] Admin = 1,
    [JsonStringEnumMemberName("owner")] Owner = 2,
}

/// <summary>A person who signs in to manage an organization (API and admin console).</summary>
internal sealed class Admin : ITenantOwned
{
    public Guid Id { get; set; } = Guid.CreateVersion7();

    public Guid OrganizationId { get; set; }

    /// <summary>
    /// Unique within the organization, stored lower-case. The same person may administer several
    /// organizations with one email: sign-in then tells their accounts apart by password or by choice.
    /// </summary>
    public required string Email { get; set; }

    [AuditRedact]
    public string PasswordHash { get; set; } = "";

    public AdminRole Role { get; set; }

    /// <summary>The bootstrap owner: may also create organizations.</summary>
    public bool IsSystemAdministrator { get; set; }

    [AuditIgnore]
    public int FailedSignIns { get; set; }

    /// <summary>Sign-in bookkeeping, not a change anyone made; a lockout is logged as its own <c>lockedOut</c> entry.</summary>
    [AuditIgnore]
    public DateTimeOffset? LockedUntil { get; set; }

    public DateTimeOffset CreatedAt { get; set; }

    public const int EmailMaxLength = 254;

    public static string Normalize(string email) => email.Trim().ToLowerInvariant();

    /// <summary>A required sign-in email: present, not too long, and one plain address.</summary>
    public static void CheckEmail(Validation v, string field, string? email)
    {
        v.Text(field, email, EmailMaxLength);
        if (!string.IsNullOrWhiteSpace(email) && email.Length <= EmailMaxLength && !EmailAddress.IsValid(email))
        {
            v.Add(field, "Must be an email address.");
        }
    }
}

internal sealed class AdminConfiguration : IEntityTypeConfiguration<Admin>
{
    public void Configure(EntityTypeBuilder<Admin> builder)
    {
        builder.Property(a => a.Email).HasMaxLength(Admin.EmailMaxLength);
        // Email first: sign-in looks accounts up by email across organizations.
        builder.HasIndex(a => new { a.Email, a.OrganizationId }).IsUnique();
        builder.Property(a => a.PasswordHash).HasMaxLength(500);
        builder.Property(a => a.Role).HasConversion<string>().HasMaxLength(20);
        builder.HasOne<Organizations.Organization>().WithMany().HasForeignKey(a => a.OrganizationId).OnDelete(DeleteBehavior.Cascade);
    }
}
