using System.Net;
using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using Gatehouse.Core.DeviceProtocol;
using Microsoft.Extensions.Options;
using MQTTnet;
using MQTTnet.Protocol;

namespace Gatehouse.Server.Features.Devices.Gateway;

/// <summary>
/// The server's own account on the broker: generated per start for the in-process broker, configured for an external
/// one; and this process's client ID, made once at start (see <see cref="MqttOptions.ClientId"/>).
/// </summary>
internal sealed class BrokerCredentials(string clientId, string username, string password)
{
    public string ClientId { get; } = clientId;

    public string Username { get; } = username;

    public string Password { get; } = password;

    public static BrokerCredentials From(MqttOptions options, string hostName)
    {
        var clientId = options.ClientIdFor(hostName);
        return options.IsExternal
            ? new BrokerCredentials(clientId, options.Username ?? "", options.Password ?? "")
            : new BrokerCredentials(clientId, clientId, DeviceSecrets.NewPassword());
    }
}

/// <summary>
/// The server's MQTT client: what the rest of the gateway publishes through (QoS 1), and what hands every message
/// that arrives to the <see cref="GatewayInbox"/>. It connects with a persistent session and subscribes QoS 1 to
/// every device's status, events, sync requests and replies when <see cref="GatewayConnector"/> tells it to; it
/// depends on nothing that publishes through it.
/// </summary>
internal sealed partial class GatewayConnection(
    IOptions<MqttOptions> options,
    BrokerCredentials credentials,
    GatewayInbox inbox,
    ILogger<GatewayConnection> logger) : IDisposable
{
    public const string DynamicSecurityTopic = "$CONTROL/dynamic-security/v1";
    public const string DynamicSecurityResponseTopic = DynamicSecurityTopic + "/response";

    private const int SocketBufferSize = 1024 * 1024;

    private readonly IMqttClient _client = new MqttClientFactory().CreateMqttClient();
    private bool _disposed;
    private int _started;
    private TaskCompletionSource _lost = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private TaskCompletionSource _ready = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Connected and subscribed.</summary>
    public bool IsConnected => _client.IsConnected && _ready.Task.IsCompleted;

    /// <summary>Completes once connected and subscribed (again, after a reconnect).</summary>
    public Task WaitConnectedAsync(CancellationToken ct) => Volatile.Read(ref _ready).Task.WaitAsync(ct);

    public async Task<bool> PublishAsync(string topic, byte[] payload, CancellationToken ct, bool retain = false)
    {
        // Connected is enough: the accounts are reconciled (over the broker) before the subscriptions count as ready.
        if (!_client.IsConnected)
        {
            return false;
        }

        var message = new MqttApplicationMessageBuilder()
            .WithTopic(topic)
            .WithPayload(payload)
            .WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce)
            .WithRetainFlag(retain)
            .Build();
        try
        {
            var result = await _client.PublishAsync(message, ct);

            // NoMatchingSubscribers still means the broker took it (the device is offline and has no session yet).
            return result.IsSuccess || result.ReasonCode == MqttClientPublishReasonCode.NoMatchingSubscribers;
        }
        catch (Exception ex) when (ex is MQTTnet.Exceptions.MqttCommunicationException or InvalidOperationException or OperationCanceledException && !ct.IsCancellationRequested)
        {
            LogPublishFailed(logger, topic, ex.Message);
            return false;
        }
    }

    /// <summary>Connects and subscribes; throws when the broker refuses either. Not ready until <see cref="MarkReady"/>.</summary>
    internal async Task ConnectAsync(CancellationToken stoppingToken)
    {
        if (Interlocked.Exchange(ref _started, 1) == 0)
        {
            _client.ApplicationMessageReceivedAsync += e => inbox.PostAsync(e.ApplicationMessage, stoppingToken);
            _client.DisconnectedAsync += e =>
            {
                if (e.ClientWasConnected)
                {
                    Interlocked.Exchange(ref _ready, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));
                    LogDisconnected(logger, e.Reason.ToString(), e.Exception?.Message);
                }

                Volatile.Read(ref _lost).TrySetResult();
                return Task.CompletedTask;
            };
        }

        var settings = options.Value;
        Volatile.Write(ref _lost, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));
        var result = await _client.ConnectAsync(ClientOptions(settings), stoppingToken);
        if (result.ResultCode != MqttClientConnectResultCode.Success)
        {
            throw new InvalidOperationException($"the broker answered {result.ResultCode}");
        }

        await SubscribeAsync(settings, stoppingToken);
        LogConnected(logger, settings.IsExternal ? settings.Host! : "in-process", settings.Port, result.IsSessionPresent);
    }

    /// <summary>Everything that must happen on each connect has: the connection counts as ready.</summary>
    internal void MarkReady() => Volatile.Read(ref _ready).TrySetResult();

    /// <summary>Completes when the connection made by the last <see cref="ConnectAsync"/> is lost.</summary>
    internal Task WaitLostAsync(CancellationToken ct) => Volatile.Read(ref _lost).Task.WaitAsync(ct);

    /// <summary>
    /// Closes what is left of a connection (failed, or at stop). MQTTnet throws anything from its communication
    /// exception to a NullReferenceException when the connection is torn down meanwhile: that must not end the
    /// reconnect loop or the stop. A client already disposed (the host was disposed before it was stopped) is left alone.
    /// </summary>
    internal async Task DisconnectQuietlyAsync(CancellationToken ct)
    {
        if (Volatile.Read(ref _disposed))
        {
            return;
        }

        try
        {
            if (_client.IsConnected)
            {
                await _client.DisconnectAsync(new MqttClientDisconnectOptions(), ct);
            }
        }
        catch (Exception)
        {
            // The connection is gone either way.
        }
    }

    public void Dispose()
    {
        Volatile.Write(ref _disposed, true);
        _client.Dispose();
    }

    private async Task SubscribeAsync(MqttOptions settings, CancellationToken ct)
    {
        var subscribe = new MqttClientSubscribeOptionsBuilder();
        foreach (var suffix in DeviceTopics.DevicePublishes)
        {
            subscribe.WithTopicFilter(DeviceTopics.AllDevices(suffix), MqttQualityOfServiceLevel.AtLeastOnce);
        }

        if (settings.IsExternal && settings.Provisioning == BrokerProvisioning.DynamicSecurity)
        {
            subscribe.WithTopicFilter(DynamicSecurityResponseTopic, MqttQualityOfServiceLevel.AtLeastOnce);
        }

        var result = await _client.SubscribeAsync(subscribe.Build(), ct);
        var refused = result.Items.FirstOrDefault(i => i.ResultCode > MqttClientSubscribeResultCode.GrantedQoS2);
        if (refused is not null)
        {
            throw new InvalidOperationException($"the broker refused the subscription to {refused.TopicFilter.Topic} ({refused.ResultCode})");
        }
    }

    private MqttClientOptions ClientOptions(MqttOptions settings)
    {
        var builder = new MqttClientOptionsBuilder()
            .WithClientId(credentials.ClientId)
            .WithCredentials(credentials.Username, credentials.Password)
            .WithProtocolVersion(MQTTnet.Formatter.MqttProtocolVersion.V500)
            .WithCleanStart(false)
            .WithSessionExpiryInterval((uint)settings.SessionExpirySeconds)
            .WithKeepAlivePeriod(TimeSpan.FromSeconds(30))
            .WithTimeout(TimeSpan.FromSeconds(10));

        if (settings.IsExternal)
        {
            builder.WithTcpServer(settings.Host, settings.Port);
        }
        else
        {
            // The in-process broker, over loopback (or the one address it listens on).
            var listen = IPAddress.Parse(settings.ListenAddress);
            var address = listen.Equals(IPAddress.Any) ? IPAddress.Loopback : listen.Equals(IPAddress.IPv6Any) ? IPAddress.IPv6Loopback : listen;
            builder.WithEndPoint(new IPEndPoint(address, settings.Port));
        }

        if (settings.UseTls)
        {
            builder.WithTlsOptions(tls => tls.UseTls().WithCertificateValidationHandler(e => Trust(settings, e.Certificate, e.Chain, e.SslPolicyErrors)));
        }

        var built = builder.Build();
        if (built.ChannelOptions is MqttClientTcpOptions tcp)
        {
            // MQTTnet's default socket buffer (8 KiB) makes each snapshot part of a few hundred KiB take ~100 ms to send.
            tcp.BufferSize = SocketBufferSize;
        }

        return built;
    }

    private static bool Trust(MqttOptions settings, X509Certificate? certificate, X509Chain? chain, SslPolicyErrors errors)
    {
        if (errors == SslPolicyErrors.None)
        {
            return true;
        }

        if (certificate is null)
        {
            return false;
        }

        if (!settings.IsExternal)
        {
            // Our own broker's certificate, whatever name it carries: compare it with the file it serves.
            using var own = InProcessBroker.LoadCertificate(settings);
            return own.RawDataMemory.Span.SequenceEqual(certificate.GetRawCertData());
        }

        if (settings.CaFile is null || (errors & ~SslPolicyErrors.RemoteCertificateChainErrors) != 0)
        {
            return false;
        }

        using var ca = X509CertificateLoader.LoadCertificateFromFile(settings.CaFile);
        using var custom = new X509Chain();
        custom.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        custom.ChainPolicy.CustomTrustStore.Add(ca);
        custom.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        if (chain is not null)
        {
            custom.ChainPolicy.ExtraStore.AddRange(chain.ChainElements.Select(e => e.Certificate).ToArray());
        }

        using var leaf = X509CertificateLoader.LoadCertificate(certificate.GetRawCertData());
        return custom.Build(leaf);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "The device gateway connected to the {Broker} broker on port {Port} (session kept: {SessionPresent})")]
    private static partial void LogConnected(ILogger logger, string broker, int port, bool sessionPresent);

    [LoggerMessage(Level = LogLevel.Warning, Message = "The device gateway lost the broker ({Reason}: {Error}); reconnecting")]
    private static partial void LogDisconnected(ILogger logger, string reason, string? error);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Publishing to {Topic} failed: {Error}")]
    private static partial void LogPublishFailed(ILogger logger, string topic, string error);
}
