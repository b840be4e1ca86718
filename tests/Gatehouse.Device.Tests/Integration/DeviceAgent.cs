using System.Net.Http.Json;
using System.Text.Json;
using Gatehouse.Device.Events;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Gatehouse.Device.Tests.Integration;

/// <summary>
/// One device agent, run in-process exactly as its command line would run it (claim, store, MQTT, the
/// simulator on a loopback port), over its own data directory. It can be stopped and started again on the
/// same directory — an agent restart — and reports what its simulator shows.
/// </summary>
public sealed class DeviceAgent : IAsyncDisposable
{
    private readonly Dictionary<string, string?> _settings = new()
    {
        ["Gatehouse:Device:Speaker:Voice"] = "false",

        // Tests wait for reconnections: retry often rather than back off for half a minute.
        ["Gatehouse:Device:ReconnectMinDelay"] = "00:00:00.100",
        ["Gatehouse:Device:ReconnectMaxDelay"] = "00:00:01",
        ["Gatehouse:Device:KeepAlive"] = "00:00:05",
        ["Gatehouse:Device:EventResendInterval"] = "00:00:02",
        ["Gatehouse:Device:UnlockTime"] = "00:00:05",
    };

    private AgentHost? _host;

    /// <summary>Every line the agent logged, at every level, across its starts.</summary>
    public CapturedLogs Logs { get; } = new();

    public DeviceAgent(string serverUrl, string? dataDirectory = null)
    {
        ServerUrl = serverUrl;
        DataDirectory = dataDirectory ?? Path.Combine(Path.GetTempPath(), "gatehouse-device-tests", "agent-" + Guid.NewGuid().ToString("N"));
    }

    public string ServerUrl { get; }

    public string DataDirectory { get; }

    public bool IsRunning => _host is not null;

    /// <summary>The simulator's address, such as <c>http://127.0.0.1:41234</c>, while running.</summary>
    public Uri SimulatorUrl { get; private set; } = null!;

    /// <summary>A client of the simulator's local API.</summary>
    public HttpClient Simulator { get; private set; } = null!;

    /// <summary>The agent's services while it runs.</summary>
    public IServiceProvider Services => (_host ?? throw new InvalidOperationException("The agent is stopped.")).Services;

    /// <summary>Events waiting for the server's acknowledgement in the agent's queue.</summary>
    public int QueuedEvents => Services.GetRequiredService<EventQueue>().Count;

    /// <summary>Sets a configuration value (<c>Gatehouse:Device:UnlockTime</c> …) for the next start.</summary>
    public DeviceAgent With(string key, string? value)
    {
        _settings[key] = value;
        return this;
    }

    /// <summary>Starts the agent: with <paramref name="claimCode"/> the first time, without it after.</summary>
    public async Task StartAsync(string? claimCode = null)
    {
        if (_host is not null)
        {
            return;
        }

        var arguments = new AgentArguments(new Uri(ServerUrl), claimCode, DataDirectory, ["http://127.0.0.1:0"]);
        var host = await AgentHost.CreateAsync(arguments, builder =>
        {
            builder.Configuration.AddInMemoryCollection(_settings);
            builder.Logging.AddProvider(Logs);
            builder.Logging.SetMinimumLevel(LogLevel.Trace);
        });
        try
        {
            await host.StartAsync();
        }
        catch
        {
            await host.DisposeAsync();
            throw;
        }

        _host = host;
        SimulatorUrl = new Uri(host.SimulatorAddresses[0]);
        Simulator = new HttpClient { BaseAddress = SimulatorUrl };
    }

    /// <summary>Stops the agent as a power cut would leave it between runs: the data directory stays.</summary>
    public async Task StopAsync()
    {
        if (_host is { } host)
        {
            _host = null;
            Simulator.Dispose();
            await host.StopAsync();
            await host.DisposeAsync();
        }
    }

    /// <summary>What the simulator's <c>GET /simulator/state</c> answers.</summary>
    public async Task<JsonElement> StateAsync() => await Simulator.GetFromJsonAsync<JsonElement>("/simulator/state");

    /// <summary>Taps a card at the reader (<c>POST /simulator/card</c>) and returns the answer.</summary>
    public async Task<JsonElement> TapAsync(object card)
    {
        var response = await Simulator.PostAsJsonAsync("/simulator/card", card);
        response.EnsureSuccessStatusCode();
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }

    /// <summary>Unplugs (or plugs back) the simulated network.</summary>
    public async Task SetNetworkAsync(bool connected) =>
        (await Simulator.PostAsJsonAsync("/simulator/network", new { connected })).EnsureSuccessStatusCode();

    /// <summary>Polls the simulator's state until <paramref name="condition"/> holds; fails after <paramref name="timeout"/>.</summary>
    public async Task<JsonElement> WaitForStateAsync(Func<JsonElement, bool> condition, string what, TimeSpan? timeout = null)
    {
        JsonElement state = default;
        await Eventually.HoldsAsync(
            async () =>
            {
                state = await StateAsync();
                return condition(state);
            },
            () => $"the device to be {what}; its state is {state}",
            timeout);
        return state;
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        try
        {
            Directory.Delete(DataDirectory, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
