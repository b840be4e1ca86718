using System.Globalization;
using Gatehouse.Server.Tests.Features.CloudKeys;
using Microsoft.AspNetCore.Hosting;

namespace Gatehouse.Server.Tests.Features.Messaging;

/// <summary>
/// The server sending for real: email over SMTP to a <see cref="TestSmtpServer"/> and text messages to a
/// <see cref="FakeSmsApi"/> (as Twilio, or as a webhook), with a quick dispatcher (polling every 100 ms,
/// back-off from one second of the test clock, three attempts).
/// </summary>
public class MailApp : CloudKeysApp
{
    public const string From = "gatehouse@gatehouse.test";
    public const string TwilioSid = "AC0123456789abcdef0123456789abcdef";
    public const string TwilioToken = "twilio-auth-token";
    public const string TwilioFrom = "+15005550006";
    public const string WebhookSecret = "webhook-secret";

    private readonly bool _ownsServices;

    public MailApp()
    {
        _ownsServices = true;
    }

    private MailApp(MailApp previous)
        : base(previous)
    {
        Smtp = previous.Smtp;
        Sms = previous.Sms;
        SmsProvider = previous.SmsProvider;
        DispatcherEnabled = previous.DispatcherEnabled;
    }

    public TestSmtpServer Smtp { get; private set; } = null!;

    /// <summary>The server again over <paramref name="previous"/>'s store, SMTP server and SMS API, as after a restart.</summary>
    public static MailApp RestartOf(MailApp previous) => new(previous);

    public FakeSmsApi Sms { get; private set; } = null!;

    /// <summary>twilio or webhook.</summary>
    public string SmsProvider { get; init; } = "twilio";

    /// <summary>False: no background sending; a test runs the dispatcher's rounds itself.</summary>
    public bool DispatcherEnabled { get; init; } = true;

    /// <summary>False: the SMTP server's port stays closed until the test starts it.</summary>
    public bool SmtpRunning { get; init; } = true;

    public override async Task InitializeAsync()
    {
        if (_ownsServices)
        {
            Smtp = await TestSmtpServer.CreateAsync(start: SmtpRunning);
            Sms = await FakeSmsApi.StartAsync();
        }

        await base.InitializeAsync();
    }

    protected override void ConfigureTestServices(IWebHostBuilder builder)
    {
        base.ConfigureTestServices(builder);
        builder.UseSetting("Gatehouse:Email:From", From);
        builder.UseSetting("Gatehouse:Email:Smtp:Host", "127.0.0.1");
        builder.UseSetting("Gatehouse:Email:Smtp:Port", Smtp.Port.ToString(CultureInfo.InvariantCulture));
        builder.UseSetting("Gatehouse:Email:Smtp:Security", "None");
        builder.UseSetting("Gatehouse:Email:Smtp:Timeout", "00:00:05");
        builder.UseSetting("Gatehouse:Sms:Provider", SmsProvider);
        builder.UseSetting("Gatehouse:Sms:Twilio:AccountSid", TwilioSid);
        builder.UseSetting("Gatehouse:Sms:Twilio:AuthToken", TwilioToken);
        builder.UseSetting("Gatehouse:Sms:Twilio:From", TwilioFrom);
        builder.UseSetting("Gatehouse:Sms:Twilio:BaseUrl", Sms.BaseUrl);
        builder.UseSetting("Gatehouse:Sms:Webhook:Url", Sms.BaseUrl + "/sms");
        builder.UseSetting("Gatehouse:Sms:Webhook:Secret", WebhookSecret);
        builder.UseSetting("Gatehouse:Outbox:Enabled", DispatcherEnabled ? "true" : "false");
        builder.UseSetting("Gatehouse:Outbox:PollInterval", "00:00:00.100");
        builder.UseSetting("Gatehouse:Outbox:BaseBackoff", "00:00:01");
        builder.UseSetting("Gatehouse:Outbox:MaxBackoff", "00:00:05");
        builder.UseSetting("Gatehouse:Outbox:MaxAttempts", "3");
    }

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        GC.SuppressFinalize(this);
        if (_ownsServices && !KeepStoreOnDispose)
        {
            await Smtp.DisposeAsync();
            await Sms.DisposeAsync();
        }
    }
}
