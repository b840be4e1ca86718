using System.Text.Json;
using Gatehouse.Core.DeviceProtocol;
using Gatehouse.Device.Door;
using Gatehouse.Device.Events;
using Gatehouse.Device.Sync;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Gatehouse.Device.Mqtt;

/// <summary>
/// Handles what the broker delivers, one message at a time and in order: sync messages to the store, event
/// acknowledgements to the queue, commands to the door. A payload that is too large or does not parse is
/// logged and dropped (and acknowledged, so it is not delivered again); nothing a message holds can stop
/// the loop. Also asks for a snapshot when sync needs one.
/// </summary>
internal sealed partial class MessageDispatcher(
    BrokerConnection connection, DeviceIdentity identity, SyncApplier sync, EventQueue events, CommandHandler commands,
    IDeviceOutbox outbox, TimeProvider clock, ILogger<MessageDispatcher> logger) : BackgroundService
{
    private static readonly TimeSpan TimeoutCheck = TimeSpan.FromSeconds(1);

    public override Task StartAsync(CancellationToken cancellationToken)
    {
        connection.ConnectedAsync += OnConnectedAsync;
        return base.StartAsync(cancellationToken);
    }

    /// <summary>Handles one delivered message; public for tests, which feed messages without a broker.</summary>
    public void Handle(string topic, byte[]? payload, long size)
    {
        if (!DeviceTopics.TryParse(topic, out var organizationId, out var deviceId, out var suffix)
            || organizationId != identity.OrganizationId || deviceId != identity.DeviceId)
        {
            LogForeignTopic(logger, topic);
            return;
        }

        if (payload is null)
        {
            LogTooLarge(logger, suffix, size);
            return;
        }

        try
        {
            switch (suffix)
            {
                case DeviceTopics.Sync:
                    var result = sync.Handle(Parse(payload, DeviceProtocolJson.Default.SyncMessage));
                    if (result.Request is { } request)
                    {
                        outbox.Send(request);
                    }

                    break;
                case DeviceTopics.EventAcks:
                    events.Acknowledge(Parse(payload, DeviceProtocolJson.Default.EventAck).Ids);
                    break;
                case DeviceTopics.Commands:
                    commands.Handle(Parse(payload, DeviceProtocolJson.Default.DeviceCommand));
                    break;
                default:
                    LogForeignTopic(logger, topic);
                    break;
            }
        }
        catch (JsonException e)
        {
            LogMalformed(logger, suffix, size, e.Message);
        }
        catch (NotSupportedException e)
        {
            // An unknown "type" of a polymorphic message lands here.
            LogMalformed(logger, suffix, size, e.Message);
        }
        catch (SqliteException e)
        {
            LogStoreFailed(logger, suffix, e.Message);
        }
        catch (Exception e) when (e is ArgumentException or FormatException or InvalidOperationException or OverflowException)
        {
            // Parsed, but not sense: values out of any range the engine or the store accepts.
            LogMalformed(logger, suffix, size, e.Message);
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(TimeoutCheck, clock);
        var checks = CheckTimeoutsAsync(timer, stoppingToken);
        try
        {
            await foreach (var message in connection.Incoming.ReadAllAsync(stoppingToken))
            {
                Handle(message.Topic, message.Payload, message.Size);
                await message.AcknowledgeAsync(stoppingToken);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }

        await checks;
    }

    private static T Parse<T>(byte[] payload, System.Text.Json.Serialization.Metadata.JsonTypeInfo<T> type) =>
        JsonSerializer.Deserialize(payload, type) ?? throw new JsonException("The payload is null.");

    private Task OnConnectedAsync(CancellationToken ct)
    {
        if (sync.OnConnected() is { } request)
        {
            outbox.Send(request);
        }

        return Task.CompletedTask;
    }

    private async Task CheckTimeoutsAsync(PeriodicTimer timer, CancellationToken ct)
    {
        try
        {
            while (await timer.WaitForNextTickAsync(ct))
            {
                if (connection.IsConnected && sync.CheckTimeouts() is { } request)
                {
                    outbox.Send(request);
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Dropped a message on {Topic}: not one of this device's topics")]
    private static partial void LogForeignTopic(ILogger logger, string topic);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Dropped a {Size}-byte message on {Suffix}: over the size limit")]
    private static partial void LogTooLarge(ILogger logger, string suffix, long size);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Dropped a malformed {Size}-byte message on {Suffix}: {Error}")]
    private static partial void LogMalformed(ILogger logger, string suffix, long size, string error);

    [LoggerMessage(Level = LogLevel.Error, Message = "A message on {Suffix} could not be stored: {Error}")]
    private static partial void LogStoreFailed(ILogger logger, string suffix, string error);
}
