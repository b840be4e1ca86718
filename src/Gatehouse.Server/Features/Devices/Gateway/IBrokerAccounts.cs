namespace Gatehouse.Server.Features.Devices.Gateway;

/// <summary>
/// The devices' accounts on the broker: the in-process broker checks the store itself, Mosquitto's
/// dynamic-security plugin keeps its own list, and some brokers are managed by someone else.
/// </summary>
internal interface IBrokerAccounts
{
    /// <summary>Lets the device in with <paramref name="password"/>, replacing any earlier password.</summary>
    Task ProvisionAsync(Guid organizationId, Guid deviceId, string password, CancellationToken ct);

    /// <summary>Refuses the device from now on and ends its session.</summary>
    Task RevokeAsync(Guid organizationId, Guid deviceId, CancellationToken ct);

    /// <summary>Runs each time the server's client has (re)connected and subscribed.</summary>
    Task OnConnectedAsync(CancellationToken ct);
}

/// <summary>An external broker whose accounts and ACLs are kept elsewhere: there is nothing for the server to do.</summary>
internal sealed partial class UnmanagedBrokerAccounts(ILogger<UnmanagedBrokerAccounts> logger) : IBrokerAccounts
{
    public Task ProvisionAsync(Guid organizationId, Guid deviceId, string password, CancellationToken ct)
    {
        LogUnmanaged(logger, deviceId, "added");
        return Task.CompletedTask;
    }

    public Task RevokeAsync(Guid organizationId, Guid deviceId, CancellationToken ct)
    {
        LogUnmanaged(logger, deviceId, "removed");
        return Task.CompletedTask;
    }

    public Task OnConnectedAsync(CancellationToken ct) => Task.CompletedTask;

    [LoggerMessage(Level = LogLevel.Warning, Message = "Device {DeviceId} must be {Change} on the broker by its operator (Gatehouse:Mqtt:Provisioning is None)")]
    private static partial void LogUnmanaged(ILogger logger, Guid deviceId, string change);
}
