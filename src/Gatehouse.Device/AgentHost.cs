using Gatehouse.Faces;
using Gatehouse.Core.DeviceProtocol;
using Gatehouse.Device.Claiming;
using Gatehouse.Device.Door;
using Gatehouse.Device.Events;
using Gatehouse.Device.Hardware;
using Gatehouse.Device.Mqtt;
using Gatehouse.Device.Simulator;
using Gatehouse.Device.Store;
using Gatehouse.Device.Sync;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Gatehouse.Device;

/// <summary>
/// The device agent as a host: claims the device when it has no credentials yet, then runs the broker
/// connection, sync, the event queue and the doors — and, with simulator URLs, the device screen and its
/// local API on a WebApplication bound to those URLs only. Tests start it in-process the same way.
/// </summary>
internal sealed partial class AgentHost : IAsyncDisposable
{
    private readonly IHost _host;
    private readonly DeviceStore _store;

    private AgentHost(IHost host, DeviceStore store, bool simulator)
    {
        _host = host;
        _store = store;
        HasSimulator = simulator;
    }

    public IServiceProvider Services => _host.Services;

    public bool HasSimulator { get; }

    /// <summary>Where the simulator listens (after start), such as <c>http://127.0.0.1:41234</c>.</summary>
    public IReadOnlyList<string> SimulatorAddresses =>
        HasSimulator
            ? [.. Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()?.Addresses ?? []]
            : [];

    /// <summary>
    /// Makes sure the device is claimed (claiming it with <see cref="AgentArguments.ClaimCode"/> when it is not)
    /// and builds the host. <paramref name="configure"/> lets a test change configuration and services.
    /// </summary>
    /// <exception cref="AgentStartException">The arguments, the claim or the store do not allow the agent to start.</exception>
    public static async Task<AgentHost> CreateAsync(
        AgentArguments arguments, Action<IHostApplicationBuilder>? configure = null, HttpMessageHandler? claimHandler = null, CancellationToken ct = default)
    {
        DeviceStore store;
        try
        {
            store = DeviceStore.Open(arguments.DataDirectory);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or Microsoft.Data.Sqlite.SqliteException)
        {
            throw new AgentStartException(AgentExitCodes.DataDirectory, $"Cannot open the device store in {arguments.DataDirectory}: {e.Message}");
        }

        try
        {
            var (claim, claimedNow) = await EnsureClaimedAsync(store, arguments, claimHandler, ct);
            var host = Build(arguments, store, claim, configure);
            var logger = host.Services.GetRequiredService<ILogger<AgentHost>>();
            if (claimedNow)
            {
                LogClaimed(logger, claim.DeviceId, claim.Name, claim.Broker.Host, claim.Broker.Port);
            }
            else
            {
                LogStarting(logger, claim.DeviceId, claim.Name, arguments.ClaimCode is not null);
            }

            return new AgentHost(host, store, arguments.SimulatorUrls.Count > 0);
        }
        catch
        {
            store.Dispose();
            throw;
        }
    }

    public Task StartAsync(CancellationToken ct = default) => _host.StartAsync(ct);

    public Task StopAsync(CancellationToken ct = default) => _host.StopAsync(ct);

    public Task WaitForShutdownAsync(CancellationToken ct = default) => _host.WaitForShutdownAsync(ct);

    public async ValueTask DisposeAsync()
    {
        if (_host is IAsyncDisposable asyncDisposable)
        {
            await asyncDisposable.DisposeAsync();
        }
        else
        {
            _host.Dispose();
        }

        // Registered as an instance, so the container leaves it open.
        _store.Dispose();
    }

    private static async Task<(ClaimResponse Claim, bool ClaimedNow)> EnsureClaimedAsync(
        DeviceStore store, AgentArguments arguments, HttpMessageHandler? claimHandler, CancellationToken ct)
    {
        var stored = store.LoadClaim();
        if (arguments.ClaimCode is null)
        {
            return stored is { } existing
                ? (existing.Claim, false)
                : throw new AgentStartException(
                    AgentExitCodes.Usage, $"This device is not claimed yet: start it with --server and the --claim-code from the Devices page. {AgentArguments.Usage}");
        }

        var server = arguments.Server ?? stored?.Server;
        if (server is null)
        {
            throw new AgentStartException(AgentExitCodes.Usage, $"--server is required to claim the device. {AgentArguments.Usage}");
        }

        try
        {
            var claim = await ClaimClient.ClaimAsync(server, arguments.ClaimCode, claimHandler, ct);
            store.SaveClaim(claim, server);
            return (claim, true);
        }
        catch (ClaimException) when (stored is { } existing)
        {
            // Started again with the same command line: the code was used by the first start (or the server
            // is away), and the device carries on with the credentials it has.
            return (existing.Claim, false);
        }
        catch (ClaimException e)
        {
            throw new AgentStartException(
                e.Failure == ClaimFailure.Refused ? AgentExitCodes.ClaimRefused : AgentExitCodes.ServerUnreachable, e.Message);
        }
    }

    private static IHost Build(AgentArguments arguments, DeviceStore store, ClaimResponse claim, Action<IHostApplicationBuilder>? configure)
    {
        if (arguments.SimulatorUrls.Count == 0)
        {
            var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings
            {
                Args = [],
                ContentRootPath = AppContext.BaseDirectory,
            });
            AddAgent(builder, arguments, store, claim);
            configure?.Invoke(builder);
            return builder.Build();
        }

        var web = WebApplication.CreateBuilder(new WebApplicationOptions
        {
            Args = [],
            ContentRootPath = AppContext.BaseDirectory,
        });

        // Only the addresses asked for: the simulator is a local tool, not a service for the network.
        web.WebHost.UseUrls([.. arguments.SimulatorUrls]);
        AddAgent(web, arguments, store, claim);
        configure?.Invoke(web);
        var app = web.Build();
        app.MapSimulator();
        return app;
    }

    private static void AddAgent(IHostApplicationBuilder builder, AgentArguments arguments, DeviceStore store, ClaimResponse claim)
    {
        // The device screen polls its state several times a second; a line per request would bury the agent's own log.
        builder.Logging.AddFilter("Microsoft.AspNetCore", LogLevel.Warning);
        var services = builder.Services;
        services.AddOptions<DoorOptions>().BindConfiguration(DoorOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<MobileOptions>().BindConfiguration(MobileOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<EventQueueOptions>().BindConfiguration(EventQueueOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<SyncOptions>().BindConfiguration(SyncOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<ConnectionOptions>().BindConfiguration(ConnectionOptions.Section).ValidateDataAnnotations()
            .Validate(o => o.ReconnectMinDelay <= o.ReconnectMaxDelay, "ReconnectMinDelay must not be longer than ReconnectMaxDelay.")
            .ValidateOnStart();
        services.AddOptions<SpeakerOptions>().BindConfiguration(SpeakerOptions.Section).ValidateOnStart();
        // The face models live beside the device's store unless configured elsewhere (Gatehouse__Face__ModelDirectory).
        services.AddOptions<FaceOptions>().BindConfiguration(FaceOptions.Section).ValidateDataAnnotations()
            .PostConfigure(o => o.ModelDirectory ??= Path.Combine(arguments.DataDirectory, "face-models")).ValidateOnStart();
        // Loaded once; without models the device still decides on cards and says why faces are off.
        services.AddSingleton(sp => FaceEngine.Load(sp.GetRequiredService<IOptions<FaceOptions>>().Value));

        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton(store);
        services.AddSingleton(new DeviceIdentity(claim));
        services.AddSingleton(sp => EventQueue.Open(
            arguments.DataDirectory, sp.GetRequiredService<IOptions<EventQueueOptions>>().Value.EventBufferCapacity, sp.GetRequiredService<ILogger<EventQueue>>()));
        services.AddSingleton<AccessEngine>();
        // The key that opens this device's face templates, from the password of its claim (see FaceTemplateSeal).
        services.AddSingleton(sp => new DeviceFaceKey(
            FaceTemplateSeal.DeriveKeyFromPassword(claim.MqttPassword, claim.DeviceId), sp.GetRequiredService<FaceEngineLoad>().Engine?.Model));
        services.AddSingleton<SyncApplier>();
        services.AddSingleton<LockControl>();
        services.AddSingleton<Feedback>();
        services.AddSingleton<MobileTokens>();
        services.AddSingleton<DoorController>();
        services.AddSingleton<Enrollments>();
        services.AddSingleton<CommandHandler>();
        services.AddSingleton<DeviceStatusSource>();

        // The simulator's hardware; a real device registers its drivers instead.
        services.AddSingleton<SimulatedCardReader>();
        services.AddSingleton<ICardReader>(sp => sp.GetRequiredService<SimulatedCardReader>());
        services.AddSingleton<SimulatedLockRelay>();
        services.AddSingleton<ILockRelay>(sp => sp.GetRequiredService<SimulatedLockRelay>());
        services.AddSingleton<SimulatedLed>();
        services.AddSingleton<ILed>(sp => sp.GetRequiredService<SimulatedLed>());
        services.AddSingleton<SimulatedSpeaker>();
        services.AddSingleton<ISpeaker>(sp => sp.GetRequiredService<SimulatedSpeaker>());
        services.AddSingleton(sp => new SimulatedCamera(
            sp.GetRequiredService<FaceEngineLoad>(), sp.GetRequiredService<IOptions<FaceOptions>>().Value.MaxImageBytes));
        services.AddSingleton<ICamera>(sp => sp.GetRequiredService<SimulatedCamera>());
        if (arguments.CameraFiles is { } cameraFiles)
        {
            services.AddHostedService(sp => new CameraFolder(
                cameraFiles, sp.GetRequiredService<SimulatedCamera>(), sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<ILogger<CameraFolder>>()));
        }

        services.AddSingleton<SimulatedNetworkLink>();
        if (arguments.SimulatorUrls.Count > 0)
        {
            // Only the device screen can unplug the network; without it the link is simply there.
            services.AddSingleton<INetworkLink>(sp => sp.GetRequiredService<SimulatedNetworkLink>());
        }
        else
        {
            services.AddSingleton<INetworkLink, AlwaysUpNetworkLink>();
        }

        services.AddSingleton<SimulatorView>();

        // Hosted services start in this order: the store is loaded and the reader attached before the
        // connection delivers anything.
        services.AddHostedService<AgentStartup>();
        services.AddSingleton<BrokerConnection>();
        services.AddSingleton<Outbox>();
        services.AddSingleton<IDeviceOutbox>(sp => sp.GetRequiredService<Outbox>());
        services.AddSingleton<MessageDispatcher>();
        services.AddSingleton<StatusReporter>();
        services.AddSingleton<EventPublisher>();
        services.AddHostedService(sp => sp.GetRequiredService<Outbox>());
        services.AddHostedService(sp => sp.GetRequiredService<MessageDispatcher>());
        services.AddHostedService(sp => sp.GetRequiredService<StatusReporter>());
        services.AddHostedService(sp => sp.GetRequiredService<EventPublisher>());
        services.AddHostedService(sp => sp.GetRequiredService<BrokerConnection>());
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Claimed as device {DeviceId} ({Name}); broker {Host}:{Port}")]
    private static partial void LogClaimed(ILogger logger, Guid deviceId, string name, string host, int port);

    [LoggerMessage(Level = LogLevel.Information, Message = "Starting as device {DeviceId} ({Name}), claimed before (claim code given again: {CodeGiven})")]
    private static partial void LogStarting(ILogger logger, Guid deviceId, string name, bool codeGiven);
}

/// <summary>Loads the store and connects the reader to the door before anything else runs.</summary>
internal sealed class AgentStartup(SyncApplier sync, ICardReader reader, ICamera camera, Enrollments enrollments, DoorController door) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        sync.Load();
        reader.Attach((read, _) => Task.FromResult(enrollments.TryCapture(read) ?? door.Decide(read)));
        // A frame with a QR code is a phone shown to the door, never a face (nor a face to enroll).
        camera.Attach(async (frame, ct) =>
            await door.TryDecideQrFrameAsync(frame, ct) ?? await enrollments.TryTakeFaceAsync(frame, ct) ?? await door.DecideFaceAsync(frame, ct));
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}

/// <summary>The agent's exit codes: 0 after a normal stop, and one per reason it could not start.</summary>
internal static class AgentExitCodes
{
    public const int Usage = 2;
    public const int ClaimRefused = 3;
    public const int ServerUnreachable = 4;
    public const int DataDirectory = 5;
    public const int Configuration = 6;
}

/// <summary>The agent cannot start; <see cref="Exception.Message"/> is the one line to show.</summary>
internal sealed class AgentStartException(int exitCode, string message) : Exception(message)
{
    public int ExitCode { get; } = exitCode;
}
