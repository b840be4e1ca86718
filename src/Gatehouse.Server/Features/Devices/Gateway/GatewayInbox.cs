using System.Buffers;
using System.Threading.Channels;
using Gatehouse.Core.DeviceProtocol;
using Gatehouse.Server.Infrastructure;
using Microsoft.Extensions.Options;
using MQTTnet;

namespace Gatehouse.Server.Features.Devices.Gateway;

/// <summary>A message from a device, as taken off the broker: its topic's parts and a copy of its payload.</summary>
internal sealed record DeviceMessage(Guid OrganizationId, Guid DeviceId, string Suffix, string Topic, byte[] Payload);

/// <summary>
/// Where the server's MQTT client puts what arrives. It only sorts: events go to one queue (stored in
/// batches), status, sync requests and replies to another, answers of Mosquitto's dynamic-security plugin to
/// whoever waits for them; anything else is logged and dropped. The queues are bounded, so a flood slows the
/// client (and the broker queues for it) instead of filling memory.
/// </summary>
internal sealed partial class GatewayInbox(IOptions<MqttOptions> options, ILogger<GatewayInbox> logger)
{
    private readonly Channel<DeviceMessage> _events = Channel.CreateBounded<DeviceMessage>(
        new BoundedChannelOptions(2_000) { SingleReader = true, FullMode = BoundedChannelFullMode.Wait });

    private readonly Channel<DeviceMessage> _control = Channel.CreateBounded<DeviceMessage>(
        new BoundedChannelOptions(10_000) { SingleReader = true, FullMode = BoundedChannelFullMode.Wait });

    /// <summary>An answer on <c>$CONTROL/dynamic-security/v1/response</c>.</summary>
    public event Action<byte[]>? DynamicSecurityResponse;

    public ChannelReader<DeviceMessage> Events => _events.Reader;

    public ChannelReader<DeviceMessage> Control => _control.Reader;

    public async Task PostAsync(MqttApplicationMessage message, CancellationToken ct)
    {
        var topic = message.Topic;
        var size = message.Payload.Length;
        if (topic == GatewayConnection.DynamicSecurityResponseTopic)
        {
            DynamicSecurityResponse?.Invoke(message.Payload.ToArray());
            return;
        }

        if (!DeviceTopics.TryParse(topic, out var organizationId, out var deviceId, out var suffix))
        {
            Refuse(topic, size, "not a device topic");
            return;
        }

        if (size > options.Value.MaxPayloadBytes)
        {
            Refuse(topic, size, $"larger than {options.Value.MaxPayloadBytes} bytes");
            return;
        }

        if (size == 0)
        {
            // A retained status being cleared (the device was removed), or an empty message: nothing to read.
            LogEmpty(logger, topic);
            return;
        }

        var queue = suffix switch
        {
            DeviceTopics.Events => _events,
            DeviceTopics.Status or DeviceTopics.SyncRequest or DeviceTopics.Replies => _control,
            _ => null,
        };
        if (queue is null)
        {
            Refuse(topic, size, "not a topic devices publish to");
            return;
        }

        await queue.Writer.WriteAsync(new DeviceMessage(organizationId, deviceId, suffix, topic, message.Payload.ToArray()), ct);
    }

    /// <summary>Logs a message that is dropped: its topic, its size and why, never its content.</summary>
    public void Refuse(string topic, long size, string reason) => LogRefused(logger, topic, size, reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Dropped a message on {Topic} ({Size} bytes): {Reason}")]
    private static partial void LogRefused(ILogger logger, LogText topic, long size, LogText reason);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Ignored an empty message on {Topic}")]
    private static partial void LogEmpty(ILogger logger, LogText topic);
}
