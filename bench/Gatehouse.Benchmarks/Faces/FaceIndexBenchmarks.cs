using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using Gatehouse.Faces;

namespace Gatehouse.Benchmarks.Faces;

/// <summary>
/// One 1:N search (<see cref="FaceIndex"/>) among N synthetic 512-d unit vectors, on one thread, against the
/// memory-bandwidth floor measured in the same run: copying a buffer the size of the bytes the search reads (all
/// the floats for the exact search, all the int8 codes for the int8 search). The probe is a genuine one (a noisy
/// copy of an enrolled template, similarity about 0.6), searched at the door's threshold (0.42).
/// Target: ≤ 10 ms at 100,000 templates, ≤ 2 × the floor.
/// </summary>
[MemoryDiagnoser]
[GroupBenchmarksBy(BenchmarkLogicalGroupRule.ByCategory)]
[CategoriesColumn]
public class FaceIndexBenchmarks
{
    private const string Model = "fr_feature@bench";
    private const int Dimension = 512;

    private FaceIndex _index = null!;
    private FaceTemplate _probe = null!;
    private float[] _destination = null!;

    [Params(10_000, 100_000, 1_000_000)]
    public int Templates { get; set; } = 10_000;

    [GlobalSetup]
    public void Setup()
    {
        (_index, _probe, var enrolled) = FaceIndexData.Make(Templates, Dimension, Model);
        _destination = GC.AllocateUninitializedArray<float>(Templates * Dimension);
        var exact = _index.BestExact(_probe, 0.42f);
        var fast = _index.Search(_probe, 0.42f, out var fellBack);
        if (exact?.CredentialId != enrolled || fast != exact || fellBack)
            throw new InvalidOperationException($"The searches disagree or fell back: {exact} {fast} {fellBack}.");
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _index = null!;
        _destination = null!;
    }

    [BenchmarkCategory("float"), Benchmark(Baseline = true, Description = "Floor: copy the floats (N × 2 KiB)")]
    public void CopyFloats() => _index.Vectors.CopyTo(_destination);

    [BenchmarkCategory("float"), Benchmark(Description = "Exact float search")]
    public FaceMatch? Exact() => _index.BestExact(_probe, 0.42f);

    [BenchmarkCategory("int8"), Benchmark(Baseline = true, Description = "Floor: copy the int8 codes (N × 512 B)")]
    public void CopyCodes() => _index.Codes.CopyTo(System.Runtime.InteropServices.MemoryMarshal.Cast<float, sbyte>(_destination.AsSpan()));

    [BenchmarkCategory("int8"), Benchmark(Description = "Int8 pass + exact re-rank (FaceIndex.Best)")]
    public FaceMatch? Quantised() => _index.Best(_probe, 0.42f);
}

/// <summary>Building an index of N templates from scratch, and one change (one added, one removed) to it.</summary>
[MemoryDiagnoser]
public class FaceIndexBuildBenchmarks
{
    private const string Model = "fr_feature@bench";
    private (Guid, FaceTemplate)[] _templates = null!;
    private FaceIndex _index = null!;
    private (Guid, FaceTemplate) _added;

    [Params(10_000, 100_000)]
    public int Templates { get; set; } = 10_000;

    [GlobalSetup]
    public void Setup()
    {
        var random = new Random(Templates);
        _templates = Enumerable.Range(0, Templates).Select(_ => (FaceIndexData.Id(random), FaceIndexData.Unit(random, 512, Model))).ToArray();
        _index = FaceIndex.Build(Model, _templates);
        _added = (FaceIndexData.Id(random), FaceIndexData.Unit(random, 512, Model));
    }

    [Benchmark(Baseline = true, Description = "FaceIndex.Build (all N)")]
    public FaceIndex Build() => FaceIndex.Build(Model, _templates);

    [Benchmark(Description = "FaceIndex.Change (one added, one removed)")]
    public FaceIndex Change() => _index.Change([_added], [_templates[Templates / 2].Item1]);
}

/// <summary>Deterministic synthetic templates for the index benchmarks.</summary>
internal static class FaceIndexData
{
    /// <summary>An index of <paramref name="count"/> random unit vectors, a genuine probe and the id it should find.</summary>
    public static (FaceIndex Index, FaceTemplate Probe, Guid Enrolled) Make(int count, int dimension, string model)
    {
        var random = new Random(count);
        var ids = new Guid[count];
        var vectors = GC.AllocateUninitializedArray<float>(count * dimension);
        for (var row = 0; row < count; row++)
        {
            ids[row] = Id(random);
            Fill(random, vectors.AsSpan(row * dimension, dimension));
        }

        var target = count * 2 / 3;
        var noise = new float[dimension];
        Fill(random, noise);
        var probe = new float[dimension];
        for (var i = 0; i < dimension; i++)
            probe[i] = 0.6f * vectors[target * dimension + i] + 0.8f * noise[i];
        Normalise(probe);
        return (FaceIndex.FromContiguous(model, ids, vectors), new FaceTemplate(model, probe), ids[target]);
    }

    public static FaceTemplate Unit(Random random, int dimension, string model)
    {
        var vector = new float[dimension];
        Fill(random, vector);
        return new FaceTemplate(model, vector);
    }

    public static Guid Id(Random random)
    {
        Span<byte> bytes = stackalloc byte[16];
        random.NextBytes(bytes);
        return new Guid(bytes);
    }

    private static void Fill(Random random, Span<float> vector)
    {
        for (var i = 0; i < vector.Length; i++)
            vector[i] = random.NextSingle() * 2 - 1;
        Normalise(vector);
    }

    private static void Normalise(Span<float> vector)
    {
        var norm = MathF.Sqrt(System.Numerics.Tensors.TensorPrimitives.Dot<float>(vector, vector));
        System.Numerics.Tensors.TensorPrimitives.Divide(vector, norm, vector);
    }
}
