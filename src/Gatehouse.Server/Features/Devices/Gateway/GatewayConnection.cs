using System.Net;
using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using Gatehouse.Core.DeviceProtocol;
using Microsoft.Extensions.Options;
using MQTTnet;
using MQTTnet.Protocol;

namespace Gatehouse.Server.Features.Devices.Gateway;

/// <summary>The server's own account on the broker: generated per start for the in-process broker, configured for an external one.</summary>
internal sealed class BrokerCredentials(string username, string password)
{
    public string Username { get; } = username;

    public string Password { get; } = password;

    public static BrokerCredentials From(MqttOptions options) => options.IsExternal
        ? new BrokerCredentials(options.Username ?? "", options.Password ?? "")
        : new BrokerCredentials(options.ClientId, DeviceSecrets.NewPassword());
}

/// <summary>
/// The server's MQTT client: connects (and reconnects, backing off) with a persistent session, subscribes QoS 1
/// to every device's status, events, sync requests and replies, and hands what arrives to the
/// <see cref="GatewayInbox"/>. Publishing is QoS 1.
/// </summary>
internal sealed partial class GatewayConnection(
    IOptions<MqttOptions> options,
    BrokerCredentials credentials,
    GatewayInbox inbox,
    IServiceProvider services,
    ILogger<GatewayConnection> logger) : BackgroundService
{
    public const string DynamicSecurityTopic = "$CONTROL/dynamic-security/v1";
    public const string DynamicSecurityResponseTopic = DynamicSecurityTopic + "/response";

    private const int SocketBufferSize = 1024 * 1024;

    private static readonly TimeSpan FirstRetry = TimeSpan.FromMilliseconds(200);
    private static readonly TimeSpan LastRetry = TimeSpan.FromSeconds(15);

    private readonly IMqttClient _client = new MqttClientFactory().CreateMqttClient();
    private bool _disposed;
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

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var settings = options.Value;
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

        var retry = FirstRetry;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                Volatile.Write(ref _lost, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));
                var result = await _client.ConnectAsync(ClientOptions(settings), stoppingToken);
                if (result.ResultCode != MqttClientConnectResultCode.Success)
                {
                    throw new InvalidOperationException($"the broker answered {result.ResultCode}");
                }

                await SubscribeAsync(settings, stoppingToken);
                LogConnected(logger, settings.IsExternal ? settings.Host! : "in-process", settings.Port, result.IsSessionPresent);
                retry = FirstRetry;
                await services.GetRequiredService<IBrokerAccounts>().OnConnectedAsync(stoppingToken);
                services.GetRequiredService<DeviceSync>().OnServerReconnected();
                Volatile.Read(ref _ready).TrySetResult();

                await Volatile.Read(ref _lost).Task.WaitAsync(stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                break;
            }
            catch (Exception ex)
            {
                LogConnectFailed(logger, settings.IsExternal ? settings.Host! : "in-process", settings.Port, ex.Message, retry.TotalSeconds);
                await DisconnectQuietlyAsync(CancellationToken.None);

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

        // A host disposed before it was stopped has already closed the client.
        if (!Volatile.Read(ref _disposed))
        {
            await DisconnectQuietlyAsync(cancellationToken);
        }
    }

    // Closes what is left of a connection (failed, or at stop). MQTTnet throws anything from its communication
    // exception to a NullReferenceException when the connection is torn down meanwhile: that must not end the loop
    // or the stop.
    private async Task DisconnectQuietlyAsync(CancellationToken ct)
    {
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

    public override void Dispose()
    {
        Volatile.Write(ref _disposed, true);
        _client.Dispose();
        base.Dispose();
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
            .WithClientId(settings.ClientId)
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

    [LoggerMessage(Level = LogLevel.Warning, Message = "The device gateway could not connect to the {Broker} broker on port {Port}: {Error}; retrying in {Seconds} s")]
    private static partial void LogConnectFailed(ILogger logger, string broker, int port, string error, double seconds);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Publishing to {Topic} failed: {Error}")]
    private static partial void LogPublishFailed(ILogger logger, string topic, string error);
}
