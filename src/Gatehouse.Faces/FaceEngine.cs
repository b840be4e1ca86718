using System.Diagnostics;
using System.Security.Cryptography;
using Microsoft.ML.OnnxRuntime;
using SkiaSharp;

namespace Gatehouse.Faces;

/// <summary>
/// Analyses photos of faces with the configured ONNX models: decode (EXIF upright), detect, landmarks, align,
/// pose, eye state, liveness, template. Thread-safe (ONNX Runtime sessions may run concurrently); one instance per
/// process. See <c>README.md</c> in this folder for the pipeline and why each threshold is what it is.
/// </summary>
public sealed class FaceEngine : IDisposable
{
    private const int ThumbnailSize = 160;

    private const float MonochromeColour = 3;

    private const string NotLive =
        "This does not look like a live face (a photo of a photo or a screen, a drawing or a mask). Take a photo of the person themselves.";

    private readonly FaceModels _models;

    private FaceEngine(FaceOptions options, FaceModels models, string model)
    {
        Options = options;
        _models = models;
        Model = model;
    }

    /// <summary>The options the engine was loaded with.</summary>
    public FaceOptions Options { get; }

    /// <summary>The recogniser's identity (file name and the start of its SHA-256), recorded on every template.</summary>
    public string Model { get; }

    /// <summary>Loads the models, or says in a sentence why face features are off.</summary>
    public static FaceEngineLoad Load(FaceOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (string.IsNullOrWhiteSpace(options.ModelDirectory))
            return new FaceEngineLoad(null, "No face-model directory is configured (Gatehouse__Face__ModelDirectory).");
        if (!Directory.Exists(options.ModelDirectory))
            return new FaceEngineLoad(null, $"The face-model directory {options.ModelDirectory} does not exist; run scripts/face-models.sh to fetch the default models.");

        var files = options.Models;
        var names = new[] { files.Detector, files.Landmarks, files.Recognizer, files.Pose, files.Liveness, files.Eyes };
        var missing = names.Where(n => !File.Exists(Path.Combine(options.ModelDirectory, n))).ToList();
        if (missing.Count > 0)
            return new FaceEngineLoad(null, $"Face models are missing from {options.ModelDirectory}: {string.Join(", ", missing)}; run scripts/face-models.sh to fetch the default models.");

        try
        {
            var models = FaceModels.Load(options);
            var recognizer = Path.Combine(options.ModelDirectory, files.Recognizer);
            using var stream = File.OpenRead(recognizer);
            var hash = Convert.ToHexStringLower(SHA256.HashData(stream));
            return new FaceEngineLoad(new FaceEngine(options, models, $"{Path.GetFileNameWithoutExtension(files.Recognizer)}@{hash[..16]}"), null);
        }
        catch (Exception e) when (e is OnnxRuntimeException or IOException or UnauthorizedAccessException or InvalidOperationException)
        {
            return new FaceEngineLoad(null, $"The face models in {options.ModelDirectory} could not be loaded: {e.Message}");
        }
    }

    /// <summary>Analyses one encoded image (JPEG, PNG or WebP) for enrollment.</summary>
    public FaceAnalysis Analyze(ReadOnlySpan<byte> image) => Run(image, enrollment: true);

    /// <summary>
    /// Analyses one camera frame at a door: the largest face only (others are people passing behind), its size,
    /// exposure, line art, liveness and template. Lighter than <see cref="Analyze"/>: no pose, blur or eye checks and
    /// no thumbnail — a person walking up is seldom a passport photo, and a poor frame simply matches no one. Refuses
    /// with a reason when no usable face is in the frame.
    /// </summary>
    public FaceAnalysis AnalyzeFrame(ReadOnlySpan<byte> image) => Run(image, enrollment: false);

    /// <summary>The analysis; the checks only an enrollment makes are marked.</summary>
    private FaceAnalysis Run(ReadOnlySpan<byte> image, bool enrollment)
    {
        var clock = new StageClock();
        if (image.Length > Options.MaxImageBytes)
            return clock.Reject(FaceRejection.ImageTooLarge, $"The image is larger than {Options.MaxImageBytes / (1024 * 1024)} MB. Use a smaller photo.", new FaceQuality());

        using var decoded = FaceImage.TryDecode(image, Options.MaxImagePixels, out var unreadable, out var why);
        clock.Lap(ref clock.Decode);
        if (decoded is null)
            return clock.Reject(unreadable!.Value, why!, new FaceQuality());

        var t = Options.Thresholds;
        var quality = new FaceQuality(ImageWidth: decoded.Width, ImageHeight: decoded.Height);
        var faces = _models.Detect(decoded, t.Detection);
        clock.Lap(ref clock.Detect);
        // A face much smaller than the main one is someone in the background, not a second person enrolling.
        var main = faces.Count == 0 ? default : faces.MaxBy(f => f.Box.Width);
        var people = faces.Count(f => f.Box.Width >= main.Box.Width / 2);
        quality = quality with { FacesFound = enrollment ? people : faces.Count };
        if (faces.Count == 0)
            return clock.Reject(FaceRejection.NoFace, "No face was found. Face the camera with the whole face in the frame.", quality);
        if (enrollment && people > 1)
            return clock.Reject(FaceRejection.MultipleFaces, "More than one face is in the photo. Only the person enrolling may be in the frame.", quality);

        var box = main.Box;
        quality = quality with { DetectionScore = Round(main.Score, 3), FaceWidth = (int)MathF.Round(box.Width) };
        if (box.Width < t.MinFaceWidth)
            return clock.Reject(FaceRejection.FaceTooSmall, "The face is too small. Come closer to the camera (2–3 feet away) or use a larger photo.", quality);

        var landmarks = _models.Landmarks(decoded, box);
        clock.Lap(ref clock.Landmarks);
        if (enrollment)
        {
            var pose = _models.Pose(decoded, box);
            clock.Lap(ref clock.Pose);
            quality = quality with { Yaw = Round(pose.Yaw, 1), Pitch = Round(pose.Pitch, 1), Roll = Round(pose.Roll, 1) };
            if (MathF.Abs(pose.Yaw) > t.MaxYaw || MathF.Abs(pose.Pitch) > t.MaxPitch)
                return clock.Reject(FaceRejection.NotFrontal, "The head is turned or tilted. Look straight at the camera.", quality);
        }

        using var aligned = decoded.Warp(Alignment.ToReference(landmarks), Alignment.Size);
        var (sharpness, brightness, colour) = Alignment.Measure(aligned);
        quality = quality with { Sharpness = Round(sharpness, 1), Brightness = Round(brightness, 1) };
        // Line art first (it is not a photo at all), then exposure: a dark photo has little contrast, so it would
        // also measure as blurry, and "too dark" is what the person can fix.
        if (sharpness > t.MaxSharpness)
            return clock.Reject(FaceRejection.NotLive, NotLive, quality);
        if (brightness < t.MinBrightness)
            return clock.Reject(FaceRejection.PoorExposure, "The face is too dark. Find even, brighter light facing the person.", quality);
        if (brightness > t.MaxBrightness)
            return clock.Reject(FaceRejection.PoorExposure, "The face is too bright. Avoid direct light or glare on the face.", quality);
        if (enrollment && sharpness < t.MinSharpness)
            return clock.Reject(FaceRejection.Blurry, "The photo is blurry. Hold the camera still and make sure the face is in focus.", quality);

        if (enrollment)
        {
            var eyesOpen = _models.EyesOpen(decoded, landmarks);
            clock.Lap(ref clock.Eyes);
            quality = quality with { EyesOpen = Round(eyesOpen, 3) };
            if (eyesOpen < t.MinEyesOpen)
                return clock.Reject(FaceRejection.EyesClosed, "The eyes look closed or covered. Keep the eyes open and take off sunglasses.", quality);
        }

        var liveness = _models.Liveness(decoded, box);
        clock.Lap(ref clock.Liveness);
        quality = quality with { Liveness = Round(liveness, 3) };
        // The liveness model was trained on colour and calls every black-and-white photo an attack; such a photo is
        // judged on its quality alone (a still photo's liveness proves little anyway: see README.md).
        if (liveness < t.MinLiveness && colour >= MonochromeColour)
            return clock.Reject(FaceRejection.NotLive, NotLive, quality);

        var vector = _models.Template(aligned);
        var thumbnail = enrollment ? decoded.Thumbnail(Square(box, 1.4f), ThumbnailSize) : null;
        clock.Lap(ref clock.Template);
        return new FaceAnalysis(null, null, quality, new FaceTemplate(Model, vector), thumbnail, clock.Timings());
    }

    /// <summary>The square of side <paramref name="scale"/> × the box's larger side, centred on the box.</summary>
    internal static SKRect Square(SKRect box, float scale)
    {
        var side = MathF.Max(box.Width, box.Height) * scale;
        return SKRect.Create(box.MidX - side / 2, box.MidY - side / 2, side, side);
    }

    private static float Round(float value, int digits) => MathF.Round(value, digits);

    /// <inheritdoc />
    public void Dispose() => _models.Dispose();

    /// <summary>Milliseconds per stage of one analysis.</summary>
    private struct StageClock()
    {
        private readonly long _start = Stopwatch.GetTimestamp();
        private long _last = Stopwatch.GetTimestamp();
        public double Decode, Detect, Landmarks, Pose, Eyes, Liveness, Template;

        public void Lap(ref double stage)
        {
            var now = Stopwatch.GetTimestamp();
            stage += Stopwatch.GetElapsedTime(_last, now).TotalMilliseconds;
            _last = now;
        }

        public readonly FaceTimings Timings() =>
            new(Decode, Detect, Landmarks, Pose, Eyes, Liveness, Template, Stopwatch.GetElapsedTime(_start).TotalMilliseconds);

        public readonly FaceAnalysis Reject(FaceRejection reason, string detail, FaceQuality quality) =>
            new(reason, detail, quality, null, null, Timings());
    }
}

/// <summary>The engine, or why there is none.</summary>
public sealed record FaceEngineLoad(FaceEngine? Engine, string? Unavailable);
