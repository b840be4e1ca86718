using Microsoft.Extensions.Options;

namespace Gatehouse.Server.Features.Devices.Gateway;

/// <summary>
/// Keeps the <see cref="GatewayConnection"/> connected, backing off between attempts (0.2 s to 15 s). After each
/// connect, before the connection counts as ready, the broker's accounts are reconciled and the device sync is told
/// that what was in flight may be lost. It sits above everything it calls, so each of them is in its constructor.
/// </summary>
internal sealed partial class GatewayConnector(
    GatewayConnection connection,
    IBrokerAccounts accounts,
    DeviceSync sync,
    IOptions<MqttOptions> options,
    ILogger<GatewayConnector> logger) : BackgroundService
{
    private static readonly TimeSpan FirstRetry = TimeSpan.FromMilliseconds(200);
    private static readonly TimeSpan LastRetry = TimeSpan.FromSeconds(15);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var settings = options.Value;
        var retry = FirstRetry;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await connection.ConnectAsync(stoppingToken);
                retry = FirstRetry;
                await accounts.OnConnectedAsync(stoppingToken);
                sync.OnServerReconnected();
                connection.MarkReady();

                await connection.WaitLostAsync(stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                break;
            }
            catch (Exception ex)
            {
                LogConnectFailed(logger, settings.IsExternal ? settings.Host! : "in-process", settings.Port, ex.Message, retry.TotalSeconds);
                await connection.DisconnectQuietlyAsync(CancellationToken.None);

                try
                {
                    // Waits for the broker, not a time of day: real time even where the app's clock is a test's fake.
                    await Task.Delay(retry, stoppingToken);
                }
                catch (OperationCanceledException)
                {
                    break;
                }

                retry = TimeSpan.FromTicks(Math.Min(retry.Ticks * 2, LastRetry.Ticks));
            }
        }
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken);
        await connection.DisconnectQuietlyAsync(cancellationToken);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "The device gateway could not connect to the {Broker} broker on port {Port}: {Error}; retrying in {Seconds} s")]
    private static partial void LogConnectFailed(ILogger logger, string broker, int port, string error, double seconds);
}
