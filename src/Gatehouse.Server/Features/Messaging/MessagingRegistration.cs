using Gatehouse.Server.Infrastructure;
using Microsoft.Extensions.Options;

namespace Gatehouse.Server.Features.Messaging;

internal static class MessagingRegistration
{
    /// <summary>The outbox, the senders its configuration chooses, and the dispatcher.</summary>
    public static IServiceCollection AddMessaging(this IServiceCollection services)
    {
        services.AddOptions<EmailOptions>().BindConfiguration(EmailOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<SmtpOptions>().BindConfiguration(SmtpOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<SmsOptions>().BindConfiguration(SmsOptions.Section)
            .Validate(o => o.Problem() is null, "The SMS settings are incomplete: see Gatehouse:Sms in docs/messaging.md.")
            .ValidateOnStart();
        services.AddOptions<OutboxOptions>().BindConfiguration(OutboxOptions.Section).ValidateDataAnnotations()
            .Validate(o => o.MaxBackoff >= o.BaseBackoff, "Gatehouse:Outbox:MaxBackoff must not be shorter than BaseBackoff.")
            .ValidateOnStart();

        services.AddSingleton<OutboxContentProtector>();
        services.AddScoped<Outbox>();
        services.AddScoped<OutboxService>();
        services.AddSingleton<MessagingMode>();
        services.AddSingleton<CapturingSender>();
        services.AddSingleton<SmtpEmailSender>();
        services.AddSingleton<TwilioSmsSender>();
        services.AddSingleton<WebhookSmsSender>();
        services.AddSingleton<IEmailSender>(sp => sp.GetRequiredService<IOptions<SmtpOptions>>().Value.Captures
            ? sp.GetRequiredService<CapturingSender>()
            : sp.GetRequiredService<SmtpEmailSender>());
        services.AddSingleton<ISmsSender>(sp => sp.GetRequiredService<IOptions<SmsOptions>>().Value.Provider switch
        {
            SmsProvider.Twilio => sp.GetRequiredService<TwilioSmsSender>(),
            SmsProvider.Webhook => sp.GetRequiredService<WebhookSmsSender>(),
            _ => sp.GetRequiredService<CapturingSender>(),
        });
        services.AddHttpClient(TwilioSmsSender.HttpClientName, c => c.Timeout = TimeSpan.FromSeconds(30))
            .AddHttpMessageHandler(sp => sp.GetRequiredService<IOptions<SmsOptions>>().Value.Twilio.BaseUrl is { Length: > 0 } url
                ? new BaseUrlHandler(new Uri(url))
                : new PassThroughHandler());
        services.AddHttpClient(WebhookSmsSender.HttpClientName, c => c.Timeout = TimeSpan.FromSeconds(30));

        services.AddSingleton<OutboxSignal>();
        services.AddSingleton<IOrganizationChangeListener>(sp => sp.GetRequiredService<OutboxSignal>());
        services.AddSingleton<OutboxDispatcher>();
        services.AddHostedService(sp => sp.GetRequiredService<OutboxDispatcher>());
        return services;
    }

    private sealed class PassThroughHandler : DelegatingHandler;
}
