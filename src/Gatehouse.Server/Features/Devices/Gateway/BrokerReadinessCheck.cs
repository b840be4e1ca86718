using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;

namespace Gatehouse.Server.Features.Devices.Gateway;

/// <summary>Ready while the broker runs (the in-process one) and the server's own client is connected to it.</summary>
internal sealed class BrokerReadinessCheck(IOptions<MqttOptions> options, InProcessBroker broker, GatewayConnection connection) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        if (!options.Value.IsExternal && !broker.IsRunning)
        {
            return Task.FromResult(HealthCheckResult.Unhealthy("The in-process broker is not running."));
        }

        return Task.FromResult(connection.IsConnected
            ? HealthCheckResult.Healthy()
            : HealthCheckResult.Unhealthy("The device gateway is not connected to the broker."));
    }
}
