using System.Diagnostics;

namespace Gatehouse.DeviceLoad;

/// <summary>Devices of one organization, one per door of its building, each run by a real agent in this process.</summary>
internal sealed class Fleet(IReadOnlyList<LoadAgent> agents) : IAsyncDisposable
{
    // Claims and starts at once are bounded so that setting a fleet up does not itself time out on two cores.
    private const int StartConcurrency = 5;

    private bool _disposed;

    public IReadOnlyList<LoadAgent> Agents { get; } = agents;

    /// <summary>
    /// Adds one F3D100 per door, claims each with a fresh agent (its own data directory), starts them all, and
    /// returns once every agent holds a snapshot and the server shows every device online at the version it holds.
    /// </summary>
    public static async Task<Fleet> StartAsync(LoadServer server, Organization organization, Building building, TimeSpan timeout)
    {
        var devices = new List<(Guid DeviceId, string ClaimCode)>();
        for (var i = 0; i < building.DoorIds.Count; i++)
        {
            devices.Add(await Api.NewDeviceAsync(organization.Owner, building, building.DoorIds[i], $"Reader {i + 1:000}"));
        }

        var agents = new LoadAgent?[devices.Count];
        using var gate = new SemaphoreSlim(StartConcurrency);
        try
        {
            await Task.WhenAll(devices.Select(async (device, i) =>
            {
                await gate.WaitAsync();
                try
                {
                    agents[i] = await LoadAgent.ClaimAsync(server.BaseUrl, device.ClaimCode);
                    await agents[i]!.StartAsync();
                }
                finally
                {
                    gate.Release();
                }
            }));
        }
        catch
        {
            await new Fleet([.. agents.OfType<LoadAgent>()]).DisposeAsync();
            throw;
        }

        var fleet = new Fleet([.. agents.OfType<LoadAgent>()]);
        try
        {
            await fleet.WaitSettledAsync(organization, timeout);
        }
        catch
        {
            await fleet.DisposeAsync();
            throw;
        }

        return fleet;
    }

    /// <summary>
    /// Waits until every agent holds a snapshot and the server's device list shows each online at the agent's
    /// version: nothing of the last change is still on its way in either direction.
    /// </summary>
    public async Task WaitSettledAsync(Organization organization, TimeSpan timeout)
    {
        var deadline = Stopwatch.GetTimestamp() + (long)(timeout.TotalSeconds * Stopwatch.Frequency);
        var held = new Dictionary<Guid, long>();
        while (true)
        {
            held.Clear();
            foreach (var agent in Agents)
            {
                held[agent.Identity.DeviceId] = agent.Engine.Current.Version;
            }

            if (held.Values.All(v => v > 0))
            {
                var devices = await Api.DevicesAsync(organization.Owner);
                var settled = devices.Count(d =>
                    held.TryGetValue(d.GetProperty("id").GetGuid(), out var version)
                    && d.GetProperty("online").GetBoolean()
                    && d.GetProperty("syncVersion").GetInt64() == version);
                if (settled == Agents.Count)
                {
                    return;
                }
            }

            if (Stopwatch.GetTimestamp() > deadline)
            {
                throw new TimeoutException(
                    $"The fleet did not settle within {timeout}: {held.Values.Count(v => v > 0)} of {Agents.Count} agents hold a snapshot.");
            }

            await Task.Delay(20);
        }
    }

    /// <summary>Waits until no agent has an event left to send (the server acknowledged each one).</summary>
    public async Task WaitEventsSentAsync(TimeSpan timeout)
    {
        var deadline = Stopwatch.GetTimestamp() + (long)(timeout.TotalSeconds * Stopwatch.Frequency);
        while (Agents.Any(a => a.Events.Count > 0))
        {
            if (Stopwatch.GetTimestamp() > deadline)
            {
                throw new TimeoutException($"The agents did not send their events within {timeout}: {Agents.Sum(a => a.Events.Count)} left.");
            }

            await Task.Delay(20);
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        foreach (var agent in Agents)
        {
            await agent.DisposeAsync();
        }
    }
}
