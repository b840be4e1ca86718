using SkiaSharp;
using Gatehouse.Faces;
using Gatehouse.Testing;

namespace Gatehouse.Benchmarks.Faces;

/// <summary>
/// The photos the face benchmarks analyse: a real test photo (fetched by <c>scripts/face-photos.sh</c>, never
/// committed) scaled onto a 1280 × 960 canvas so that the face is about <see cref="FaceWidth"/> pixels wide, as it
/// is in a webcam or phone photo taken 2–3 feet away, and encoded as a JPEG at quality 90. Made at set-up.
/// </summary>
internal static class FacePhotos
{
    public const int Width = 1280, Height = 960, FaceWidth = 300, Quality = 90;

    /// <summary>The default photos: frontal portraits of two different people.</summary>
    public static readonly string[] Sources = ["cage.jpg", "obama4_crop.jpg"];

    public static string ModelDirectory => FaceAssets.ModelDirectory;

    public static string PhotoDirectory => FaceAssets.PhotoDirectory;

    public static FaceOptions Options(int threads) => new() { ModelDirectory = ModelDirectory, IntraOpThreads = threads };

    public static FaceEngine LoadEngine(int threads)
    {
        var load = FaceEngine.Load(Options(threads));
        return load.Engine ?? throw new InvalidOperationException(load.Unavailable);
    }

    /// <summary>
    /// The 1280 × 960 JPEG made from <paramref name="source"/>: the detector finds the face in the original, the
    /// photo is scaled so that its box is <see cref="FaceWidth"/> wide and drawn with the face a little above the
    /// canvas's centre on a mid-grey background.
    /// </summary>
    public static byte[] Make(string source)
    {
        var path = Path.Combine(PhotoDirectory, source);
        if (!File.Exists(path))
            throw new FileNotFoundException($"Test photo {source} is missing: run scripts/face-photos.sh.", path);
        var bytes = File.ReadAllBytes(path);

        SKRect box;
        using (var models = FaceModels.Load(Options(2)))
        using (var original = FaceImage.TryDecode(bytes, 40_000_000, out _, out _)
            ?? throw new InvalidOperationException($"{source} cannot be decoded."))
        {
            var faces = models.Detect(original, 0.65f);
            if (faces.Count == 0)
                throw new InvalidOperationException($"No face was found in {source}.");
            box = faces.MaxBy(f => f.Box.Width).Box;
        }

        using var photo = SKImage.FromEncodedData(bytes);
        var scale = FaceWidth / box.Width;
        var left = Width / 2f - box.MidX * scale;
        var top = Height * 0.45f - box.MidY * scale;
        var info = new SKImageInfo(Width, Height, SKColorType.Rgba8888, SKAlphaType.Premul);
        using var surface = SKSurface.Create(info);
        surface.Canvas.Clear(new SKColor(128, 128, 128));
        surface.Canvas.DrawImage(photo, SKRect.Create(left, top, photo.Width * scale, photo.Height * scale),
            new SKSamplingOptions(SKCubicResampler.Mitchell), null);
        using var image = surface.Snapshot();
        using var data = image.Encode(SKEncodedImageFormat.Jpeg, Quality);
        return data.ToArray();
    }

    /// <summary>The name a made photo is written under: <c>cage_1280x960.jpg</c>.</summary>
    public static string FileName(string source) => $"{Path.GetFileNameWithoutExtension(source)}_{Width}x{Height}.jpg";
}
