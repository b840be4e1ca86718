using BenchmarkDotNet.Attributes;
using Gatehouse.Faces;

namespace Gatehouse.Benchmarks.Faces;

/// <summary>
/// The whole analysis of one 1280 × 960 JPEG (<see cref="FacePhotos"/>) that enrolls — decode, detect, landmarks,
/// pose, alignment and quality, eyes, liveness, template and thumbnail — against decoding the same JPEG alone
/// (the baseline: pure CPU, one thread, no model). Target: ≤ 50 ms on 2 cores.
/// </summary>
[MemoryDiagnoser]
public class FaceAnalysisBenchmarks
{
    private FaceEngine _engine = null!;
    private byte[] _photo = null!;

    [Params("cage.jpg", "obama4_crop.jpg")]
    public string Photo { get; set; } = "cage.jpg";

    [Params(2)]
    public int Threads { get; set; } = 2;

    [GlobalSetup]
    public void Setup()
    {
        _photo = FacePhotos.Make(Photo);
        _engine = FacePhotos.LoadEngine(Threads);
        var analysis = _engine.Analyze(_photo);
        if (!analysis.Succeeded)
            throw new InvalidOperationException($"The benchmark photo made from {Photo} does not enroll: {analysis.Rejection} ({analysis.Detail}).");
    }

    [GlobalCleanup]
    public void Cleanup() => _engine.Dispose();

    [Benchmark(Baseline = true, Description = "Decode only (SkiaSharp, EXIF upright)")]
    public int Decode()
    {
        using var image = FaceImage.TryDecode(_photo, _engine.Options.MaxImagePixels, out _, out _);
        return image!.Width;
    }

    [Benchmark(Description = "FaceEngine.Analyze (whole analysis)")]
    public FaceAnalysis Analyze() => _engine.Analyze(_photo);
}
