using BenchmarkDotNet.Attributes;
using Gatehouse.Core.Decisions;

namespace Gatehouse.Benchmarks;

/// <summary>
/// Compiling a snapshot from its source: users with one card each. "Allocated" is everything the build
/// allocates, garbage included; what the snapshot keeps is measured by <see cref="RetainedMemory"/>.
/// </summary>
[MemoryDiagnoser]
[MinColumn, MedianColumn]
public class SnapshotBuildBenchmarks
{
    private SnapshotSource _source = null!;

    [Params(100_000, 1_000_000)]
    public int Users { get; set; }

    [GlobalSetup]
    public void Setup() => _source = BenchmarkData.Create(Users).Source;

    [Benchmark(Description = "AccessSnapshot.Build")]
    public AccessSnapshot Build() => AccessSnapshot.Build(_source, BenchmarkData.Clock);
}
