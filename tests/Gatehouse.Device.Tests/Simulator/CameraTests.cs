using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Gatehouse.Core.DeviceProtocol;
using Gatehouse.Device.Hardware;
using Gatehouse.Device.Simulator;
using Gatehouse.Device.Store;
using Gatehouse.Faces;
using Gatehouse.Testing;
using Microsoft.Extensions.Configuration;

namespace Gatehouse.Device.Tests.Simulator;

/// <summary>The camera's sources refuse what is not a frame before it reaches enrollment or the door.</summary>
public sealed class CameraFrameTests
{
    private static SimulatedCamera LoadedCamera(int maxBytes, Func<CameraFrame, CancellationToken, Task<FaceOutcome>> onFrame)
    {
        // An engine that is "loaded" as far as the camera cares; its frames never reach a model here.
        var camera = new SimulatedCamera(FaceEngine.Load(new FaceOptions { ModelDirectory = FaceAssets.ModelDirectory }), maxBytes);
        camera.Attach(onFrame);
        return camera;
    }

    [Fact]
    public async Task PresentAsync_NotAnImage_IsRefusedAsUnreadableWithoutReachingTheDoor()
    {
        var reached = false;
        var camera = LoadedCamera(1024 * 1024, (_, _) => { reached = true; return Task.FromResult(new FaceOutcome(true, "granted")); });

        var outcome = await camera.PresentAsync(new CameraFrame("%PDF-1.7 not a face"u8.ToArray(), "image/jpeg"), CancellationToken.None);

        Assert.False(outcome.Granted);
        Assert.Equal(CameraFrames.UnreadableImage, outcome.Reason);
        Assert.False(reached);
    }

    [Fact]
    public async Task PresentAsync_FrameOverTheLimit_IsRefusedAsTooLarge()
    {
        var reached = false;
        var camera = LoadedCamera(64 * 1024, (_, _) => { reached = true; return Task.FromResult(new FaceOutcome(true, "granted")); });
        var huge = new byte[64 * 1024 + 1];
        huge[0] = 0xFF;
        huge[1] = 0xD8;
        huge[2] = 0xFF;

        var outcome = await camera.PresentAsync(new CameraFrame(huge, "image/jpeg"), CancellationToken.None);

        Assert.Equal(CameraFrames.ImageTooLarge, outcome.Reason);
        Assert.False(reached);
    }

    [Fact]
    public async Task PresentAsync_WithoutAFaceEngine_CannotCaptureFaces_ButHandsFramesOnForPhonesQrCodes()
    {
        // The door answers a frame without a code cameraUnavailable (SimulatorQrTests: 503 from /simulator/face).
        var camera = new SimulatedCamera(new FaceEngineLoad(null, "no models"));
        var reached = false;
        camera.Attach((_, _) => { reached = true; return Task.FromResult(new FaceOutcome(true, "granted")); });

        await camera.PresentAsync(new CameraFrame(QrImages.Png("a phone's code"), "image/png"), CancellationToken.None);

        Assert.False(camera.CanCapture);
        Assert.NotNull(camera.Unavailable);
        Assert.True(reached);
    }
}

/// <summary><c>POST /simulator/face</c> on a listening agent with the face engine loaded and no broker.</summary>
public sealed class SimulatorFaceApiTests : IAsyncLifetime
{
    private readonly string _dataDirectory = Path.Combine(Path.GetTempPath(), "gatehouse-device-tests", Guid.NewGuid().ToString("N"));
    private AgentHost _agent = null!;
    private HttpClient _http = null!;

    public async Task InitializeAsync()
    {
        using (var store = DeviceStore.Open(_dataDirectory))
        {
            store.SaveClaim(
                new ClaimResponse(Guid.CreateVersion7(), Guid.CreateVersion7(), "Lobby", "F3D100", new BrokerEndpoint("127.0.0.1", 9, false), "device", "secret"),
                new Uri("http://127.0.0.1:9"));
        }

        _agent = await AgentHost.CreateAsync(
            new AgentArguments(null, null, _dataDirectory, ["http://127.0.0.1:0"]),
            builder => builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
            {
                ["Gatehouse:Device:Speaker:Voice"] = "false",
                ["Gatehouse:Face:ModelDirectory"] = FaceAssets.ModelDirectory,
                ["Gatehouse:Face:MaxImageBytes"] = (1024 * 1024).ToString(System.Globalization.CultureInfo.InvariantCulture),
            }));
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
    public async Task PostFace_NotAnImage_Is400NamingImage()
    {
        using var body = new ByteArrayContent("hello, I am text"u8.ToArray());
        body.Headers.ContentType = new MediaTypeHeaderValue("image/jpeg");

        var response = await _http.PostAsync("/simulator/face", body);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.True(problem.GetProperty("errors").TryGetProperty("image", out _));
    }

    [Fact]
    public async Task PostFace_HugeFrame_Is413AndTheAgentCarriesOn()
    {
        var huge = new byte[3 * 1024 * 1024];
        huge[0] = 0xFF;
        huge[1] = 0xD8;
        huge[2] = 0xFF;
        using var body = new ByteArrayContent(huge);
        body.Headers.ContentType = new MediaTypeHeaderValue("image/jpeg");

        var response = await _http.PostAsync("/simulator/face", body);

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        var state = await _http.GetAsync("/simulator/state");
        Assert.Equal(HttpStatusCode.OK, state.StatusCode);
    }

    [Fact]
    public async Task PostFace_MultipartWithoutImage_Is400()
    {
        using var form = new MultipartFormDataContent { { new StringContent("x"), "photo" } };

        var response = await _http.PostAsync("/simulator/face", form);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
    }

    [Fact]
    public async Task PostFace_AFaceBeforeTheFirstSync_IsDeniedAndAnswersJson()
    {
        using var form = new MultipartFormDataContent();
        var image = new ByteArrayContent(FaceAssets.Photo("cage.jpg"));
        image.Headers.ContentType = new MediaTypeHeaderValue("image/jpeg");
        form.Add(image, "image", "cage.jpg");

        var response = await _http.PostAsync("/simulator/face", form);

        response.EnsureSuccessStatusCode();
        var answer = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.False(answer.GetProperty("granted").GetBoolean());
        Assert.False(string.IsNullOrEmpty(answer.GetProperty("reason").GetString()));
    }
}

/// <summary><c>--camera-files</c>: each new image file in the folder is one frame, presented once.</summary>
public sealed class CameraFolderTests
{
    [Fact]
    public async Task NewImageFile_IsPresentedOnce_FilesThereBeforeAndOtherFilesAreNot()
    {
        var folder = Directory.CreateTempSubdirectory("gatehouse-frames").FullName;
        await File.WriteAllBytesAsync(Path.Combine(folder, "before.jpg"), FaceAssets.Photo("cage.jpg"));
        var camera = new SimulatedCamera(FaceEngine.Load(new FaceOptions { ModelDirectory = FaceAssets.ModelDirectory }));
        var frames = new System.Collections.Concurrent.ConcurrentQueue<int>();
        camera.Attach((frame, _) =>
        {
            frames.Enqueue(frame.Image.Length);
            return Task.FromResult(new FaceOutcome(false, "unknownCredential"));
        });
        using var watcher = new CameraFolder(folder, camera, TimeProvider.System, Microsoft.Extensions.Logging.Abstractions.NullLogger<CameraFolder>.Instance);
        await watcher.StartAsync(CancellationToken.None);
        try
        {
            await Task.Delay(CameraFolder.PollInterval * 2);
            var photo = FaceAssets.Photo("franck_04117.jpg");
            await File.WriteAllTextAsync(Path.Combine(folder, "notes.txt"), "not a frame");
            await File.WriteAllBytesAsync(Path.Combine(folder, ".partial.jpg"), photo);
            File.Move(Path.Combine(folder, ".partial.jpg"), Path.Combine(folder, "frame-1.jpg"));

            await Eventually.HoldsAsync(() => Task.FromResult(!frames.IsEmpty), () => "the new frame to be presented");
            await Task.Delay(CameraFolder.PollInterval * 3);
            Assert.Equal([photo.Length], frames.ToArray());
        }
        finally
        {
            await watcher.StopAsync(CancellationToken.None);
            Directory.Delete(folder, recursive: true);
        }
    }
}
