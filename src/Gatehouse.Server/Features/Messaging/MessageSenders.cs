namespace Gatehouse.Server.Features.Messaging;

/// <summary>An email ready to go: <paramref name="SenderName"/> is the organization's name.</summary>
internal sealed record OutgoingEmail(Guid Id, string To, string Subject, MessageContent Content, string SenderName);

/// <summary>A text message ready to go.</summary>
internal sealed record OutgoingText(Guid Id, string To, string Text);

internal enum SendOutcome
{
    /// <summary>Handed to the provider, or captured.</summary>
    Sent,

    /// <summary>Worth another attempt later: the provider was unreachable, slow or said "try again".</summary>
    Retry,

    /// <summary>The provider refused the message for good (an unknown mailbox, an invalid number).</summary>
    Refused,
}

/// <summary>What one attempt at sending came to. The reason never holds the content.</summary>
internal sealed record SendResult(SendOutcome Outcome, string? ProviderMessageId = null, string? Reason = null, bool Captured = false)
{
    public static SendResult Sent(string? providerMessageId) => new(SendOutcome.Sent, providerMessageId);

    public static SendResult Kept() => new(SendOutcome.Sent, Captured: true);

    public static SendResult Retry(string reason) => new(SendOutcome.Retry, Reason: reason);

    public static SendResult Refused(string reason) => new(SendOutcome.Refused, Reason: reason);
}

/// <summary>Sends emails: over SMTP, or into the Dev mailbox.</summary>
internal interface IEmailSender
{
    Task<SendResult> SendAsync(OutgoingEmail email, CancellationToken ct);
}

/// <summary>Sends text messages: through Twilio, a webhook, or into the Dev mailbox.</summary>
internal interface ISmsSender
{
    Task<SendResult> SendAsync(OutgoingText text, CancellationToken ct);
}

/// <summary>The embedded default: the message stays in the store, readable on the Dev mailbox page.</summary>
internal sealed class CapturingSender : IEmailSender, ISmsSender
{
    public Task<SendResult> SendAsync(OutgoingEmail email, CancellationToken ct) => Task.FromResult(SendResult.Kept());

    public Task<SendResult> SendAsync(OutgoingText text, CancellationToken ct) => Task.FromResult(SendResult.Kept());
}

internal static class Recipient
{
    /// <summary>Enough of an address or number for a log line to be followed, not enough to be harvested.</summary>
    public static string Mask(string to)
    {
        var at = to.IndexOf('@', StringComparison.Ordinal);
        if (at > 0)
        {
            return to[..1] + "***" + to[at..];
        }

        return to.Length > 4 ? "***" + to[^4..] : "***";
    }
}
