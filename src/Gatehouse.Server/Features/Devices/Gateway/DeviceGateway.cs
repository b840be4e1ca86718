using Gatehouse.Core.DeviceProtocol;

namespace Gatehouse.Server.Features.Devices.Gateway;

/// <summary>The server's side of the device protocol: what the rest of the server asks of devices.</summary>
internal sealed class DeviceGateway
{
    /// <summary>Publishes <paramref name="command"/> to the device (QoS 1); false when the broker cannot be reached.</summary>
    public Task<bool> SendAsync(Guid organizationId, Guid deviceId, DeviceCommand command, CancellationToken ct) =>
        throw new NotSupportedException("The device gateway is not built yet.");

    /// <summary>Lets the device's new MQTT password in (external brokers keep their own client list).</summary>
    public Task ProvisionAsync(Guid organizationId, Guid deviceId, string password, CancellationToken ct) =>
        throw new NotSupportedException("The device gateway is not built yet.");

    /// <summary>Removes the device's MQTT credentials and ends its session at once (device removed or claimed again).</summary>
    public Task RevokeAsync(Guid organizationId, Guid deviceId, CancellationToken ct) =>
        throw new NotSupportedException("The device gateway is not built yet.");
}
