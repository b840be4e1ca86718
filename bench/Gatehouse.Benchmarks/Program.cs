using BenchmarkDotNet.Running;
using Gatehouse.Benchmarks;

// `-- retained` prints what a built snapshot keeps per credential; anything else goes to BenchmarkDotNet,
// e.g. `-- --filter '*Decision*' --job short`.
if (args is ["retained"])
{
    RetainedMemory.Run();
    return;
}

BenchmarkSwitcher.FromAssembly(typeof(DecisionBenchmarks).Assembly).Run(args);
