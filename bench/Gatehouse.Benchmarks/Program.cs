using BenchmarkDotNet.Running;
using Gatehouse.Benchmarks;
using BenchmarkDotNet.Configs;
using Gatehouse.Benchmarks.Faces;
using Gatehouse.Benchmarks.Mobile;

// `-- retained` prints what a built snapshot keeps per credential; `-- faces [--runs N] [--out DIR]` prints the
// median time of each stage of the face analysis; `-- faces-eval` the evaluation of docs/face.md; `-- faces-door` a camera frame to a door decision; `-- faces-snapshot` a snapshot of faces beside cards; anything else goes to BenchmarkDotNet,
// `-- mobile [BenchmarkDotNet options]` the phone QR token and frame scan suites (docs/benchmarks.md, "Mobile");
// e.g. `-- --filter '*Decision*' --job short`.
if (args is ["retained"])
{
    RetainedMemory.Run();
    return;
}

if (args is ["faces-snapshot", ..])
{
    FaceSnapshotSize.Run(args[1..]);
    return;
}

if (args is ["faces-door", ..])
{
    FaceDoorLatency.Run(args[1..]);
    return;
}

if (args is ["faces-eval"])
{
    FaceEvaluation.Run();
    return;
}

if (args is ["mobile", ..])
{
    BenchmarkSwitcher.FromTypes([typeof(MobileTokenBenchmarks), typeof(QrFrameBenchmarks)]).RunAll(DefaultConfig.Instance, args[1..]);
    return;
}

if (args is ["faces", ..])
{
    FaceStages.Run(args[1..]);
    return;
}

BenchmarkSwitcher.FromAssembly(typeof(DecisionBenchmarks).Assembly).Run(args);
