using Gatehouse.Server.Features.Credentials;
using Gatehouse.Server.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Gatehouse.Server.Features.CloudKeys;

/// <summary>
/// A Cloud Key: a link with a secret token and a PIN, sent to the user by email and/or text, that opens
/// the doors of the user's schedule from a phone's browser. Neither secret is stored: the token as its
/// SHA-256 (to find the key), the PIN as an HMAC keyed with the token, so the PIN cannot be tried offline
/// from the store alone.
/// </summary>
internal sealed class CloudKeyCredential : Credential
{
    /// <summary>Wrong PINs in a row that lock the key until an admin unlocks it.</summary>
    public const int MaxFailedPinAttempts = 5;

    public CloudKeyCredential() => Type = CredentialType.CloudKey;

    /// <summary>Lower-case hex SHA-256 of the link's token.</summary>
    [AuditRedact]
    public string TokenHash { get; set; } = "";

    /// <summary>Base64 HMAC-SHA-256 of the PIN, keyed with the token.</summary>
    [AuditRedact]
    public string PinHash { get; set; } = "";

    public bool OneTimeUse { get; set; }

    public bool SendEmail { get; set; }

    public bool SendText { get; set; }

    /// <summary>When a one-time key opened its door; it opens nothing after.</summary>
    public DateTimeOffset? UsedAt { get; set; }

    /// <summary>When an admin revoked the key; it opens nothing after, whatever its status.</summary>
    public DateTimeOffset? RevokedAt { get; set; }

    /// <summary>Wrong PINs since the last right one (or the last unlock or resend); bookkeeping, not audited.</summary>
    [AuditIgnore]
    public int FailedPinAttempts { get; set; }

    /// <summary>Set when the <see cref="MaxFailedPinAttempts"/>th wrong PIN locked the key.</summary>
    public DateTimeOffset? LockedAt { get; set; }

    /// <summary>When the link and PIN were last sent (created or resent).</summary>
    public DateTimeOffset SentAt { get; set; }
}

internal sealed class CloudKeyCredentialConfiguration : IEntityTypeConfiguration<CloudKeyCredential>
{
    public void Configure(EntityTypeBuilder<CloudKeyCredential> builder)
    {
        builder.Property(c => c.TokenHash).HasMaxLength(64);
        builder.Property(c => c.PinHash).HasMaxLength(64);

        // Shared with a mobile credential's welcome message: named here too, so neither kind's column is renamed.
        builder.Property(c => c.SendEmail).HasColumnName(nameof(CloudKeyCredential.SendEmail));
        builder.Property(c => c.SendText).HasColumnName(nameof(CloudKeyCredential.SendText));
        builder.Property(c => c.SentAt).HasColumnName(nameof(CloudKeyCredential.SentAt));

        // Other kinds leave the column NULL, which both providers let repeat in a unique index. Tokens
        // are found across organizations (the link names none), so the index is not per organization.
        builder.HasIndex(c => c.TokenHash).IsUnique();
    }
}
