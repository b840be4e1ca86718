using System.Buffers;
using System.Text.Json;
using System.Threading.Channels;
using Gatehouse.Core.DeviceProtocol;
using Gatehouse.Device.Hardware;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using MQTTnet;
using MQTTnet.Exceptions;
using MQTTnet.Formatter;
using MQTTnet.Protocol;

namespace Gatehouse.Device.Mqtt;

/// <summary>A message the broker delivered; <see cref="AcknowledgeAsync"/> once it is handled (QoS 1).</summary>
internal sealed class IncomingMessage(string topic, byte[]? payload, long size, MqttApplicationMessageReceivedEventArgs delivery)
{
    public string Topic { get; } = topic;

    /// <summary>The payload; null when it was over the size limit (and was not copied).</summary>
    public byte[]? Payload { get; } = payload;

    public long Size { get; } = size;

    /// <summary>
    /// Acknowledges the delivery. Done after the message is handled, so a message the agent did not get to
    /// handle (a crash, a lost connection) is delivered again: every handler tolerates a repeat.
    /// </summary>
    public async Task AcknowledgeAsync(CancellationToken ct)
    {
        try
        {
            await delivery.AcknowledgeAsync(ct).ConfigureAwait(false);
        }
        catch (Exception)
        {
            // The connection went meanwhile (MQTTnet then throws anything from its communication exception to a
            // NullReferenceException of its torn-down session); the broker delivers the message again on the next
            // one, and a failed acknowledgement must never stop the agent.
        }
    }
}

/// <summary>
/// The device's MQTT 5 connection: client ID = device ID, the claim's username and password, a persistent
/// session (no clean start, a session expiry) so QoS 1 messages wait for the device through short outages,
/// and a retained "offline" status as its last will. It connects, subscribes to the device's sync, event-ack
/// and command topics, and reconnects forever with exponential back-off. Before each attempt it waits for the
/// <see cref="INetworkLink"/> to be up; when the link goes down it drops the connection without a word.
/// </summary>
internal sealed partial class BrokerConnection : BackgroundService
{
    private readonly DeviceIdentity _identity;
    private readonly DeviceStatusSource _status;
    private readonly ConnectionOptions _options;
    private readonly TimeProvider _clock;
    private readonly ILogger<BrokerConnection> _logger;
    private readonly Channel<IncomingMessage> _incoming = Channel.CreateUnbounded<IncomingMessage>(new UnboundedChannelOptions { SingleReader = true });
    private readonly INetworkLink _link;
    private readonly Lock _gate = new();
    private IMqttClient _client;
    private TaskCompletionSource _disconnected = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private TaskCompletionSource _connected = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _generation;

    public BrokerConnection(
        DeviceIdentity identity, DeviceStatusSource status, INetworkLink link, IOptions<ConnectionOptions> options, TimeProvider clock, ILogger<BrokerConnection> logger)
    {
        _identity = identity;
        _link = link;
        _status = status;
        _options = options.Value;
        _clock = clock;
        _logger = logger;
        _client = CreateClient();
        _link.WentDown += DropConnection;
    }

    /// <summary>Raised (on the connection's task) after each successful connection, once subscribed.</summary>
    public event Func<CancellationToken, Task>? ConnectedAsync;

    /// <summary>Raised when the connection comes or goes.</summary>
    public event Action? Changed;

    public bool IsConnected => _client.IsConnected;

    /// <summary>Counts connections; a publisher that sees it change knows its unacknowledged messages may be lost.</summary>
    public int Generation => Volatile.Read(ref _generation);

    /// <summary>Messages delivered by the broker, in order, for the dispatcher.</summary>
    public ChannelReader<IncomingMessage> Incoming => _incoming.Reader;

    /// <summary>Waits until connected (and subscribed).</summary>
    public Task WaitConnectedAsync(CancellationToken ct)
    {
        lock (_gate)
        {
            return _connected.Task.WaitAsync(ct);
        }
    }

    /// <summary>Publishes a message of the protocol at QoS 1 to the device's <paramref name="suffix"/> topic; false when not delivered to the broker.</summary>
    public async Task<bool> PublishAsync(string suffix, byte[] payload, bool retain, CancellationToken ct)
    {
        if (!_client.IsConnected)
        {
            return false;
        }

        var message = new MqttApplicationMessageBuilder()
            .WithTopic(_identity.Topic(suffix))
            .WithPayload(payload)
            .WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce)
            .WithRetainFlag(retain)
            .WithContentType("application/json")
            .Build();
        try
        {
            var result = await _client.PublishAsync(message, ct).ConfigureAwait(false);
            if (!result.IsSuccess)
            {
                LogPublishRefused(_logger, suffix, result.ReasonCode.ToString());
            }

            return result.IsSuccess;
        }
        catch (Exception e) when (e is MqttCommunicationException or InvalidOperationException or TimeoutException)
        {
            LogPublishFailed(_logger, suffix, e.Message);
            return false;
        }
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken);
        if (_client.IsConnected)
        {
            // A clean disconnect does not fire the last will, so say "offline" first.
            try
            {
                await PublishAsync(DeviceTopics.Status, JsonSerializer.SerializeToUtf8Bytes(_status.Build(online: false), DeviceProtocolJson.Default.DeviceStatus), retain: true, cancellationToken);
                await _client.DisconnectAsync(new MqttClientDisconnectOptionsBuilder().Build(), cancellationToken);
            }
            catch (Exception)
            {
                // Going away anyway; a connection torn down meanwhile makes MQTTnet throw more than its own exceptions.
            }
        }
    }

    public override void Dispose()
    {
        _link.WentDown -= DropConnection;
        _client.Dispose();
        base.Dispose();
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var failures = 0;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await _link.WaitUpAsync(stoppingToken);
            }
            catch (OperationCanceledException)
            {
                break;
            }

            TaskCompletionSource disconnected;
            lock (_gate)
            {
                disconnected = _disconnected = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            }

            try
            {
                var result = await _client.ConnectAsync(BuildOptions(), stoppingToken);
                if (result.ResultCode != MqttClientConnectResultCode.Success)
                {
                    throw new MqttCommunicationException($"the broker refused the connection: {result.ResultCode}");
                }

                if (!_link.IsUp)
                {
                    // The link went down while the connection was being made.
                    DropConnection();
                    continue;
                }

                await SubscribeAsync(stoppingToken);
                failures = 0;
                Interlocked.Increment(ref _generation);
                LogConnected(_logger, _identity.Broker.Host, _identity.Broker.Port, result.IsSessionPresent);
                if (ConnectedAsync is { } onConnected)
                {
                    foreach (var handler in onConnected.GetInvocationList().Cast<Func<CancellationToken, Task>>())
                    {
                        await handler(stoppingToken);
                    }
                }

                lock (_gate)
                {
                    if (_client.IsConnected)
                    {
                        _connected.TrySetResult();
                    }
                }

                Changed?.Invoke();
                await disconnected.Task.WaitAsync(stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                break;
            }
            catch (Exception e) when (!stoppingToken.IsCancellationRequested)
            {
                // Whatever went wrong with this connection, the device must try again: a door device has no one
                // to restart it. The back-off below keeps a persistent failure from spinning.
                LogConnectFailed(_logger, _identity.Broker.Host, _identity.Broker.Port, e.Message);
                if (_link.IsUp && _client.IsConnected)
                {
                    // Connected but the subscription failed: start over from a clean connection.
                    await _client.TryDisconnectAsync(MqttClientDisconnectOptionsReason.UnspecifiedError, "subscription failed");
                }
            }

            if (!_link.IsUp || stoppingToken.IsCancellationRequested)
            {
                continue;
            }

            var delay = BackOff(failures++);
            try
            {
                await Task.Delay(delay, _clock, stoppingToken);
            }
            catch (OperationCanceledException)
            {
                break;
            }
        }
    }

    /// <summary>
    /// Ends the connection the way a lost network does: a pulled cable sends nothing, the connection just ends
    /// and the broker publishes the last will. (A DISCONNECT packet, even "with will", would make some brokers
    /// skip the will.) Disposing the client closes the socket without a word; a fresh client connects when
    /// the link is back.
    /// </summary>
    private void DropConnection()
    {
        IMqttClient old;
        lock (_gate)
        {
            old = _client;
            _client = CreateClient();
            _disconnected.TrySetResult();
            if (_connected.Task.IsCompleted)
            {
                _connected = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            }
        }

        old.Dispose();
        Changed?.Invoke();
    }

    private IMqttClient CreateClient()
    {
        var client = new MqttClientFactory().CreateMqttClient();
        client.ApplicationMessageReceivedAsync += OnMessageAsync;
        client.DisconnectedAsync += e =>
        {
            lock (_gate)
            {
                if (client != _client)
                {
                    // A client that was replaced (the link went down): its end was already handled.
                    return Task.CompletedTask;
                }

                _disconnected.TrySetResult();
                if (_connected.Task.IsCompleted)
                {
                    _connected = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                }
            }

            if (e.ClientWasConnected)
            {
                LogDisconnected(_logger, e.Reason.ToString(), e.Exception?.Message);
            }

            Changed?.Invoke();
            return Task.CompletedTask;
        };
        return client;
    }

    private TimeSpan BackOff(int failures)
    {
        // Exponential with jitter, so a building's devices do not all knock at once after a broker restart.
        var baseDelay = _options.ReconnectMinDelay.TotalMilliseconds * Math.Pow(2, Math.Min(failures, 20));
        var capped = Math.Min(baseDelay, _options.ReconnectMaxDelay.TotalMilliseconds);
        return TimeSpan.FromMilliseconds(capped * (0.75 + (Random.Shared.NextDouble() * 0.5)));
    }

    private MqttClientOptions BuildOptions()
    {
        var will = JsonSerializer.SerializeToUtf8Bytes(_status.Build(online: false), DeviceProtocolJson.Default.DeviceStatus);
        var builder = new MqttClientOptionsBuilder()
            .WithTcpServer(_identity.Broker.Host, _identity.Broker.Port)
            .WithProtocolVersion(MqttProtocolVersion.V500)
            .WithClientId(_identity.DeviceId.ToString("D"))
            .WithCredentials(_identity.MqttUsername, _identity.MqttPassword)
            .WithCleanStart(false)
            .WithSessionExpiryInterval((uint)_options.SessionExpiry.TotalSeconds)
            .WithKeepAlivePeriod(_options.KeepAlive)
            .WithTimeout(_options.Timeout)
            .WithReceiveMaximum(64)
            .WithWillTopic(_identity.Topic(DeviceTopics.Status))
            .WithWillPayload(will)
            .WithWillQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce)
            .WithWillRetain(true)
            .WithWillContentType("application/json");
        if (_identity.Broker.UseTls)
        {
            builder.WithTlsOptions(tls => tls.UseTls().WithTargetHost(_identity.Broker.Host));
        }

        return builder.Build();
    }

    private async Task SubscribeAsync(CancellationToken ct)
    {
        var subscribe = new MqttClientSubscribeOptionsBuilder();
        foreach (var suffix in DeviceTopics.DeviceSubscribes)
        {
            subscribe.WithTopicFilter(f => f.WithTopic(_identity.Topic(suffix)).WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce));
        }

        var result = await _client.SubscribeAsync(subscribe.Build(), ct);
        foreach (var item in result.Items)
        {
            if (item.ResultCode > MqttClientSubscribeResultCode.GrantedQoS2)
            {
                throw new MqttCommunicationException($"the broker refused the subscription to {item.TopicFilter.Topic}: {item.ResultCode}");
            }
        }
    }

    private Task OnMessageAsync(MqttApplicationMessageReceivedEventArgs e)
    {
        // Acknowledged by the dispatcher once handled, never here: see IncomingMessage.AcknowledgeAsync.
        e.AutoAcknowledge = false;
        var payload = e.ApplicationMessage.Payload;
        var copy = payload.Length <= _options.MaxPayloadBytes ? payload.ToArray() : null;
        _incoming.Writer.TryWrite(new IncomingMessage(e.ApplicationMessage.Topic, copy, payload.Length, e));
        return Task.CompletedTask;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Connected to the broker at {Host}:{Port} (session kept: {SessionPresent})")]
    private static partial void LogConnected(ILogger logger, string host, int port, bool sessionPresent);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Cannot connect to the broker at {Host}:{Port}: {Error}; retrying")]
    private static partial void LogConnectFailed(ILogger logger, string host, int port, string error);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Disconnected from the broker ({Reason}): {Error}")]
    private static partial void LogDisconnected(ILogger logger, string reason, string? error);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Publishing to {Topic} failed: {Error}")]
    private static partial void LogPublishFailed(ILogger logger, string topic, string error);

    [LoggerMessage(Level = LogLevel.Warning, Message = "The broker refused a message to {Topic}: {Reason}")]
    private static partial void LogPublishRefused(ILogger logger, string topic, string reason);
}
