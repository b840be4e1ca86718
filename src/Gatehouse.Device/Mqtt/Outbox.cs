using System.Text.Json;
using System.Threading.Channels;
using Gatehouse.Core.DeviceProtocol;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Gatehouse.Device.Mqtt;

/// <summary>
/// Sends replies and sync requests in the order they were made, as soon as the device is connected. A
/// message that waited longer than <see cref="ConnectionOptions.OutboxMaxAge"/> is dropped: the server has
/// given up on that reply (an enrollment times out in 30 s), and a sync request is made again on connect.
/// </summary>
internal sealed partial class Outbox(
    BrokerConnection connection, TimeProvider clock, IOptions<ConnectionOptions> options, ILogger<Outbox> logger)
    : BackgroundService, IDeviceOutbox
{
    private static readonly TimeSpan RetryDelay = TimeSpan.FromMilliseconds(200);

    private readonly Channel<Pending> _pending = Channel.CreateBounded<Pending>(
        new BoundedChannelOptions(1_000) { FullMode = BoundedChannelFullMode.DropOldest, SingleReader = true });

    public void Send(DeviceReply reply) =>
        _pending.Writer.TryWrite(new Pending(DeviceTopics.Replies, JsonSerializer.SerializeToUtf8Bytes(reply, DeviceProtocolJson.Default.DeviceReply), clock.GetUtcNow()));

    public void Send(SyncRequest request) =>
        _pending.Writer.TryWrite(new Pending(DeviceTopics.SyncRequest, JsonSerializer.SerializeToUtf8Bytes(request, DeviceProtocolJson.Default.SyncRequest), clock.GetUtcNow()));

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            await foreach (var message in _pending.Reader.ReadAllAsync(stoppingToken))
            {
                while (true)
                {
                    if (clock.GetUtcNow() - message.At > options.Value.OutboxMaxAge)
                    {
                        LogTooOld(logger, message.Suffix);
                        break;
                    }

                    if (await connection.PublishAsync(message.Suffix, message.Payload, retain: false, stoppingToken))
                    {
                        break;
                    }

                    // Not connected, or the publish was lost with the connection: wait for the next one (and
                    // a moment, so a broker that refuses the message is not asked in a tight loop).
                    await Task.Delay(RetryDelay, clock, stoppingToken);
                    try
                    {
                        await connection.WaitConnectedAsync(stoppingToken).WaitAsync(options.Value.OutboxMaxAge, clock, stoppingToken);
                    }
                    catch (TimeoutException)
                    {
                        // Too old by now; the check above drops it.
                    }
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    private sealed record Pending(string Suffix, byte[] Payload, DateTimeOffset At);

    [LoggerMessage(Level = LogLevel.Warning, Message = "A message to {Topic} waited too long for the broker and was dropped")]
    private static partial void LogTooOld(ILogger logger, string topic);
}
