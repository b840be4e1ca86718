using Gatehouse.Server.Infrastructure;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Gatehouse.Server.Features.Devices.Gateway;

internal static class GatewayRegistration
{
    /// <summary>
    /// The device gateway: the in-process broker (idle when <c>Gatehouse:Mqtt:Host</c> names an external one),
    /// the server's MQTT client, message handling, sync and its save hook, and the "broker" readiness check.
    /// </summary>
    public static IServiceCollection AddDeviceGateway(this IServiceCollection services)
    {
        services.AddOptions<MqttOptions>().BindConfiguration(MqttOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton(sp => BrokerCredentials.From(sp.GetRequiredService<IOptions<MqttOptions>>().Value, Environment.MachineName));
        services.AddSingleton<InProcessBroker>();
        services.AddSingleton<GatewayInbox>();
        services.AddSingleton<GatewayConnection>();
        services.AddSingleton<DeviceSync>();
        services.AddSingleton<DeviceMessageProcessor>();
        services.AddSingleton<DynamicSecurityAccounts>();
        services.AddSingleton<UnmanagedBrokerAccounts>();
        services.AddSingleton<IBrokerAccounts>(sp => sp.GetRequiredService<IOptions<MqttOptions>>().Value switch
        {
            { IsExternal: false } => sp.GetRequiredService<InProcessBroker>(),
            { Provisioning: BrokerProvisioning.DynamicSecurity } => sp.GetRequiredService<DynamicSecurityAccounts>(),
            _ => sp.GetRequiredService<UnmanagedBrokerAccounts>(),
        });
        services.TryAddSingleton<DeviceGateway>();
        services.AddSingleton<IOrganizationChangeListener>(sp => sp.GetRequiredService<DeviceSync>());

        // In this order: the broker listens before the client connects, and messages are worked off once it does.
        services.AddHostedService(sp => sp.GetRequiredService<InProcessBroker>());
        services.AddHostedService(sp => sp.GetRequiredService<DeviceMessageProcessor>());
        services.AddHostedService<GatewayConnector>();
        services.AddHostedService<DeviceVersionCheck>();
        services.AddReadinessCheck<BrokerReadinessCheck>("broker");
        return services;
    }
}
