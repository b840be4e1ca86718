using Gatehouse.Server.Features.Credentials;
using Gatehouse.Server.Features.Organizations;
using Gatehouse.Server.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Gatehouse.Server.Features.Mobile;

/// <summary>
/// A nonce the server gave a phone to sign. Kept in the store, not in a server's memory, so any server can check
/// the answer; taken by one conditional update, so it proves one request only, and only until it expires. Not audited:
/// a nonce changes nothing anyone administers (the unlock it proves is an access event).
/// </summary>
[AuditIgnore]
internal sealed class MobileChallenge : ITenantOwned
{
    public Guid Id { get; set; } = Guid.CreateVersion7();

    public Guid OrganizationId { get; set; }

    public Guid CredentialId { get; set; }

    /// <summary>The nonce as the phone received it (base64url of 32 random bytes): not a secret, a number used once.</summary>
    public string Value { get; set; } = "";

    public DateTimeOffset ExpiresAt { get; set; }

    public DateTimeOffset? UsedAt { get; set; }
}

internal sealed class MobileChallengeConfiguration : IEntityTypeConfiguration<MobileChallenge>
{
    public void Configure(EntityTypeBuilder<MobileChallenge> builder)
    {
        builder.ToTable("MobileChallenges");
        builder.Property(c => c.Value).HasMaxLength(64);
        builder.HasIndex(c => new { c.CredentialId, c.Value }).IsUnique();
        builder.HasIndex(c => c.ExpiresAt);
        builder.HasOne<Credential>().WithMany().HasForeignKey(c => c.CredentialId).OnDelete(DeleteBehavior.Cascade);
        builder.HasOne<Organization>().WithMany().HasForeignKey(c => c.OrganizationId).OnDelete(DeleteBehavior.Cascade);
    }
}
