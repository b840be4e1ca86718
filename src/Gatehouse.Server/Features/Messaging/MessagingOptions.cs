using System.ComponentModel.DataAnnotations;

namespace Gatehouse.Server.Features.Messaging;

/// <summary>Outbound email, under <c>Gatehouse:Email</c>. Without an SMTP host, emails are captured in the Dev mailbox.</summary>
internal sealed class EmailOptions
{
    public const string Section = "Gatehouse:Email";

    /// <summary>The sender's address; the display name is the organization's name.</summary>
    [Required]
    [EmailAddress]
    public string From { get; set; } = "gatehouse@localhost.localdomain";
}

internal enum SmtpSecurity
{
    /// <summary>STARTTLS when the server offers it (the default, and what MailKit calls "auto" on port 587).</summary>
    Auto,
    None,
    StartTls,
    SslOnConnect,
}

/// <summary>The SMTP relay, under <c>Gatehouse:Email:Smtp</c>.</summary>
internal sealed class SmtpOptions
{
    public const string Section = "Gatehouse:Email:Smtp";

    /// <summary>Unset: emails are captured, not sent.</summary>
    public string? Host { get; set; }

    [Range(1, 65535)]
    public int Port { get; set; } = 587;

    public SmtpSecurity Security { get; set; } = SmtpSecurity.Auto;

    /// <summary>With <see cref="Password"/>, the account to authenticate as; unset, no authentication.</summary>
    public string? Username { get; set; }

    public string? Password { get; set; }

    /// <summary>For each network step (connect, each command); a message still unsent after it is retried later.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "00:10:00")]
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(30);

    public bool Captures => string.IsNullOrWhiteSpace(Host);
}

internal enum SmsProvider
{
    Capture,
    Twilio,
    Webhook,
}

/// <summary>Outbound text messages, under <c>Gatehouse:Sms</c>.</summary>
internal sealed class SmsOptions
{
    public const string Section = "Gatehouse:Sms";

    public SmsProvider Provider { get; set; } = SmsProvider.Capture;

    public TwilioOptions Twilio { get; set; } = new();

    public SmsWebhookOptions Webhook { get; set; } = new();

    /// <summary>What is missing for the chosen provider, or null when nothing is.</summary>
    public string? Problem() => Provider switch
    {
        SmsProvider.Twilio when string.IsNullOrWhiteSpace(Twilio.AccountSid) || string.IsNullOrWhiteSpace(Twilio.AuthToken) =>
            "Gatehouse:Sms:Twilio:AccountSid and AuthToken are required with the twilio provider.",
        SmsProvider.Twilio when string.IsNullOrWhiteSpace(Twilio.From) && string.IsNullOrWhiteSpace(Twilio.MessagingServiceSid) =>
            "Gatehouse:Sms:Twilio:From or MessagingServiceSid is required with the twilio provider.",
        SmsProvider.Twilio when Twilio.BaseUrl is { } url && !Uri.TryCreate(url, UriKind.Absolute, out _) =>
            "Gatehouse:Sms:Twilio:BaseUrl must be an absolute URL.",
        SmsProvider.Webhook when !Uri.TryCreate(Webhook.Url, UriKind.Absolute, out var u) || u.Scheme is not ("http" or "https") =>
            "Gatehouse:Sms:Webhook:Url must be an absolute http(s) URL with the webhook provider.",
        SmsProvider.Webhook when string.IsNullOrEmpty(Webhook.Secret) =>
            "Gatehouse:Sms:Webhook:Secret is required with the webhook provider (it signs each request).",
        _ => null,
    };
}

internal sealed class TwilioOptions
{
    public string? AccountSid { get; set; }

    public string? AuthToken { get; set; }

    /// <summary>The sending number (E.164); or set <see cref="MessagingServiceSid"/>.</summary>
    public string? From { get; set; }

    public string? MessagingServiceSid { get; set; }

    /// <summary>Another address for Twilio's API (a test fake, a regional edge); unset, Twilio's own.</summary>
    public string? BaseUrl { get; set; }
}

internal sealed class SmsWebhookOptions
{
    public string? Url { get; set; }

    /// <summary>The key of the HMAC-SHA256 signature sent with each request.</summary>
    public string? Secret { get; set; }
}

/// <summary>The dispatcher, under <c>Gatehouse:Outbox</c>.</summary>
internal sealed class OutboxOptions
{
    public const string Section = "Gatehouse:Outbox";

    /// <summary>Whether this server sends messages at all (several servers may share a store; any number may send).</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>How often the store is looked at for due messages when nothing new was queued here.</summary>
    [Range(typeof(TimeSpan), "00:00:00.050", "01:00:00")]
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Attempts before a message is given up on as failed.</summary>
    [Range(1, 100)]
    public int MaxAttempts { get; set; } = 12;

    /// <summary>The wait after the first failed attempt; doubled after each further one, up to <see cref="MaxBackoff"/>.</summary>
    [Range(typeof(TimeSpan), "00:00:00.001", "1.00:00:00")]
    public TimeSpan BaseBackoff { get; set; } = TimeSpan.FromSeconds(15);

    [Range(typeof(TimeSpan), "00:00:00.001", "7.00:00:00")]
    public TimeSpan MaxBackoff { get; set; } = TimeSpan.FromMinutes(30);

    /// <summary>How long a claimed message is kept from other dispatchers; a server that dies mid-send frees it after this.</summary>
    [Range(typeof(TimeSpan), "00:00:05", "01:00:00")]
    public TimeSpan LeaseDuration { get; set; } = TimeSpan.FromMinutes(2);

    [Range(1, 1000)]
    public int BatchSize { get; set; } = 20;
}
