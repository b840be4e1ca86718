using System.Text.Json.Serialization;
using Gatehouse.Server.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Gatehouse.Server.Features.Accounts;

/// <summary>How an administrator signed in: an API token or the console's cookie.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<SessionKind>))]
internal enum SessionKind
{
    [JsonStringEnumMemberName("api")] Api = 0,
    [JsonStringEnumMemberName("console")] Console = 1,
}

/// <summary>
/// One sign-in of an administrator, kept in the store so every server sees it end: at sign-out, when the
/// admin ends it, and when their password or role changes or they are deleted. Only the SHA-256 of its
/// secret is stored; the secret is the API token itself, or sits inside the console's encrypted cookie.
/// </summary>
[AuditIgnore]
internal sealed class AdminSession
{
    public const int ClientAddressMaxLength = 45;
    public const int UserAgentMaxLength = 200;

    public Guid Id { get; set; } = Guid.CreateVersion7();

    [AuditRedact]
    public required byte[] TokenHash { get; set; }

    public Guid AdminId { get; set; }

    public SessionKind Kind { get; set; }

    public DateTimeOffset CreatedAt { get; set; }

    /// <summary>The last request seen, to the minute (see <see cref="SessionService"/>).</summary>
    public DateTimeOffset LastSeenAt { get; set; }

    /// <summary>The absolute end, however active the session is.</summary>
    public DateTimeOffset ExpiresAt { get; set; }

    public string? ClientAddress { get; set; }

    public string? UserAgent { get; set; }
}

internal sealed class AdminSessionConfiguration : IEntityTypeConfiguration<AdminSession>
{
    public void Configure(EntityTypeBuilder<AdminSession> builder)
    {
        builder.HasIndex(s => s.TokenHash).IsUnique();
        builder.Property(s => s.TokenHash).HasMaxLength(32);
        builder.Property(s => s.Kind).HasConversion<string>().HasMaxLength(20);
        builder.Property(s => s.ClientAddress).HasMaxLength(AdminSession.ClientAddressMaxLength);
        builder.Property(s => s.UserAgent).HasMaxLength(AdminSession.UserAgentMaxLength);
        builder.HasIndex(s => s.AdminId);
        builder.HasOne<Admin>().WithMany().HasForeignKey(s => s.AdminId).OnDelete(DeleteBehavior.Cascade);
    }
}
