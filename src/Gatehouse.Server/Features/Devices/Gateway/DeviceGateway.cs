using System.Text.Json;
using Gatehouse.Core.DeviceProtocol;
using Microsoft.Extensions.Options;

namespace Gatehouse.Server.Features.Devices.Gateway;

/// <summary>The server's side of the device protocol: what the rest of the server asks of devices.</summary>
internal sealed partial class DeviceGateway(
    GatewayConnection connection,
    IBrokerAccounts accounts,
    DeviceSync sync,
    IOptions<MqttOptions> options,
    ILogger<DeviceGateway> logger)
{
    /// <summary>Whether the server's MQTT client is connected and subscribed (so commands can go out).</summary>
    public bool IsConnected => connection.IsConnected;

    /// <summary>Completes once the server's MQTT client is connected and subscribed.</summary>
    public Task WaitConnectedAsync(CancellationToken ct) => connection.WaitConnectedAsync(ct);

    /// <summary>Publishes <paramref name="command"/> to the device (QoS 1); false when the broker cannot be reached.</summary>
    public Task<bool> SendAsync(Guid organizationId, Guid deviceId, DeviceCommand command, CancellationToken ct) =>
        connection.PublishAsync(
            DeviceTopics.For(organizationId, deviceId, DeviceTopics.Commands),
            JsonSerializer.SerializeToUtf8Bytes(command, DeviceProtocolJson.Default.DeviceCommand),
            ct);

    /// <summary>
    /// Lets the device's new MQTT password in (external brokers keep their own client list). Throws when the
    /// broker refuses or cannot be reached, so the claim can be tried again.
    /// </summary>
    public async Task ProvisionAsync(Guid organizationId, Guid deviceId, string password, CancellationToken ct)
    {
        // A newly claimed device starts with an empty store: whatever was synced before is not its.
        sync.Forget(deviceId);
        await accounts.ProvisionAsync(organizationId, deviceId, password, ct);
    }

    /// <summary>
    /// Removes the device's MQTT credentials and ends its session at once (device removed or claimed again).
    /// When an external broker cannot be reached, the account is removed when the server next connects.
    /// </summary>
    public async Task RevokeAsync(Guid organizationId, Guid deviceId, CancellationToken ct)
    {
        sync.Forget(deviceId);
        try
        {
            await accounts.RevokeAsync(organizationId, deviceId, ct);
        }
        catch (Exception ex) when (ex is InvalidOperationException or TimeoutException)
        {
            LogRevokeDeferred(logger, deviceId, ex.Message);
        }

        // Clears its retained status, so nobody reads a removed device's last word.
        await connection.PublishAsync(DeviceTopics.For(organizationId, deviceId, DeviceTopics.Status), [], ct, retain: true);
    }

    /// <summary>
    /// Where a device that reached the HTTP API through <paramref name="request"/> finds the broker:
    /// <c>Gatehouse:Mqtt:AdvertisedHost</c>/<c>AdvertisedPort</c> when set, else the request's host and the broker's port.
    /// </summary>
    public BrokerEndpoint EndpointFor(HttpRequest request) => EndpointFor(request.Host.Host);

    /// <summary>Where a device that reached the HTTP API at <paramref name="requestHost"/> finds the broker.</summary>
    public BrokerEndpoint EndpointFor(string requestHost)
    {
        var settings = options.Value;
        var host = settings.AdvertisedHost ?? (string.IsNullOrWhiteSpace(requestHost) ? "localhost" : requestHost);
        return new BrokerEndpoint(host, settings.AdvertisedPort ?? settings.Port, settings.UseTls);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Device {DeviceId} could not be removed from the broker now ({Error}); it is removed when the server next connects")]
    private static partial void LogRevokeDeferred(ILogger logger, Guid deviceId, string error);
}
