using Gatehouse.Core;
using Gatehouse.Core.Cards;
using Gatehouse.Core.Decisions;
using Gatehouse.Device;
using Gatehouse.Device.Door;
using Gatehouse.Device.Events;
using Gatehouse.Device.Hardware;
using Gatehouse.Device.Mqtt;
using Gatehouse.Device.Simulator;
using Gatehouse.Device.Sync;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Gatehouse.DeviceLoad;

/// <summary>
/// One real device agent hosted in this process, as its command line runs it (claim, local SQLite store,
/// MQTT link, sync, event queue) but without the simulator's web page: a measurement reads the agent's
/// decision engine directly instead of tapping cards over HTTP, so watching it adds no load.
/// </summary>
internal sealed class LoadAgent : IAsyncDisposable
{
    private static readonly Dictionary<string, string?> Settings = new()
    {
        ["Gatehouse:Device:Speaker:Voice"] = "false",
        ["Logging:LogLevel:Default"] = "Warning",
    };

    private readonly AgentHost _host;
    private bool _disposed;

    private LoadAgent(AgentHost host, string dataDirectory)
    {
        _host = host;
        DataDirectory = dataDirectory;
        Engine = host.Services.GetRequiredService<AccessEngine>();
        Events = host.Services.GetRequiredService<EventQueue>();
        Connection = host.Services.GetRequiredService<BrokerConnection>();
        Network = host.Services.GetRequiredService<SimulatedNetworkLink>();
        Identity = host.Services.GetRequiredService<DeviceIdentity>();
        Door = host.Services.GetRequiredService<DoorController>();
    }

    public string DataDirectory { get; }

    /// <summary>What the doors decide with; <see cref="AccessEngine.Changed"/> fires after each applied sync.</summary>
    public AccessEngine Engine { get; }

    public EventQueue Events { get; }

    public BrokerConnection Connection { get; }

    /// <summary>The agent's simulated network cable, which a measurement unplugs to let events pile up.</summary>
    public SimulatedNetworkLink Network { get; }

    public DeviceIdentity Identity { get; }

    /// <summary>The agent's doors as a person meets them (a QR code shown: <see cref="DoorController.DecideQr"/>), event and lock included.</summary>
    public DoorController Door { get; }

    /// <summary>Claims the device with <paramref name="claimCode"/> at <paramref name="serverUrl"/> (in a new data directory), without starting it.</summary>
    public static async Task<LoadAgent> ClaimAsync(string serverUrl, string claimCode, string? dataDirectory = null)
    {
        var directory = dataDirectory ?? Path.Combine(Path.GetTempPath(), "gatehouse-device-load", "agent-" + Guid.NewGuid().ToString("N"));
        var arguments = new AgentArguments(new Uri(serverUrl), claimCode, directory, []);
        var host = await AgentHost.CreateAsync(arguments, builder =>
        {
            builder.Configuration.AddInMemoryCollection(Settings);
            builder.Logging.SetMinimumLevel(LogLevel.Warning);

            // No device screen here, but the measurements unplug the network as its button does.
            builder.Services.AddSingleton<INetworkLink>(sp => sp.GetRequiredService<SimulatedNetworkLink>());
        });
        return new LoadAgent(host, directory);
    }

    /// <summary>Starts the agent's services: it connects, reports its status and syncs in the background.</summary>
    public Task StartAsync() => _host.StartAsync();

    /// <summary>How this device decides <paramref name="card"/> at its first door right now (refused before its first snapshot).</summary>
    public AccessDecision Decide(in CredentialKey card, TimeProvider clock)
    {
        var view = Engine.Current;
        return view.Doors.Count == 0
            ? new AccessDecision(AccessReason.NoAccessToDoor)
            : view.Snapshot.Decide(card, view.Doors[0].Id, clock.GetUtcNow());
    }

    /// <summary>How this device decides the credential <paramref name="credentialId"/> (a face, once recognised) at its first door.</summary>
    public AccessDecision DecideCredential(Guid credentialId, TimeProvider clock)
    {
        var view = Engine.Current;
        return view.Doors.Count == 0
            ? new AccessDecision(AccessReason.NoAccessToDoor)
            : view.Snapshot.DecideCredential(credentialId, view.Doors[0].Id, clock.GetUtcNow());
    }

    public static CredentialKey Card(int facilityCode, int cardNumber) =>
        CardIdentity.TryCreate(CardFormat.H10301, facilityCode, cardNumber, null, out var card, out var errors)
            ? card.ToKey()
            : throw new ArgumentException(string.Join(" ", errors.Select(e => e.Message)));

    public async ValueTask DisposeAsync()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        try
        {
            await _host.StopAsync();
        }
        finally
        {
            await _host.DisposeAsync();
            try
            {
                Directory.Delete(DataDirectory, recursive: true);
            }
            catch (IOException)
            {
            }
        }
    }
}
