using System.Diagnostics;
using System.Globalization;
using Gatehouse.Core.Decisions;
using Gatehouse.Faces;
using Gatehouse.Testing;

namespace Gatehouse.Benchmarks.Faces;

/// <summary>
/// <c>-- faces-door [--enrolled N] [--rounds N]</c>: a camera frame to a door decision, the way the device agent's
/// door controller takes it (<c>DoorController.DecideFace</c>): <see cref="FaceEngine.AnalyzeFrame"/> (decode, detect,
/// landmarks and alignment, liveness, template), the 1:N search of <see cref="FaceIndex"/> over N enrolled
/// templates, and the core's decision on the matched credential. N − 1 templates are synthetic unit vectors; one is
/// the real template of <c>franck_01829.jpg</c>, whose credential belongs to a user of the benchmark snapshot. The
/// frames are the other video frames of the same man (720 × 576, as a door camera's) and a stranger; p50 and p99
/// of each stage over every frame of every round.
/// </summary>
internal static class FaceDoorLatency
{
    private static readonly string[] Genuine =
    [
        "franck_02045.jpg", "franck_02159.jpg", "franck_02221.jpg", "franck_02683.jpg", "franck_02888.jpg",
        "franck_03909.jpg", "franck_03979.jpg", "franck_04000.jpg", "franck_04035.jpg", "franck_04117.jpg",
    ];

    public static void Run(string[] args)
    {
        var enrolled = Option(args, "--enrolled", 10_000);
        var rounds = Option(args, "--rounds", 20);
        using var engine = FacePhotos.LoadEngine(2);
        var data = BenchmarkData.Create(enrolled);
        var snapshot = AccessSnapshot.Build(data.Source);
        var enrolledTemplate = engine.Analyze(FaceAssets.Photo("franck_01829.jpg")).Template
            ?? throw new InvalidOperationException("franck_01829.jpg made no template");

        var random = new Random(7);
        var templates = new List<(Guid, FaceTemplate)>(enrolled) { (data.CredentialIds[0], enrolledTemplate) };
        for (var i = 1; i < enrolled; i++)
            templates.Add((data.CredentialIds[i], new FaceTemplate(engine.Model, RandomUnit(random, enrolledTemplate.Vector.Length))));
        var index = FaceIndex.Build(engine.Model, templates);
        var door = data.DoorOfUser[0];
        var threshold = engine.Options.Thresholds.Match;

        var frames = Genuine.Select(f => (Name: f, Bytes: FaceAssets.Photo(f), Genuine: true))
            .Append((Name: "cage.jpg", Bytes: FaceAssets.Photo("cage.jpg"), Genuine: false)).ToList();
        foreach (var frame in frames)
            engine.AnalyzeFrame(frame.Bytes);

        var stages = new Dictionary<string, List<double>>
        {
            ["decode"] = [], ["detect"] = [], ["landmarks + alignment"] = [], ["liveness"] = [], ["template"] = [],
            ["search"] = [], ["decision"] = [], ["total"] = [],
        };
        var outcomes = new Dictionary<string, int>();
        for (var r = 0; r < rounds; r++)
        {
            foreach (var frame in frames)
            {
                var start = Stopwatch.GetTimestamp();
                var analysis = engine.AnalyzeFrame(frame.Bytes);
                var searchStart = Stopwatch.GetTimestamp();
                var nearest = analysis.Template is { } probe ? index.Best(probe, float.MinValue) : null;
                var match = nearest is { } n && n.Similarity >= threshold ? nearest : null;
                var decisionStart = Stopwatch.GetTimestamp();
                AccessDecision? decision = match is { } m ? snapshot.DecideCredential(m.CredentialId, door, BenchmarkData.At) : null;
                var end = Stopwatch.GetTimestamp();

                var outcome = analysis.Rejection is { } rejected ? rejected.ToString()
                    : decision is not { } d ? "unknownCredential" : d.Reason.ToApiName();
                outcomes[$"{(frame.Genuine ? "enrolled person" : "stranger")}: {outcome}"] =
                    outcomes.GetValueOrDefault($"{(frame.Genuine ? "enrolled person" : "stranger")}: {outcome}") + 1;
                var t = analysis.Timings;
                stages["decode"].Add(t.Decode);
                stages["detect"].Add(t.Detect);
                stages["landmarks + alignment"].Add(t.Landmarks);
                stages["liveness"].Add(t.Liveness);
                stages["template"].Add(t.Template);
                stages["search"].Add(Stopwatch.GetElapsedTime(searchStart, decisionStart).TotalMilliseconds);
                stages["decision"].Add(Stopwatch.GetElapsedTime(decisionStart, end).TotalMilliseconds);
                stages["total"].Add(Stopwatch.GetElapsedTime(start, end).TotalMilliseconds);
            }
        }

        Console.WriteLine($"# Camera frame → door decision: {enrolled:N0} enrolled, {frames.Count} frames × {rounds} rounds, " +
            $"IntraOpThreads 2, {Environment.ProcessorCount} cores, load average {File.ReadAllText("/proc/loadavg").Split(' ')[0]}");
        Console.WriteLine("| Stage | p50 | p99 |");
        Console.WriteLine("|---|---:|---:|");
        foreach (var (stage, times) in stages)
            Console.WriteLine($"| {stage} | {F(Percentile(times, 0.50))} ms | {F(Percentile(times, 0.99))} ms |");
        foreach (var (outcome, count) in outcomes.OrderBy(o => o.Key, StringComparer.Ordinal))
            Console.WriteLine($"- {outcome}: {count}");
    }

    private static float[] RandomUnit(Random random, int dimension)
    {
        var v = new float[dimension];
        for (var i = 0; i < dimension; i++)
            v[i] = (float)(random.NextDouble() * 2 - 1);
        var norm = System.Numerics.Tensors.TensorPrimitives.Norm<float>(v);
        System.Numerics.Tensors.TensorPrimitives.Divide(v, norm, v);
        return v;
    }

    private static double Percentile(List<double> values, double p)
    {
        var sorted = values.Order().ToList();
        return sorted[Math.Min(sorted.Count - 1, (int)Math.Ceiling(p * sorted.Count) - 1)];
    }

    private static string F(double ms) => ms.ToString("0.00", CultureInfo.InvariantCulture);

    private static int Option(string[] args, string name, int fallback)
    {
        var i = Array.IndexOf(args, name);
        return i >= 0 && i + 1 < args.Length && int.TryParse(args[i + 1], CultureInfo.InvariantCulture, out var v) ? v : fallback;
    }
}
