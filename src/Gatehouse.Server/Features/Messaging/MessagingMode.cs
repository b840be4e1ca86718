using Microsoft.Extensions.Options;

namespace Gatehouse.Server.Features.Messaging;

/// <summary>
/// Whether messages leave the server or are captured in the Dev mailbox, so the console (and a test) can say which.
/// </summary>
internal sealed class MessagingMode(IOptions<SmtpOptions> smtp, IOptions<SmsOptions> sms)
{
    /// <summary>No SMTP host is set: emails are kept in the Dev mailbox, not sent.</summary>
    public bool EmailCaptured { get; } = smtp.Value.Captures;

    /// <summary>The SMS provider is <c>capture</c>: text messages are kept in the Dev mailbox, not sent.</summary>
    public bool TextCaptured { get; } = sms.Value.Provider == Messaging.SmsProvider.Capture;

    /// <summary>The SMTP relay emails go to, when they are really sent.</summary>
    public string? SmtpHost { get; } = smtp.Value.Captures ? null : $"{smtp.Value.Host}:{smtp.Value.Port}";

    /// <summary>capture, twilio or webhook.</summary>
    public string SmsProviderName { get; } = sms.Value.Provider.ToString().ToLowerInvariant();

    public bool AnyCaptured => EmailCaptured || TextCaptured;
}
