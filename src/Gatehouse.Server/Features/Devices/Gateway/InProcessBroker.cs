using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using Gatehouse.Core.DeviceProtocol;
using Gatehouse.Server.Data;
using Gatehouse.Server.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using MQTTnet;
using MQTTnet.Protocol;
using MQTTnet.Server;

namespace Gatehouse.Server.Features.Devices.Gateway;

/// <summary>
/// The broker the server hosts itself when no external one is configured (MQTTnet.Server). It lets in the
/// server's own client (a password generated at start, kept in memory) and devices (user name and client ID
/// both the device ID, password checked against <see cref="Device.SecretHash"/>), and holds every device to
/// its own topics: it publishes only <see cref="DeviceTopics.DevicePublishes"/> and subscribes only to
/// <see cref="DeviceTopics.DeviceSubscribes"/> under its own prefix, with payloads of at most
/// <see cref="MqttOptions.MaxPayloadBytes"/>.
/// </summary>
internal sealed partial class InProcessBroker(
    IOptions<MqttOptions> options,
    BrokerCredentials server,
    IServiceScopeFactory scopes,
    ILogger<InProcessBroker> logger) : IHostedService, IBrokerAccounts, IAsyncDisposable
{
    // Connected devices by client ID (their ID), with their organization: what the topic checks compare against.
    private readonly ConcurrentDictionary<string, Guid> _devices = new(StringComparer.Ordinal);

    // Removed while their row may still be committing: refused at once, whatever the store says.
    private readonly ConcurrentDictionary<Guid, byte> _revoked = new();

    // The longest keep-alive a device may ask for: it bounds how long a vanished device still shows online.
    private const int MaxDeviceKeepAliveSeconds = 300;

    private MqttServer? _broker;

    public bool IsRunning => _broker?.IsStarted == true;

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var settings = options.Value;
        if (settings.IsExternal)
        {
            return;
        }

        var builder = new MqttServerOptionsBuilder()
            .WithPersistentSessions()

            // The server's client takes every device's messages; a burst of events must queue, not be dropped.
            .WithMaxPendingMessagesPerClient(200_000)

            // A connection must send its CONNECT (and every later packet) within this, or it is closed: an idle or
            // trickling client cannot hold a socket and a buffer for long before it authenticates.
            .WithDefaultCommunicationTimeout(TimeSpan.FromSeconds(settings.ConnectTimeoutSeconds))
            .WithConnectionBacklog(settings.ConnectionBacklog);
        var (v4, v6) = BindAddresses(IPAddress.Parse(settings.ListenAddress));
        if (settings.UseTls)
        {
            builder.WithoutDefaultEndpoint()
                .WithEncryptedEndpoint()
                .WithEncryptedEndpointPort(settings.Port)
                .WithEncryptedEndpointBoundIPAddress(v4)
                .WithEncryptedEndpointBoundIPV6Address(v6)
                .WithEncryptionCertificate(LoadCertificate(settings));
        }
        else
        {
            builder.WithDefaultEndpoint()
                .WithDefaultEndpointPort(settings.Port)
                .WithDefaultEndpointBoundIPAddress(v4)
                .WithDefaultEndpointBoundIPV6Address(v6);
        }

        _broker = new MqttServerFactory().CreateMqttServer(builder.Build());
        _broker.ValidatingConnectionAsync += ValidateAsync;
        _broker.InterceptingPublishAsync += InterceptPublishAsync;
        _broker.InterceptingSubscriptionAsync += InterceptSubscriptionAsync;
        _broker.ClientConnectedAsync += e =>
        {
            if (_devices.ContainsKey(e.ClientId))
            {
                LogDeviceConnected(logger, e.ClientId, e.RemoteEndPoint);
            }

            return Task.CompletedTask;
        };
        _broker.ClientDisconnectedAsync += OnDisconnectedAsync;
        // A broker that has just started has nobody connected: what the store says from the last run is stale, and
        // no last will is coming to correct it. Devices that reconnect report themselves online again.
        await using (var scope = scopes.CreateAsyncScope())
        {
            var offline = await scope.ServiceProvider.GetRequiredService<GatehouseDbContext>().DeviceStates.IgnoreQueryFilters()
                .Where(s => s.Online)
                .ExecuteUpdateAsync(s => s.SetProperty(x => x.Online, false), cancellationToken);
            if (offline > 0)
            {
                LogMarkedOffline(logger, offline);
            }
        }

        await _broker.StartAsync();
        LogStarted(logger, settings.ListenAddress, settings.Port, settings.UseTls);
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (_broker is { IsStarted: true })
        {
            try
            {
                await _broker.StopAsync();
            }
            catch (InvalidOperationException e) when (e.StackTrace?.Contains("MQTTnet", StringComparison.Ordinal) == true)
            {
                // MQTTnet's listener can trip over a client connecting while it closes ("collection was
                // modified"); the broker is stopping either way, and a stop must not fail the shutdown.
                LogStopRace(logger, e.Message);
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_broker is not null)
        {
            await StopAsync(CancellationToken.None);
            _broker.Dispose();
        }
    }

    public Task ProvisionAsync(Guid organizationId, Guid deviceId, string password, CancellationToken ct)
    {
        // The password itself is checked against the store on each connect.
        _revoked.TryRemove(deviceId, out _);
        return Task.CompletedTask;
    }

    public async Task RevokeAsync(Guid organizationId, Guid deviceId, CancellationToken ct)
    {
        _revoked[deviceId] = 0;
        var id = deviceId.ToString("D");
        _devices.TryRemove(id, out _);
        if (_broker is not { IsStarted: true })
        {
            return;
        }

        var clients = await _broker.GetClientsAsync();
        if (clients.Any(c => c.Id == id))
        {
            await _broker.DisconnectClientAsync(id, MqttDisconnectReasonCode.NotAuthorized);
        }

        // Its queued messages (sync, commands) go with it.
        var session = await _broker.GetSessionAsync(id);
        if (session is not null)
        {
            await session.DeleteAsync();
        }

        LogRevoked(logger, deviceId);
    }

    public Task OnConnectedAsync(CancellationToken ct) => Task.CompletedTask;

    /// <summary>Ends the session of a client (a test of the server's reconnect drops the server's own).</summary>
    public Task DisconnectAsync(string clientId) =>
        _broker?.DisconnectClientAsync(clientId, MqttDisconnectReasonCode.AdministrativeAction) ?? Task.CompletedTask;

    internal static X509Certificate2 LoadCertificate(MqttOptions settings) =>
        X509CertificateLoader.LoadPkcs12FromFile(settings.CertificatePath!, settings.CertificatePassword);

    private static (IPAddress V4, IPAddress V6) BindAddresses(IPAddress listen)
    {
        // MQTTnet opens an IPv4 and an IPv6 socket; keep the other family as narrow as the one configured.
        if (listen.AddressFamily == AddressFamily.InterNetworkV6)
        {
            return (listen.Equals(IPAddress.IPv6Any) ? IPAddress.Any : IPAddress.Loopback, listen);
        }

        return (listen, listen.Equals(IPAddress.Any) ? IPAddress.IPv6Any : IPAddress.IPv6Loopback);
    }

    /// <summary>
    /// A device's connection ended (a clean disconnect, a dropped socket, or its keep-alive ran out): it is offline
    /// now, whether or not it left a last will. Unless it connected again meanwhile (a takeover), or reported
    /// itself since the connection ended.
    /// </summary>
    private async Task OnDisconnectedAsync(ClientDisconnectedEventArgs e)
    {
        if (e.ClientId == server.ClientId || !Guid.TryParseExact(e.ClientId, "D", out var deviceId))
        {
            return;
        }

        LogDeviceDisconnected(logger, e.ClientId, e.DisconnectType);
        if (e.DisconnectType == MqttClientDisconnectType.Takeover)
        {
            return;
        }

        try
        {
            await using var scope = scopes.CreateAsyncScope();
            var now = scope.ServiceProvider.GetRequiredService<TimeProvider>().GetUtcNow();
            var marked = await scope.ServiceProvider.GetRequiredService<GatehouseDbContext>().DeviceStates.IgnoreQueryFilters()
                .Where(s => s.DeviceId == deviceId && s.Online && (s.LastSeenAt == null || s.LastSeenAt <= now))
                .ExecuteUpdateAsync(s => s.SetProperty(x => x.Online, false).SetProperty(x => x.OnlineUntil, (DateTimeOffset?)null));
            if (marked > 0)
            {
                LogMarkedDisconnectedOffline(logger, deviceId);
            }
        }
        catch (Exception ex) when (ex is DbUpdateException or InvalidOperationException or System.Data.Common.DbException)
        {
            LogMarkOfflineFailed(logger, deviceId, ex.Message);
        }
    }

    private async Task ValidateAsync(ValidatingConnectionEventArgs e)
    {
        if (e.UserName == server.Username)
        {
            if (e.ClientId != server.ClientId || !SameText(e.Password, server.Password))
            {
                Refuse(e, MqttConnectReasonCode.BadUserNameOrPassword, e.ClientId, "the server's account with a wrong password or client ID");
            }

            return;
        }

        if (!Guid.TryParseExact(e.UserName, "D", out var deviceId))
        {
            Refuse(e, MqttConnectReasonCode.BadUserNameOrPassword, Shorten(e.UserName), "the user name is not a device ID");
            return;
        }

        if (e.ClientId != e.UserName)
        {
            // A client ID is a session: a device must not take over (or read the queue of) another's.
            Refuse(e, MqttConnectReasonCode.ClientIdentifierNotValid, e.UserName, "its client ID is not its device ID");
            return;
        }

        if (e.KeepAlivePeriod == 0 || e.KeepAlivePeriod > MaxDeviceKeepAliveSeconds)
        {
            // Without a keep-alive a device that vanished (power, network) would never be noticed as gone.
            Refuse(e, MqttConnectReasonCode.ImplementationSpecificError, e.UserName, $"its keep-alive is {e.KeepAlivePeriod} s, not 1 to {MaxDeviceKeepAliveSeconds}");
            return;
        }

        if (_revoked.ContainsKey(deviceId))
        {
            Refuse(e, MqttConnectReasonCode.NotAuthorized, e.UserName, "the device was removed");
            return;
        }

        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<GatehouseDbContext>();

        // Before a device connects no organization is known: the device's own row says which it belongs to.
        var device = await db.Devices.IgnoreQueryFilters().AsNoTracking()
            .Where(d => d.Id == deviceId)
            .Select(d => new { d.OrganizationId, d.SecretHash })
            .FirstOrDefaultAsync(e.CancellationToken);
        if (device?.SecretHash is null || !DeviceSecretsMatch(e.Password, device.SecretHash))
        {
            Refuse(e, MqttConnectReasonCode.BadUserNameOrPassword, e.UserName, device is null ? "no such device" : device.SecretHash is null ? "the device is not claimed" : "wrong password");
            return;
        }

        _devices[e.ClientId] = device.OrganizationId;
    }

    private Task InterceptPublishAsync(InterceptingPublishEventArgs e)
    {
        var settings = options.Value;
        if (e.ClientId == server.ClientId)
        {
            return Task.CompletedTask;
        }

        var topic = e.ApplicationMessage.Topic;
        if (!OwnTopic(e.ClientId, topic, DeviceTopics.DevicePublishes))
        {
            e.ProcessPublish = false;
            e.Response.ReasonCode = MqttPubAckReasonCode.NotAuthorized;
            LogPublishRefused(logger, e.ClientId, topic, "not one of its topics");
            return Task.CompletedTask;
        }

        var size = e.ApplicationMessage.Payload.Length;
        if (size > settings.MaxPayloadBytes)
        {
            e.ProcessPublish = false;
            e.Response.ReasonCode = MqttPubAckReasonCode.QuotaExceeded;
            LogPublishRefused(logger, e.ClientId, topic, $"{size} bytes, more than {settings.MaxPayloadBytes}");
        }

        return Task.CompletedTask;
    }

    private Task InterceptSubscriptionAsync(InterceptingSubscriptionEventArgs e)
    {
        if (e.ClientId == server.ClientId)
        {
            return Task.CompletedTask;
        }

        var filter = e.TopicFilter.Topic;
        if (!OwnTopic(e.ClientId, filter, DeviceTopics.DeviceSubscribes))
        {
            e.ProcessSubscription = false;
            e.Response.ReasonCode = MqttSubscribeReasonCode.NotAuthorized;
            LogSubscribeRefused(logger, e.ClientId, filter);
        }

        return Task.CompletedTask;
    }

    // Exact topics only: a filter with + or # does not parse as a device topic, so no wildcard gets through.
    private bool OwnTopic(string clientId, string topic, IReadOnlyList<string> suffixes) =>
        _devices.TryGetValue(clientId, out var organizationId)
        && DeviceTopics.TryParse(topic, out var topicOrganization, out var topicDevice, out var suffix)
        && topicOrganization == organizationId
        && topicDevice.ToString("D") == clientId
        && suffixes.Contains(suffix);

    private void Refuse(ValidatingConnectionEventArgs e, MqttConnectReasonCode code, string who, string reason)
    {
        e.ReasonCode = code;
        LogConnectionRefused(logger, who, reason);
    }

    private static bool DeviceSecretsMatch(string? password, string hash) =>
        password is not null && SameText(DeviceSecrets.Hash(password), hash);

    private static bool SameText(string? a, string b) =>
        a is not null && CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(a), Encoding.UTF8.GetBytes(b));

    private static string Shorten(string? text) => text is null ? "(none)" : text.Length <= 40 ? text : text[..40] + "…";

    [LoggerMessage(Level = LogLevel.Information, Message = "The in-process MQTT broker listens on {Address} port {Port} (TLS: {Tls})")]
    private static partial void LogStarted(ILogger logger, string address, int port, bool tls);

    [LoggerMessage(Level = LogLevel.Information, Message = "Marked {Count} devices offline until they reconnect to the restarted broker")]
    private static partial void LogMarkedOffline(ILogger logger, int count);

    [LoggerMessage(Level = LogLevel.Information, Message = "Device {DeviceId} connected from {RemoteEndPoint}")]
    private static partial void LogDeviceConnected(ILogger logger, string deviceId, EndPoint? remoteEndPoint);

    [LoggerMessage(Level = LogLevel.Information, Message = "Device {DeviceId} disconnected ({How})")]
    private static partial void LogDeviceDisconnected(ILogger logger, string deviceId, MqttClientDisconnectType how);

    [LoggerMessage(Level = LogLevel.Information, Message = "Device {DeviceId} is offline: its connection ended")]
    private static partial void LogMarkedDisconnectedOffline(ILogger logger, Guid deviceId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not mark device {DeviceId} offline after its connection ended: {Error}")]
    private static partial void LogMarkOfflineFailed(ILogger logger, Guid deviceId, string error);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Refused the MQTT connection of {Client}: {Reason}")]
    private static partial void LogConnectionRefused(ILogger logger, LogText client, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Refused a publish of device {DeviceId} on {Topic}: {Reason}")]
    private static partial void LogPublishRefused(ILogger logger, LogText deviceId, LogText topic, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Refused a subscription of device {DeviceId} to {Filter}: not one of its topics")]
    private static partial void LogSubscribeRefused(ILogger logger, LogText deviceId, LogText filter);

    [LoggerMessage(Level = LogLevel.Warning, Message = "The in-process MQTT broker stopped with an error of its own: {Error}")]
    private static partial void LogStopRace(ILogger logger, LogText error);

    [LoggerMessage(Level = LogLevel.Information, Message = "Device {DeviceId} was removed from the broker and disconnected")]
    private static partial void LogRevoked(ILogger logger, Guid deviceId);
}
