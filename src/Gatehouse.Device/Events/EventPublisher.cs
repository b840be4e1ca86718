using System.Text.Json;
using Gatehouse.Core.DeviceProtocol;
using Gatehouse.Device.Mqtt;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Gatehouse.Device.Events;

/// <summary>
/// Sends the queued events to the server, oldest first, one <see cref="EventBatch"/> at a time: the next
/// batch goes once the server has acknowledged the last, and an unacknowledged batch is sent again after
/// <see cref="EventQueueOptions.EventResendInterval"/> or on the next connection. Events leave the queue
/// only through acknowledgements; a resent event is stored once because the server keys events by ID.
/// </summary>
internal sealed partial class EventPublisher(
    EventQueue queue, BrokerConnection connection, TimeProvider clock, IOptions<EventQueueOptions> options, ILogger<EventPublisher> logger)
    : BackgroundService
{
    private readonly Signal _wake = new();
    private readonly HashSet<Guid> _unacknowledged = [];
    private readonly Lock _gate = new();

    public override Task StartAsync(CancellationToken cancellationToken)
    {
        queue.Changed += _wake.Set;
        queue.Acknowledged += OnAcknowledged;
        connection.Changed += _wake.Set;
        return base.StartAsync(cancellationToken);
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        queue.Changed -= _wake.Set;
        queue.Acknowledged -= OnAcknowledged;
        connection.Changed -= _wake.Set;
        await base.StopAsync(cancellationToken);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var resend = options.Value.EventResendInterval;
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                await connection.WaitConnectedAsync(stoppingToken);
                IReadOnlyList<DeviceEvent> batch;
                try
                {
                    batch = queue.PeekOldest(options.Value.EventBatchSize);
                }
                catch (Microsoft.Data.Sqlite.SqliteException e)
                {
                    LogReadFailed(logger, e.Message);
                    await Task.Delay(resend, clock, stoppingToken);
                    continue;
                }

                if (batch.Count == 0)
                {
                    await _wake.WaitAsync(Timeout.InfiniteTimeSpan, clock, stoppingToken);
                    continue;
                }

                lock (_gate)
                {
                    _unacknowledged.Clear();
                    _unacknowledged.UnionWith(batch.Select(e => e.Id));
                }

                var generation = connection.Generation;
                var payload = JsonSerializer.SerializeToUtf8Bytes(new EventBatch(batch), DeviceProtocolJson.Default.EventBatch);
                if (!await connection.PublishAsync(DeviceTopics.Events, payload, retain: false, stoppingToken))
                {
                    await _wake.WaitAsync(resend, clock, stoppingToken);
                    continue;
                }

                LogSent(logger, batch.Count, queue.Count);
                var deadline = clock.GetUtcNow() + resend;
                while (Unacknowledged > 0 && connection.IsConnected && connection.Generation == generation)
                {
                    var left = deadline - clock.GetUtcNow();
                    if (left <= TimeSpan.Zero)
                    {
                        LogNoAck(logger, Unacknowledged, resend);
                        break;
                    }

                    await _wake.WaitAsync(left, clock, stoppingToken);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    private int Unacknowledged
    {
        get
        {
            lock (_gate)
            {
                return _unacknowledged.Count;
            }
        }
    }

    private void OnAcknowledged(IReadOnlyList<Guid> ids)
    {
        lock (_gate)
        {
            _unacknowledged.ExceptWith(ids);
        }

        _wake.Set();
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "The event queue cannot be read: {Error}; trying again")]
    private static partial void LogReadFailed(ILogger logger, string error);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Sent {Count} events; {Queued} queued")]
    private static partial void LogSent(ILogger logger, int count, int queued);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Count} events not acknowledged within {Interval}; sending them again")]
    private static partial void LogNoAck(ILogger logger, int count, TimeSpan interval);
}
