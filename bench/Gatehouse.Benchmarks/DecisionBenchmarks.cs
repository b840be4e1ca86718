using BenchmarkDotNet.Attributes;
using Gatehouse.Core;
using Gatehouse.Core.Decisions;

namespace Gatehouse.Benchmarks;

/// <summary>
/// One access decision against a snapshot of 1,000,000 cards, next to a bare dictionary lookup of the
/// same keys in the same order (the baseline). Each operation looks up a different credential in a
/// shuffled order: over all 1,000,000 (<see cref="Spread"/> = 1,000,000: every lookup misses the caches,
/// as at a busy site with many cardholders) or over 4,096 of them (the same tables, but the touched
/// lines stay in cache, which shows the cost of the work itself).
/// </summary>
[MemoryDiagnoser]
[MinColumn, MedianColumn]
public class DecisionBenchmarks
{
    private const int Batch = 1024;
    private const int Credentials = 1_000_000;

    private AccessSnapshot _snapshot = null!;
    private Dictionary<ulong, int> _dictionary = null!;
    private ulong[] _probeNumbers = null!;
    private CredentialKey[] _probeKeys = null!;
    private Guid[] _probeDoors = null!;
    private Guid[] _probeCredentialIds = null!;
    private int _cursor;

    [Params(1_000_000, 4_096)]
    public int Spread { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        var data = BenchmarkData.Create(Credentials);
        _snapshot = AccessSnapshot.Build(data.Source, BenchmarkData.Clock);
        _dictionary = new Dictionary<ulong, int>(Credentials);
        for (var i = 0; i < Credentials; i++)
        {
            _dictionary.Add(data.Keys[i].Low, i);
        }

        var order = BenchmarkData.Shuffled(Credentials);
        _probeNumbers = new ulong[Spread + Batch];
        _probeKeys = new CredentialKey[Spread + Batch];
        _probeDoors = new Guid[Spread + Batch];
        _probeCredentialIds = new Guid[Spread + Batch];
        for (var i = 0; i < _probeKeys.Length; i++)
        {
            var user = order[i % Spread];
            _probeNumbers[i] = data.Keys[user].Low;
            _probeKeys[i] = data.Keys[user];
            _probeDoors[i] = data.DoorOfUser[user];
            _probeCredentialIds[i] = data.CredentialIds[user];
        }

        if (_snapshot.Decide(_probeKeys[0], _probeDoors[0], BenchmarkData.At).Reason != AccessReason.Granted)
        {
            throw new InvalidOperationException("The benchmark's decisions should take the full path to a grant.");
        }
    }

    [Benchmark(Baseline = true, OperationsPerInvoke = Batch, Description = "Dictionary<ulong,int> lookup")]
    public int DictionaryLookup()
    {
        var start = NextBatch();
        var found = 0;
        for (var i = start; i < start + Batch; i++)
        {
            if (_dictionary.TryGetValue(_probeNumbers[i], out var index))
            {
                found += index;
            }
        }

        return found;
    }

    [Benchmark(OperationsPerInvoke = Batch, Description = "Decide (card key)")]
    public int DecideCard()
    {
        var start = NextBatch();
        var granted = 0;
        var at = BenchmarkData.At;
        for (var i = start; i < start + Batch; i++)
        {
            if (_snapshot.Decide(in _probeKeys[i], _probeDoors[i], at).Granted)
            {
                granted++;
            }
        }

        return granted;
    }

    [Benchmark(OperationsPerInvoke = Batch, Description = "DecideCredential (by ID)")]
    public int DecideById()
    {
        var start = NextBatch();
        var granted = 0;
        var at = BenchmarkData.At;
        for (var i = start; i < start + Batch; i++)
        {
            if (_snapshot.DecideCredential(_probeCredentialIds[i], _probeDoors[i], at).Granted)
            {
                granted++;
            }
        }

        return granted;
    }

    private int NextBatch()
    {
        var start = _cursor;
        _cursor = start + Batch >= Spread ? start + Batch - Spread : start + Batch;
        return start;
    }
}
