using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text.Json;
using Gatehouse.Core.DeviceProtocol;
using Gatehouse.Core.Mobile;
using Gatehouse.Device.Events;
using Gatehouse.Device.Store;
using Gatehouse.Device.Sync;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using static Gatehouse.Device.Tests.TestStore;

namespace Gatehouse.Device.Tests.Simulator;

/// <summary><c>POST /simulator/qr</c> on a real listening agent whose broker is away.</summary>
public sealed class SimulatorQrTests : IAsyncLifetime
{
    private static readonly Guid Organization = Guid.CreateVersion7();
    private static readonly Guid AlicePhone = Id(50);
    private readonly string _dataDirectory = Path.Combine(Path.GetTempPath(), "gatehouse-device-tests", Guid.NewGuid().ToString("N"));
    private readonly ECDsa _phone = ECDsa.Create(ECCurve.NamedCurves.nistP256);
    private AgentHost _agent = null!;
    private HttpClient _http = null!;

    public async Task InitializeAsync()
    {
        using (var store = DeviceStore.Open(_dataDirectory))
        {
            store.SaveClaim(
                new ClaimResponse(Guid.CreateVersion7(), Organization, "Lobby", "F3D100", new BrokerEndpoint("127.0.0.1", 9, false), "device", "secret"),
                new Uri("http://127.0.0.1:9"));
        }

        _agent = await AgentHost.CreateAsync(
            new AgentArguments(null, null, _dataDirectory, ["http://127.0.0.1:0"]),
            builder => builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?> { ["Gatehouse:Device:Speaker:Voice"] = "false" }));
        await _agent.StartAsync();
        _http = new HttpClient { BaseAddress = new Uri(_agent.SimulatorAddresses[0]) };
        var phone = new SyncCredential(AlicePhone, Alice, SyncSnapshotSource.MobileType, false, MobileKey: MobileKeys.ToText(MobileKeys.Export(_phone)));
        _agent.Services.GetRequiredService<SyncApplier>().Handle(new SyncMessage(SyncKind.Snapshot, 3, 0, 0, 1, AlwaysOpen() with { Credentials = [.. AlwaysOpen().Credentials!, phone] }));
    }

    public async Task DisposeAsync()
    {
        _http.Dispose();
        _phone.Dispose();
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

    private string Token() => MobileToken.Create(_phone, AlicePhone, Organization, TimeProvider.System.GetUtcNow(), TimeSpan.FromSeconds(30));

    private static async Task<JsonElement> Answer(HttpResponseMessage response)
    {
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }

    [Fact]
    public async Task PostText_PhonesToken_OpensTheDoor_AndTheSameTokenAgainIsReplayed()
    {
        var token = Token();

        var first = await Answer(await _http.PostAsJsonAsync("/simulator/qr", new { text = token }));
        var again = await Answer(await _http.PostAsJsonAsync("/simulator/qr", new { text = token }));

        Assert.Equal((true, "granted"), (first.GetProperty("granted").GetBoolean(), first.GetProperty("reason").GetString()));
        Assert.Equal((false, "tokenReplayed"), (again.GetProperty("granted").GetBoolean(), again.GetProperty("reason").GetString()));
        var events = _agent.Services.GetRequiredService<EventQueue>().PeekOldest(10);
        Assert.Equal([DeviceEvent.Mobile, DeviceEvent.Mobile], events.Select(e => e.CredentialType));
    }

    [Fact]
    public async Task PostImage_PngOfTheCode_OpensTheDoor()
    {
        using var content = new ByteArrayContent(QrImages.Png(Token()));
        content.Headers.ContentType = new MediaTypeHeaderValue("image/png");

        var answer = await Answer(await _http.PostAsync("/simulator/qr", content));

        Assert.Equal("granted", answer.GetProperty("reason").GetString());
        var state = await _http.GetFromJsonAsync<JsonElement>("/simulator/state");
        Assert.Equal("green", state.GetProperty("led").GetString());
    }

    [Fact]
    public async Task CameraFrameWithAQrCode_OnADeviceWithoutFaceModels_StillOpensTheDoor_OtherFramesAre503()
    {
        using var qr = new ByteArrayContent(QrImages.Frame(Token()));
        qr.Headers.ContentType = new MediaTypeHeaderValue("image/jpeg");
        using var plain = new ByteArrayContent(QrImages.Frame(null));
        plain.Headers.ContentType = new MediaTypeHeaderValue("image/jpeg");

        var answer = await Answer(await _http.PostAsync("/simulator/face", qr));
        var refused = await _http.PostAsync("/simulator/face", plain);

        Assert.Equal("granted", answer.GetProperty("reason").GetString());
        Assert.Equal(HttpStatusCode.ServiceUnavailable, refused.StatusCode);
    }

    [Fact]
    public async Task PostText_AnotherQrCode_IsUnknownCredential()
    {
        var answer = await Answer(await _http.PostAsJsonAsync("/simulator/qr", new { text = "https://example.com/menu" }));

        Assert.Equal("unknownCredential", answer.GetProperty("reason").GetString());
    }

    [Theory]
    [InlineData("application/json", "{}", "text")]
    [InlineData("application/json", "{\"text\": 5}", "text")]
    [InlineData("application/json", "not json", "text")]
    [InlineData("text/plain", "hello", "image")]
    public async Task PostBadBody_Is400NamingWhatToSend(string contentType, string body, string field)
    {
        using var content = new StringContent(body);
        content.Headers.ContentType = new MediaTypeHeaderValue(contentType);

        var response = await _http.PostAsync("/simulator/qr", content);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.True(problem.GetProperty("errors").TryGetProperty(field, out _));
    }

    [Fact]
    public async Task PostImageWithoutACode_Is400SayingSo()
    {
        using var content = new ByteArrayContent(QrImages.Frame(null));
        content.Headers.ContentType = new MediaTypeHeaderValue("image/jpeg");

        var response = await _http.PostAsync("/simulator/qr", content);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("No QR code", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }
}
