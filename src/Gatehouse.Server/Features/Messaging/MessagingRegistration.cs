namespace Gatehouse.Server.Features.Messaging;

internal static class MessagingRegistration
{
    public static IServiceCollection AddMessaging(this IServiceCollection services)
    {
        services.AddSingleton<OutboxContentProtector>();
        services.AddScoped<Outbox>();
        return services;
    }
}
