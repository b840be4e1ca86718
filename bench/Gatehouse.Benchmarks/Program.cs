using BenchmarkDotNet.Running;
using Gatehouse.Benchmarks;
using Gatehouse.Benchmarks.Faces;

// `-- retained` prints what a built snapshot keeps per credential; `-- faces [--runs N] [--out DIR]` prints the
// median time of each stage of the face analysis; `-- faces-eval` the evaluation of docs/face.md; `-- faces-door` a camera frame to a door decision; `-- faces-snapshot` a snapshot of faces beside cards; anything else goes to BenchmarkDotNet,
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

if (args is ["faces", ..])
{
    FaceStages.Run(args[1..]);
    return;
}

BenchmarkSwitcher.FromAssembly(typeof(DecisionBenchmarks).Assembly).Run(args);
