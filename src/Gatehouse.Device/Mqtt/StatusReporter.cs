using System.Text.Json;
using Gatehouse.Core.DeviceProtocol;
using Gatehouse.Device.Door;
using Gatehouse.Device.Events;
using Gatehouse.Device.Sync;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace Gatehouse.Device.Mqtt;

/// <summary>
/// Publishes the device's retained <see cref="DeviceStatus"/> when it connects and whenever the status
/// changes: at once for the sync version and the locks, within a second for the event counts (a burst of
/// taps makes one status, not one each); and at least once per heartbeat while connected, so the server knows
/// the device is alive even when no last will reaches it.
/// </summary>
internal sealed class StatusReporter(
    BrokerConnection connection,
    DeviceStatusSource status,
    AccessEngine engine,
    LockControl locks,
    EventQueue events,
    IOptions<ConnectionOptions> options,
    TimeProvider clock)
    : BackgroundService
{
    private static readonly TimeSpan CountsDelay = TimeSpan.FromSeconds(1);

    private readonly Signal _changed = new();
    private volatile bool _urgent;

    public override Task StartAsync(CancellationToken cancellationToken)
    {
        connection.ConnectedAsync += PublishNowAsync;
        engine.Changed += Urgent;
        locks.Changed += Urgent;
        events.Changed += _changed.Set;
        return base.StartAsync(cancellationToken);
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        connection.ConnectedAsync -= PublishNowAsync;
        engine.Changed -= Urgent;
        locks.Changed -= Urgent;
        events.Changed -= _changed.Set;
        await base.StopAsync(cancellationToken);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                await _changed.WaitAsync(options.Value.Heartbeat, clock, stoppingToken);
                // Only counts changed: let a burst settle; an urgent change cuts the wait short.
                var deadline = clock.GetUtcNow() + CountsDelay;
                for (var left = CountsDelay; !_urgent && left > TimeSpan.Zero; left = deadline - clock.GetUtcNow())
                {
                    await _changed.WaitAsync(left, clock, stoppingToken);
                }

                _urgent = false;
                await PublishNowAsync(stoppingToken);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    private void Urgent()
    {
        _urgent = true;
        _changed.Set();
    }

    private async Task PublishNowAsync(CancellationToken ct) =>
        await connection.PublishAsync(
            DeviceTopics.Status, JsonSerializer.SerializeToUtf8Bytes(status.Build(online: true), DeviceProtocolJson.Default.DeviceStatus), retain: true, ct);
}
