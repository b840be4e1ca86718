using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Gatehouse.Core.DeviceProtocol;
using Gatehouse.Device.Store;
using Gatehouse.Device.Sync;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using static Gatehouse.Device.Tests.TestStore;

namespace Gatehouse.Device.Tests.Simulator;

/// <summary>
/// The simulator's local API and device screen on a real listening agent. The agent is claimed (its store
/// holds a claim) but its broker is unreachable, which is how a device works with the network down.
/// </summary>
public sealed class SimulatorApiTests : IAsyncLifetime
{
    private readonly string _dataDirectory = Path.Combine(Path.GetTempPath(), "gatehouse-device-tests", Guid.NewGuid().ToString("N"));
    private AgentHost _agent = null!;
    private HttpClient _http = null!;

    public async Task InitializeAsync()
    {
        using (var store = DeviceStore.Open(_dataDirectory))
        {
            // Port 9 (discard) on loopback: nothing listens, so the broker is away for the whole test.
            store.SaveClaim(
                new ClaimResponse(Guid.CreateVersion7(), Guid.CreateVersion7(), "Lobby", "F3D100", new BrokerEndpoint("127.0.0.1", 9, false), "device", "secret"),
                new Uri("http://127.0.0.1:9"));
        }

        _agent = await AgentHost.CreateAsync(
            new AgentArguments(null, null, _dataDirectory, ["http://127.0.0.1:0"]),
            builder => builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?> { ["Gatehouse:Device:Speaker:Voice"] = "false" }));
        await _agent.StartAsync();
        _http = new HttpClient { BaseAddress = new Uri(_agent.SimulatorAddresses[0]) };
    }

    public async Task DisposeAsync()
    {
        _http.Dispose();
        await _agent.StopAsync();
        await _agent.DisposeAsync();
        try
        {
            Directory.Delete(_dataDirectory, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    [Fact]
    public async Task GetState_BeforeTheFirstSync_ShowsAnIdleOfflineDevice()
    {
        var state = await _http.GetFromJsonAsync<JsonElement>("/simulator/state");

        Assert.Equal("off", state.GetProperty("led").GetString());
        Assert.Equal("", state.GetProperty("prompt").GetString());
        Assert.Equal("locked", state.GetProperty("lock").GetString());
        Assert.False(state.GetProperty("online").GetBoolean());
        Assert.Equal(0, state.GetProperty("syncVersion").GetInt64());
        Assert.Equal("Lobby", state.GetProperty("deviceName").GetString());
    }

    [Fact]
    public async Task PostCard_EnrolledCardWhileOffline_IsGrantedAndTheScreenShowsIt()
    {
        Sync(AlwaysOpen());

        var response = await _http.PostAsJsonAsync("/simulator/card", new { format = "H10301", facilityCode = 1, cardNumber = 11572 });

        response.EnsureSuccessStatusCode();
        var answer = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.True(answer.GetProperty("granted").GetBoolean());
        Assert.Equal("granted", answer.GetProperty("reason").GetString());
        var state = await _http.GetFromJsonAsync<JsonElement>("/simulator/state");
        Assert.Equal("green", state.GetProperty("led").GetString());
        Assert.Equal("Access granted", state.GetProperty("prompt").GetString());
        Assert.Equal("unlocked", state.GetProperty("lock").GetString());
        Assert.Equal("Front door", state.GetProperty("doorName").GetString());
        Assert.Equal(1, state.GetProperty("queuedEvents").GetInt32());
        Assert.Equal(3, state.GetProperty("syncVersion").GetInt64());
    }

    [Fact]
    public async Task PostCard_Csn_IsReadAsACsnCard()
    {
        Sync(AlwaysOpen());

        var answer = await Tap(new { csn = "04a224b2c15e80" });

        Assert.True(answer.GetProperty("granted").GetBoolean());
    }

    [Fact]
    public async Task PostCard_NumbersWithoutAFormat_AreInTheDevicesWiegandFormat()
    {
        Sync(AlwaysOpen());

        var answer = await Tap(new { facilityCode = 1, cardNumber = 11572 });

        Assert.True(answer.GetProperty("granted").GetBoolean());
    }

    [Fact]
    public async Task PostCard_UnknownCard_IsDenied()
    {
        Sync(AlwaysOpen());

        var answer = await Tap(new { format = "H10301", facilityCode = 1, cardNumber = 999 });

        Assert.False(answer.GetProperty("granted").GetBoolean());
        Assert.Equal("unknownCredential", answer.GetProperty("reason").GetString());
        var state = await _http.GetFromJsonAsync<JsonElement>("/simulator/state");
        Assert.Equal("red", state.GetProperty("led").GetString());
        Assert.StartsWith("Access denied", state.GetProperty("prompt").GetString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("""{"format":"H10301","facilityCode":300,"cardNumber":1}""", "facilityCode")]
    [InlineData("""{"format":"H10301","facilityCode":1}""", "cardNumber")]
    [InlineData("""{"csn":"XYZ"}""", "csn")]
    [InlineData("""{"format":"H10301","facilityCode":1,"cardNumber":"eleven"}""", "cardNumber")]
    [InlineData("""{"format":"H99999","cardNumber":1}""", "format")]
    [InlineData("""{"format":"H10301","facilityCode":1,"cardNumber":1,"doorId":"00000000-0000-4000-8000-000000000999"}""", "doorId")]
    [InlineData("""[1]""", "body")]
    public async Task PostCard_MalformedCard_Is400NamingTheField(string body, string field)
    {
        Sync(AlwaysOpen());

        var response = await _http.PostAsync("/simulator/card", new StringContent(body, System.Text.Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.True(problem.GetProperty("errors").TryGetProperty(field, out _), await response.Content.ReadAsStringAsync());
        Assert.Equal(0, _agent.Services.GetRequiredService<Gatehouse.Device.Events.EventQueue>().Count);
    }

    [Fact]
    public async Task PostCard_NamingTheSecondDoor_DecidesThere()
    {
        Sync(AlwaysOpen());

        var answer = await Tap(new { format = "H10301", facilityCode = 1, cardNumber = 11572, doorId = BackDoor });

        Assert.Equal("noAccessToDoor", answer.GetProperty("reason").GetString());
        Assert.Equal(BackDoor, answer.GetProperty("doorId").GetGuid());
    }

    [Fact]
    public async Task PostNetwork_Unplugged_IsShownInTheState()
    {
        var response = await _http.PostAsJsonAsync("/simulator/network", new { connected = false });

        response.EnsureSuccessStatusCode();
        var state = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.False(state.GetProperty("networkConnected").GetBoolean());
        Assert.False(state.GetProperty("online").GetBoolean());

        var plugged = await _http.PostAsJsonAsync("/simulator/network", new { connected = true });
        Assert.True((await plugged.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("networkConnected").GetBoolean());
    }

    [Fact]
    public async Task GetScreen_ServesThePageAndItsFilesUnderAStrictPolicy()
    {
        var page = await _http.GetAsync("/");
        var script = await _http.GetAsync("/device.js");
        var style = await _http.GetAsync("/device.css");

        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.Equal("text/html", page.Content.Headers.ContentType?.MediaType);
        Assert.Contains("Tap a card", await page.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        var policy = string.Join(";", page.Headers.GetValues("Content-Security-Policy"));
        Assert.Contains("default-src 'none'", policy, StringComparison.Ordinal);
        Assert.Contains("script-src 'self'", policy, StringComparison.Ordinal);
        Assert.DoesNotContain("unsafe", policy, StringComparison.Ordinal);
        Assert.Equal("text/javascript", script.Content.Headers.ContentType?.MediaType);
        Assert.Equal("text/css", style.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public void Simulator_ListensOnTheGivenAddressOnly()
    {
        var address = Assert.Single(_agent.SimulatorAddresses);

        Assert.StartsWith("http://127.0.0.1:", address, StringComparison.Ordinal);
    }

    private void Sync(SyncData data) =>
        _agent.Services.GetRequiredService<SyncApplier>().Handle(new SyncMessage(SyncKind.Snapshot, 3, 0, 0, 1, data));

    private async Task<JsonElement> Tap(object body)
    {
        var response = await _http.PostAsJsonAsync("/simulator/card", body);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }
}
