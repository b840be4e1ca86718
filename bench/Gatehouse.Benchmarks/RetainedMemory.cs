using System.Diagnostics;
using Gatehouse.Core.Decisions;

namespace Gatehouse.Benchmarks;

/// <summary>
/// What a built snapshot keeps in memory, per credential: the managed heap after a full collection with
/// the source alive, before and after building (the snapshot kept alive too). BenchmarkDotNet's
/// "Allocated" counts the build's garbage as well, so it cannot tell this.
/// </summary>
internal static class RetainedMemory
{
    public static void Run()
    {
        Console.WriteLine("| Users (one card each) | Retained by snapshot | Bytes per credential | Allocated while building | Build, cold | Build, warm |");
        Console.WriteLine("|---:|---:|---:|---:|---:|---:|");
        foreach (var users in new[] { 100_000, 1_000_000 })
        {
            var source = BenchmarkData.Create(users).Source;

            var cold = Stopwatch.StartNew();
            var warmup = AccessSnapshot.Build(source, BenchmarkData.Clock);
            cold.Stop();
            GC.KeepAlive(warmup);
            warmup = null;

            var before = HeapAfterFullCollection();
            var allocatedBefore = GC.GetAllocatedBytesForCurrentThread();
            var warm = Stopwatch.StartNew();
            var snapshot = AccessSnapshot.Build(source, BenchmarkData.Clock);
            warm.Stop();
            var allocated = GC.GetAllocatedBytesForCurrentThread() - allocatedBefore;
            var after = HeapAfterFullCollection();

            var retained = after - before;
            Console.WriteLine(
                $"| {users:N0} | {retained / 1024.0 / 1024.0:N1} MiB | {(double)retained / snapshot.CredentialCount:N0} " +
                $"| {allocated / 1024.0 / 1024.0:N1} MiB | {cold.Elapsed.TotalMilliseconds:N0} ms | {warm.Elapsed.TotalMilliseconds:N0} ms |");
            GC.KeepAlive(snapshot);
            GC.KeepAlive(source);
        }
    }

    private static long HeapAfterFullCollection()
    {
        GC.Collect(2, GCCollectionMode.Forced, blocking: true, compacting: true);
        GC.WaitForPendingFinalizers();
        GC.Collect(2, GCCollectionMode.Forced, blocking: true, compacting: true);
        return GC.GetTotalMemory(forceFullCollection: true);
    }
}
