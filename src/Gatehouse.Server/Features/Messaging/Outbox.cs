using System.Text.Json;
using Gatehouse.Server.Data;
using Gatehouse.Server.Features.Users;
using Microsoft.AspNetCore.DataProtection;

namespace Gatehouse.Server.Features.Messaging;

/// <summary>
/// What a template made of a message: the plain-text body, and for emails an HTML one with the images it shows
/// (<c>cid:</c> references to <see cref="MessageImage.ContentId"/>).
/// </summary>
internal sealed record MessageContent(string Text, string? Html = null, IReadOnlyList<MessageImage>? Images = null);

/// <summary>An image inside an HTML email, such as a QR code to scan from a desktop screen.</summary>
internal sealed record MessageImage(string ContentId, string MediaType, byte[] Data);

/// <summary>Who and what a queued message is about, for the admin's list.</summary>
internal sealed record MessageAbout(string Kind, Guid? UserId = null, Guid? CredentialId = null);

/// <summary>
/// Queues messages in the outbox. The message is only added to the context: it is stored by the caller's
/// next save, in the same transaction as the change that causes it, and the dispatcher sends it after.
/// </summary>
internal sealed class Outbox(GatehouseDbContext db, OutboxContentProtector protector, TimeProvider clock)
{
    public OutboxMessage QueueEmail(string to, string subject, MessageContent content, MessageAbout about) =>
        Queue(MessageChannel.Email, to, subject, content, about);

    public OutboxMessage QueueText(string to, string text, MessageAbout about) =>
        Queue(MessageChannel.Sms, to, null, new MessageContent(text), about);

    /// <summary>
    /// Queues one message to a user by email and/or text, to the address and number on their profile (which
    /// <see cref="MessageChannels.Check"/> has checked); each body is made only when its channel is used.
    /// </summary>
    public void QueueToUser(
        User user, bool byEmail, bool byText, string subject, Func<MessageContent> email, Func<string> text, MessageAbout about)
    {
        if (byEmail)
        {
            QueueEmail(user.Email!, subject, email(), about);
        }

        if (byText)
        {
            QueueText(user.Phone!, text(), about);
        }
    }

    private OutboxMessage Queue(MessageChannel channel, string to, string? subject, MessageContent content, MessageAbout about)
    {
        var now = clock.GetUtcNow();
        var message = new OutboxMessage
        {
            Channel = channel,
            To = to,
            Subject = subject,
            Kind = about.Kind,
            UserId = about.UserId,
            CredentialId = about.CredentialId,
            ProtectedContent = protector.Protect(content),
            Status = OutboxStatus.Queued,
            NextAttemptAt = now,
            CreatedAt = now,
        };
        db.OutboxMessages.Add(message);
        return message;
    }
}

/// <summary>Encrypts message bodies at rest with the server's data-protection keys (they hold links and PINs).</summary>
internal sealed class OutboxContentProtector(IDataProtectionProvider provider)
{
    private readonly IDataProtector _protector = provider.CreateProtector("Gatehouse.Outbox.Content.v1");

    public string Protect(MessageContent content) => _protector.Protect(JsonSerializer.Serialize(content));

    public MessageContent Unprotect(string protectedContent) =>
        JsonSerializer.Deserialize<MessageContent>(_protector.Unprotect(protectedContent))
        ?? throw new InvalidOperationException("An outbox message's content is empty.");
}
