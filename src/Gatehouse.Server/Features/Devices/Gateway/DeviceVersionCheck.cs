using Microsoft.Extensions.Options;

namespace Gatehouse.Server.Features.Devices.Gateway;

/// <summary>
/// Runs <see cref="DeviceSync.CheckVersions"/> every <see cref="MqttOptions.VersionCheckSeconds"/>, on the app's
/// clock, so a device that lost a delta without knowing is corrected without waiting for a change or a reconnect.
/// </summary>
internal sealed class DeviceVersionCheck(DeviceSync sync, IOptions<MqttOptions> options, TimeProvider clock) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(options.Value.VersionCheckSeconds), clock);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                sync.CheckVersions();
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Stopping.
        }
    }
}
