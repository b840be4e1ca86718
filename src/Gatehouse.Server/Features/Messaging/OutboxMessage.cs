using System.Text.Json.Serialization;
using Gatehouse.Server.Features.Organizations;
using Gatehouse.Server.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Gatehouse.Server.Features.Messaging;

[JsonConverter(typeof(JsonStringEnumConverter<MessageChannel>))]
internal enum MessageChannel
{
    [JsonStringEnumMemberName("email")] Email = 1,
    [JsonStringEnumMemberName("sms")] Sms = 2,
}

[JsonConverter(typeof(JsonStringEnumConverter<OutboxStatus>))]
internal enum OutboxStatus
{
    /// <summary>Waiting for its first or its next attempt.</summary>
    [JsonStringEnumMemberName("queued")] Queued = 0,

    /// <summary>Handed to the provider (or kept in the dev mailbox when messages are captured).</summary>
    [JsonStringEnumMemberName("sent")] Sent = 1,

    /// <summary>Given up on: a permanent refusal, or every attempt failed; <see cref="OutboxMessage.Error"/> says why.</summary>
    [JsonStringEnumMemberName("failed")] Failed = 2,
}

/// <summary>
/// An email or text message on its way out. It is written in the same transaction as the change that
/// causes it, so a message exists exactly when the change does; the dispatcher then sends it, with
/// retries. Its content carries secrets (links, PINs), so it is kept encrypted with the server's data
/// protection keys, left out of the audit log, and erased once really sent.
/// </summary>
[AuditIgnore]
internal sealed class OutboxMessage : ITenantOwned
{
    public const int ToMaxLength = 320;
    public const int SubjectMaxLength = 300;
    public const int ErrorMaxLength = 1000;

    public Guid Id { get; set; } = Guid.CreateVersion7();

    public Guid OrganizationId { get; set; }

    public MessageChannel Channel { get; set; }

    /// <summary>An email address, or an E.164 phone number.</summary>
    public required string To { get; set; }

    /// <summary>Emails only.</summary>
    public string? Subject { get; set; }

    /// <summary>What the message is (<c>cloudKey</c>…), for the admin's list.</summary>
    public required string Kind { get; set; }

    /// <summary>The bodies, protected (encrypted and signed); null once sent to a real provider.</summary>
    public string? ProtectedContent { get; set; }

    /// <summary>Kept in the dev mailbox rather than sent (the embedded default).</summary>
    public bool Captured { get; set; }

    public OutboxStatus Status { get; set; }

    public int Attempts { get; set; }

    /// <summary>When a queued message is due; pushed back after each failed attempt.</summary>
    public DateTimeOffset NextAttemptAt { get; set; }

    /// <summary>While set and in the future, one dispatcher is sending the message and no other may.</summary>
    public DateTimeOffset? LeasedUntil { get; set; }

    public DateTimeOffset CreatedAt { get; set; }

    public DateTimeOffset? SentAt { get; set; }

    /// <summary>Why the last attempt failed (never the content).</summary>
    public string? Error { get; set; }

    /// <summary>The provider's ID of the sent message (the SMTP Message-ID, the SMS provider's message ID).</summary>
    public string? ProviderMessageId { get; set; }

    /// <summary>The user the message goes to, when it goes to one.</summary>
    public Guid? UserId { get; set; }

    /// <summary>The credential the message is about (a Cloud Key), when it is about one.</summary>
    public Guid? CredentialId { get; set; }
}

internal sealed class OutboxMessageConfiguration : IEntityTypeConfiguration<OutboxMessage>
{
    public void Configure(EntityTypeBuilder<OutboxMessage> builder)
    {
        builder.ToTable("OutboxMessages");
        builder.Property(m => m.Channel).HasConversion<string>().HasMaxLength(10);
        builder.Property(m => m.Status).HasConversion<string>().HasMaxLength(10);
        builder.Property(m => m.To).HasMaxLength(OutboxMessage.ToMaxLength);
        builder.Property(m => m.Subject).HasMaxLength(OutboxMessage.SubjectMaxLength);
        builder.Property(m => m.Kind).HasMaxLength(40);
        builder.Property(m => m.Error).HasMaxLength(OutboxMessage.ErrorMaxLength);
        builder.Property(m => m.ProviderMessageId).HasMaxLength(200);

        // The dispatcher looks across organizations for what is due; admins read their own newest first.
        builder.HasIndex(m => new { m.Status, m.NextAttemptAt });
        builder.HasIndex(m => new { m.OrganizationId, m.CreatedAt });
        builder.HasIndex(m => new { m.OrganizationId, m.CredentialId });
        builder.HasOne<Organization>().WithMany().HasForeignKey(m => m.OrganizationId).OnDelete(DeleteBehavior.Cascade);
    }
}
