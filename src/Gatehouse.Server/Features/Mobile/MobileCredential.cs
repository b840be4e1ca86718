using System.Text.Json.Serialization;
using Gatehouse.Server.Features.Credentials;
using Gatehouse.Server.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Gatehouse.Server.Features.Mobile;

[JsonConverter(typeof(JsonStringEnumConverter<MobileState>))]
internal enum MobileState
{
    /// <summary>Sent, waiting for a phone to open the activation link.</summary>
    [JsonStringEnumMemberName("pending")] Pending = 1,

    /// <summary>Bound to one phone's key.</summary>
    [JsonStringEnumMemberName("active")] Active = 2,
}

/// <summary>
/// A phone as a credential. It is made pending, with a one-time activation code sent in a welcome message (stored
/// as its SHA-256, like a Cloud Key's token); the phone that opens the link first makes a P-256 key pair and sends
/// the public half, which binds the credential to that phone for good: the server and the doors keep only the public
/// key, and the phone proves itself by signing (a server challenge online, a door token offline). Sending it again
/// makes it pending with a new code: the old link and the old phone stop working at once.
/// </summary>
internal sealed class MobileCredential : Credential
{
    public MobileCredential() => Type = CredentialType.Mobile;

    /// <summary>Lower-case hex SHA-256 of the current activation code.</summary>
    [AuditRedact]
    public string ActivationCodeHash { get; set; } = "";

    /// <summary>After this the code activates nothing; the admin sends a new one.</summary>
    public DateTimeOffset ActivationExpiresAt { get; set; }

    /// <summary>When the current code was used (it is then useless).</summary>
    public DateTimeOffset? ActivationUsedAt { get; set; }

    /// <summary>The phone's public key (<c>MobileKeys.ToText</c>); null while pending.</summary>
    public string? PublicKey { get; set; }

    /// <summary>What the phone called itself at activation ("Pixel 8").</summary>
    public string? DeviceName { get; set; }

    public DateTimeOffset? ActivatedAt { get; set; }

    /// <summary>The last door this phone opened, online or offline; bookkeeping, not audited.</summary>
    [AuditIgnore]
    public DateTimeOffset? LastUsedAt { get; set; }

    public bool SendEmail { get; set; }

    public bool SendText { get; set; }

    /// <summary>When the welcome message was last sent (created or resent).</summary>
    public DateTimeOffset SentAt { get; set; }

    public MobileState State => PublicKey is null ? MobileState.Pending : MobileState.Active;
}

internal sealed class MobileCredentialConfiguration : IEntityTypeConfiguration<MobileCredential>
{
    public const int DeviceNameMaxLength = 60;

    public void Configure(EntityTypeBuilder<MobileCredential> builder)
    {
        builder.Property(c => c.ActivationCodeHash).HasMaxLength(64);
        builder.Property(c => c.PublicKey).HasMaxLength(100);
        builder.Property(c => c.DeviceName).HasMaxLength(DeviceNameMaxLength);

        // The same columns as a Cloud Key's: how the credential's message was sent, and when.
        builder.Property(c => c.SendEmail).HasColumnName(nameof(MobileCredential.SendEmail));
        builder.Property(c => c.SendText).HasColumnName(nameof(MobileCredential.SendText));
        builder.Property(c => c.SentAt).HasColumnName(nameof(MobileCredential.SentAt));
        builder.Ignore(c => c.State);

        // Codes are found across organizations (the link names none). Other kinds leave the column NULL.
        builder.HasIndex(c => c.ActivationCodeHash).IsUnique();
    }
}

/// <summary>A mobile credential's own part of <c>GET /credentials/{id}</c>.</summary>
internal sealed record MobileDto(
    MobileState State,
    string? DeviceName,
    DateTimeOffset? ActivatedAt,
    DateTimeOffset? LastUsedAt,
    DateTimeOffset SentAt,
    bool SendEmail,
    bool SendText,
    DateTimeOffset? ActivationExpiresAt);

internal static class MobileMapping
{
    public static MobileDto ToMobileDto(this MobileCredential c) => new(
        c.State, c.DeviceName, c.ActivatedAt, c.LastUsedAt, c.SentAt, c.SendEmail, c.SendText,
        c.State == MobileState.Pending ? c.ActivationExpiresAt : null);
}
