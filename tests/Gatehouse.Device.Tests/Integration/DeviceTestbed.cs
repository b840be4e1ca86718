using System.Net.Http.Json;
using System.Text.Json;

namespace Gatehouse.Device.Tests.Integration;

/// <summary>
/// The real server and the device agents of one test class (<c>IClassFixture&lt;DeviceTestbed&gt;</c>). Each
/// test makes its own organization and door device with <see cref="NewDoorAsync"/>; the server and every
/// agent can be stopped and started again separately inside a test (<see cref="GatehouseServer.StopAsync"/>,
/// <see cref="DeviceAgent.StopAsync"/>), which is what the reliability tests build on.
/// </summary>
public class DeviceTestbed : IAsyncLifetime
{
    private readonly List<DeviceAgent> _agents = [];
    private int _cards;

    public DeviceTestbed()
        : this(new GatehouseServer())
    {
    }

    /// <summary>A testbed around a server configured otherwise (another broker, other settings).</summary>
    protected DeviceTestbed(GatehouseServer server) => Server = server;

    public GatehouseServer Server { get; }

    public virtual async Task InitializeAsync() => await Server.StartAsync();

    public virtual async Task DisposeAsync()
    {
        foreach (var agent in _agents)
        {
            await agent.DisposeAsync();
        }

        await Server.DisposeAsync();
    }

    /// <summary>A new agent for this server on a data directory of its own (not started).</summary>
    public DeviceAgent NewAgent()
    {
        var agent = new DeviceAgent(Server.BaseUrl);
        lock (_agents)
        {
            _agents.Add(agent);
        }

        return agent;
    }

    /// <summary>
    /// A new organization with one site, one door open around the clock to one user with one card, and one
    /// F3D100 device controlling the door; its agent is claimed and started, and this returns once the
    /// device is online and holds a snapshot.
    /// </summary>
    public async Task<DoorScenario> NewDoorAsync(string wiegandFormat = "H10301", bool start = true)
    {
        var (owner, ownerEmail) = await Server.NewOrganizationWithOwnerAsync();
        var site = await CreateAsync(owner, "/api/v1/sites", new { name = "Head office", timeZone = "Europe/Berlin" });
        var door = await CreateAsync(owner, "/api/v1/doors", new { siteId = site, name = "Front door" });
        string[] days = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"];
        var schedule = await CreateAsync(owner, "/api/v1/schedules", new { name = "Always", windows = new[] { new { days, start = "00:00", end = "24:00" } }, holidays = Array.Empty<object>() });
        var group = await CreateAsync(owner, "/api/v1/access-groups", new { name = "Staff", scheduleId = schedule, doorIds = new[] { door } });
        var user = await CreateAsync(owner, "/api/v1/users", new { firstName = "Alice", lastName = "Example", status = "active", accessGroupIds = new[] { group } });
        var cardNumber = 10_000 + Interlocked.Increment(ref _cards);
        var credential = await CreateAsync(owner, $"/api/v1/users/{user}/credentials/cards", new { format = "H10301", facilityCode = 1, cardNumber });

        var device = await owner.PostCreatedAsync("/api/v1/devices", new { name = "Front desk", model = "F3D100", siteId = site, doorIds = new[] { door }, wiegandFormat });

        var scenario = new DoorScenario(
            this, owner, ownerEmail, site, door, user, credential, device.GetProperty("id").GetGuid(), device.GetProperty("claimCode").GetString()!,
            cardNumber, NewAgent());
        if (start)
        {
            await scenario.Agent.StartAsync(scenario.ClaimCode);
            await scenario.Agent.WaitForStateAsync(s => s.GetProperty("online").GetBoolean() && s.GetProperty("syncVersion").GetInt64() > 0, "online with a snapshot");
        }

        return scenario;
    }

    internal static Task<Guid> CreateAsync(HttpClient client, string url, object body) => client.PostCreatedIdAsync(url, body);

    internal static Task Expect(HttpResponseMessage response, System.Net.HttpStatusCode status) => response.ExpectStatusAsync(status);
}

/// <summary>
/// One organization's door and its device, as <see cref="DeviceTestbed.NewDoorAsync"/> made them. The card
/// is <c>H10301</c>, facility code 1, number <see cref="CardNumber"/>. The owner signs in to the console with
/// <see cref="OwnerEmail"/> and <see cref="GatehouseServer.AdminPassword"/>.
/// </summary>
public sealed record DoorScenario(
    DeviceTestbed Testbed,
    HttpClient Owner,
    string OwnerEmail,
    Guid SiteId,
    Guid DoorId,
    Guid UserId,
    Guid CredentialId,
    Guid DeviceId,
    string ClaimCode,
    long CardNumber,
    DeviceAgent Agent)
{
    /// <summary>The enrolled card, as the simulator's tap form sends it.</summary>
    public object Card => new { format = "H10301", facilityCode = 1, cardNumber = CardNumber };

    /// <summary>A card nobody holds.</summary>
    public object UnknownCard => new { format = "H10301", facilityCode = 2, cardNumber = CardNumber };

    /// <summary>The door's access events, as <c>GET /api/v1/events?doorId=</c> lists them.</summary>
    public async Task<IReadOnlyList<JsonElement>> EventsAsync()
    {
        var page = await Owner.GetFromJsonAsync<JsonElement>($"/api/v1/events?doorId={DoorId}&pageSize=500");
        return [.. page.GetProperty("items").EnumerateArray()];
    }

    /// <summary>Waits until the door has <paramref name="count"/> events and the agent's queue is empty, and returns them.</summary>
    public async Task<IReadOnlyList<JsonElement>> WaitForEventsAsync(int count, TimeSpan? timeout = null)
    {
        IReadOnlyList<JsonElement> events = [];
        await Eventually.HoldsAsync(
            async () =>
            {
                events = await EventsAsync();
                return events.Count >= count && Agent.QueuedEvents == 0;
            },
            () => $"{count} events at the door (have {events.Count}; {Agent.QueuedEvents} queued at the device)",
            timeout);
        return events;
    }

    /// <summary>The device as <c>GET /api/v1/devices/{id}</c> shows it.</summary>
    public Task<JsonElement> DeviceAsync() => Owner.GetFromJsonAsync<JsonElement>($"/api/v1/devices/{DeviceId}");
}
