using Gatehouse.Faces;
using System.Text.Json;
using Gatehouse.Core.Cards;
using Gatehouse.Device.Door;
using Gatehouse.Device.Events;
using Gatehouse.Device.Hardware;
using Gatehouse.Device.Mqtt;
using Gatehouse.Device.Sync;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.FileProviders;

namespace Gatehouse.Device.Simulator;

/// <summary>The simulator's state for the device screen: what the device shows, and what it knows.</summary>
internal sealed record SimulatorState(
    string Led,
    string Prompt,
    string Lock,
    bool Online,
    long SyncVersion,
    Guid DeviceId,
    string DeviceName,
    string? WiegandFormat,
    Guid? DoorId,
    string? DoorName,
    IReadOnlyList<SimulatorDoor> Doors,
    int QueuedEvents,
    long DroppedEvents,
    bool NetworkConnected,
    string? Enrollment,
    string SoftwareVersion);

/// <summary>A door of the device and its lock.</summary>
internal sealed record SimulatorDoor(Guid Id, string Name, string Lock);

/// <summary>
/// The answer to a tap at the reader: <see cref="Outcome"/> is <c>granted</c>, <c>denied</c> or <c>enrollment</c>
/// (the card was captured for an enrollment, not decided); <see cref="ReasonText"/> is the reason in words.
/// </summary>
internal sealed record SimulatorTapResult(bool Granted, string Reason, Guid? DoorId, string Outcome, string ReasonText)
{
    public static SimulatorTapResult From(TapOutcome outcome) => new(
        outcome.Granted,
        outcome.Reason,
        outcome.DoorId,
        outcome.CapturedForEnrollment ? "enrollment" : outcome.Granted ? "granted" : "denied",
        outcome.ReasonText);
}

/// <summary>A frame's outcome: <see cref="Score"/> is the match's similarity, <see cref="Liveness"/> the liveness score.</summary>
internal sealed record SimulatorFaceResult(
    bool Granted,
    string Reason,
    [property: System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)] float? Score,
    [property: System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)] float? Liveness);

/// <summary>A QR code's outcome: <see cref="Reason"/> is an access reason's API name (or <c>noDoor</c>).</summary>
internal sealed record SimulatorQrResult(bool Granted, string Reason);

/// <summary>
/// The simulator's web side: the device screen (static files shipped inside the agent, under a strict
/// Content-Security-Policy) and its local API — <c>GET /simulator/state</c>, <c>POST /simulator/card</c>,
/// <c>POST /simulator/network</c>, <c>POST /simulator/face</c>, <c>POST /simulator/qr</c>.
/// </summary>
internal static class SimulatorEndpoints
{
    private const string ContentSecurityPolicy =
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; media-src 'self' blob:; connect-src 'self'; " +
        "base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

    public static void MapSimulator(this WebApplication app)
    {
        app.Use(async (context, next) =>
        {
            var headers = context.Response.Headers;
            headers.ContentSecurityPolicy = ContentSecurityPolicy;
            headers.XContentTypeOptions = "nosniff";
            headers["Referrer-Policy"] = "no-referrer";
            headers.CacheControl = "no-store";
            await next(context);
        });

        var screen = new EmbeddedFileProvider(typeof(SimulatorEndpoints).Assembly, "Gatehouse.Device.Simulator.Screen");
        app.UseDefaultFiles(new DefaultFilesOptions { FileProvider = screen });
        app.UseStaticFiles(new StaticFileOptions { FileProvider = screen });

        var simulator = app.MapGroup("/simulator");
        simulator.MapGet("/state", (SimulatorView view) => TypedResults.Ok(view.State()));
        simulator.MapPost("/card", TapAsync);
        simulator.MapPost("/network", SetNetwork);
        simulator.MapPost("/face", PresentFaceAsync).DisableAntiforgery();
        simulator.MapPost("/qr", PresentQrAsync);
    }

    /// <summary>
    /// A QR code shown to the camera: <c>{text}</c> (the decoded code, JSON) or the image itself as the body (JPEG,
    /// PNG or WebP, bounded as a camera frame). Decided at once, as a phone shown to the door, without the camera's
    /// repeat window → <c>{granted, reason}</c>. A body that is neither, or an image without a QR code → 400.
    /// </summary>
    private static async Task<IResult> PresentQrAsync(HttpRequest request, SimulatedCamera camera, DoorController door, CancellationToken ct)
    {
        string? text;
        if (request.HasJsonContentType())
        {
            try
            {
                using var document = await JsonDocument.ParseAsync(request.Body, cancellationToken: ct);
                text = document.RootElement.ValueKind == JsonValueKind.Object
                    && document.RootElement.TryGetProperty("text", out var value) && value.ValueKind == JsonValueKind.String
                        ? value.GetString()
                        : null;
            }
            catch (JsonException)
            {
                text = null;
            }

            if (string.IsNullOrEmpty(text))
            {
                return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["text"] = ["Send {\"text\": \"…\"} with the decoded QR code, or the image as the body."] });
            }
        }
        else
        {
            var (frame, refusal) = await ReadFrameAsync(request, camera.MaxFrameBytes, ct);
            if (frame is null)
            {
                return refusal!;
            }

            text = await Task.Run(() => QrCodes.Find(frame.Image.Span), ct);
            if (text is null)
            {
                return ImageProblem("No QR code was found in the image.");
            }
        }

        var outcome = door.DecideQr(text);
        return TypedResults.Ok(new SimulatorQrResult(outcome.Granted, outcome.Reason));
    }

    /// <summary>
    /// One camera frame: the request body is the image (JPEG, PNG or WebP), or a multipart form with an
    /// <c>image</c> file. Larger than the camera's limit → 413; not an image → 400 naming <c>image</c>; no face
    /// engine → 503 (unless the frame holds a phone's QR code, which is decided without one). Otherwise what the device
    /// made of it: <c>{granted, reason, score?, liveness?}</c>.
    /// </summary>
    private static async Task<IResult> PresentFaceAsync(HttpRequest request, SimulatedCamera camera, CancellationToken ct)
    {
        var (frame, refusal) = await ReadFrameAsync(request, camera.MaxFrameBytes, ct);
        if (frame is null)
        {
            return refusal!;
        }

        // A phone's QR code is read with or without the face models; any other frame needs them.
        var outcome = await camera.PresentAsync(frame, ct);
        if (outcome.Reason == CameraFrames.CameraUnavailable && camera.Unavailable is { } why)
        {
            return TypedResults.Problem(why, statusCode: StatusCodes.Status503ServiceUnavailable, title: "This device cannot capture faces");
        }

        return TypedResults.Ok(new SimulatorFaceResult(outcome.Granted, outcome.Reason, outcome.Score, outcome.Liveness));
    }

    /// <summary>
    /// A camera frame from the request: the body is the image, or a multipart form with an <c>image</c> file. Larger
    /// than <paramref name="limit"/> → 413; no image, or not a JPEG, PNG or WebP → 400 naming <c>image</c>.
    /// </summary>
    private static async Task<(CameraFrame? Frame, IResult? Refusal)> ReadFrameAsync(HttpRequest request, int limit, CancellationToken ct)
    {
        if (request.ContentLength > limit + (request.HasFormContentType ? 64 * 1024 : 0))
        {
            return (null, TooLarge(limit));
        }

        byte[]? image;
        if (request.HasFormContentType)
        {
            IFormCollection form;
            try
            {
                form = await request.ReadFormAsync(ct);
            }
            catch (Exception e) when (e is InvalidDataException or IOException or BadHttpRequestException)
            {
                return (null, ImageProblem("The form could not be read: send one image file named image."));
            }

            if (form.Files.GetFile("image") is not { } file)
            {
                return (null, ImageProblem("Send the frame as a file named image, or as the request body."));
            }

            if (file.Length > limit)
            {
                return (null, TooLarge(limit));
            }

            image = new byte[file.Length];
            await using var stream = file.OpenReadStream();
            await stream.ReadExactlyAsync(image, ct);
        }
        else
        {
            image = await FaceUploads.ReadBoundedAsync(request.Body, limit, ct);
            if (image is null)
            {
                return (null, TooLarge(limit));
            }
        }

        return FaceUploads.Sniff(image) is { } contentType
            ? (new CameraFrame(image, contentType), null)
            : (null, ImageProblem("The frame is not a JPEG, PNG or WebP image."));
    }

    private static ValidationProblem ImageProblem(string message) =>
        TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["image"] = [message] });

    private static ProblemHttpResult TooLarge(int limit) => TypedResults.Problem(
        $"A frame may be at most {limit / (1024 * 1024)} MiB.", statusCode: StatusCodes.Status413PayloadTooLarge, title: "The frame is too large");

    private static async Task<Results<Ok<SimulatorTapResult>, ValidationProblem>> TapAsync(
        HttpRequest request, SimulatedCardReader reader, AccessEngine engine, CancellationToken ct)
    {
        var errors = new Dictionary<string, string[]>();
        JsonElement body;
        try
        {
            using var document = await JsonDocument.ParseAsync(request.Body, cancellationToken: ct);
            body = document.RootElement.Clone();
        }
        catch (JsonException)
        {
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["body"] = ["The body must be a JSON object: {csn} or {format, facilityCode, cardNumber}."] });
        }

        if (body.ValueKind != JsonValueKind.Object)
        {
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["body"] = ["The body must be a JSON object: {csn} or {format, facilityCode, cardNumber}."] });
        }

        var csn = ReadString(body, CardFields.Csn, errors);
        var format = ReadString(body, CardFields.Format, errors);
        var facilityCode = ReadNumber(body, CardFields.FacilityCode, errors);
        var cardNumber = ReadNumber(body, CardFields.CardNumber, errors);
        var doorText = ReadString(body, "doorId", errors);
        if (errors.Count > 0)
        {
            return TypedResults.ValidationProblem(errors);
        }

        var view = engine.Current;
        Guid? doorId = null;
        if (doorText is not null)
        {
            if (!Guid.TryParse(doorText, out var parsedDoor) || view.Doors.All(d => d.Id != parsedDoor))
            {
                return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["doorId"] = ["Not a door of this device; leave doorId out for the reader's door."] });
            }

            doorId = parsedDoor;
        }

        // The reader decodes cards in the device's Wiegand format, so that is the format a bare number is in.
        format ??= csn is not null ? CardFormat.Csn.ToApiName() : view.Device?.WiegandFormat;
        if (format is null)
        {
            return TypedResults.ValidationProblem(new Dictionary<string, string[]>
            {
                [CardFields.Format] = ["This device reads cards by CSN: give csn, or a format with its numbers."],
            });
        }

        if (!CardIdentity.TryCreate(format, facilityCode, cardNumber, csn, out var card, out var cardErrors))
        {
            return TypedResults.ValidationProblem(cardErrors.GroupBy(e => e.Field).ToDictionary(g => g.Key, g => g.Select(e => e.Message).ToArray()));
        }

        var outcome = await reader.TapAsync(new CardRead(card, doorId), ct);
        return TypedResults.Ok(SimulatorTapResult.From(outcome));
    }

    private static Results<Ok<SimulatorState>, ValidationProblem> SetNetwork(
        NetworkRequest request, SimulatedNetworkLink link, SimulatorView view)
    {
        if (request.Connected is not { } connected)
        {
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["connected"] = ["Give connected: true to plug the network in, false to unplug it."] });
        }

        link.Set(connected);
        return TypedResults.Ok(view.State());
    }

    private static string? ReadString(JsonElement body, string name, Dictionary<string, string[]> errors)
    {
        if (!body.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        if (value.ValueKind != JsonValueKind.String)
        {
            errors[name] = [$"{name} must be text."];
            return null;
        }

        return value.GetString();
    }

    private static long? ReadNumber(JsonElement body, string name, Dictionary<string, string[]> errors)
    {
        if (!body.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        if (value.ValueKind == JsonValueKind.Number && value.TryGetInt64(out var number))
        {
            return number;
        }

        if (value.ValueKind == JsonValueKind.String
            && long.TryParse(value.GetString(), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out number))
        {
            // The screen's form posts what was typed; a number in quotes is still that number.
            return number;
        }

        errors[name] = [$"{name} must be a whole number."];
        return null;
    }

    internal sealed record NetworkRequest(bool? Connected);
}

/// <summary>Reads the simulated hardware and the agent's state into a <see cref="SimulatorState"/>.</summary>
internal sealed class SimulatorView(
    SimulatedLed led, SimulatedSpeaker speaker, SimulatedLockRelay relay, AccessEngine engine, BrokerConnection connection,
    SimulatedNetworkLink network, EventQueue events, Enrollments enrollments, DeviceIdentity identity)
{
    public SimulatorState State()
    {
        var view = engine.Current;
        var doors = view.Doors.Select(d => new SimulatorDoor(d.Id, d.Name, LockText(relay.IsOpen(d.Id)))).ToList();
        var first = doors.Count > 0 ? doors[0] : null;
        return new SimulatorState(
            LedText(led.Color),
            speaker.Prompt,
            first?.Lock ?? LockText(false),
            connection.IsConnected,
            view.Version,
            identity.DeviceId,
            view.Device?.Name ?? identity.Name,
            view.Device?.WiegandFormat,
            first?.Id,
            first?.Name,
            doors,
            events.Count,
            events.Dropped,
            network.IsUp,
            enrollments.State,
            AgentVersion.Current);
    }

    private static string LockText(bool open) => open ? "unlocked" : "locked";

    private static string LedText(LedColor color) => color switch
    {
        LedColor.Green => "green",
        LedColor.Red => "red",
        LedColor.Blue => "blue",
        LedColor.Amber => "amber",
        _ => "off",
    };
}
