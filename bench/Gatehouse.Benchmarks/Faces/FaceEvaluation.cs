using System.Globalization;
using System.Text.Json;
using Gatehouse.Faces;
using Gatehouse.Testing;

namespace Gatehouse.Benchmarks.Faces;

/// <summary>
/// <c>-- faces-eval</c>: the figures of the evaluation in <c>docs/face.md</c>. Matching: the similarity of every
/// pair of the labelled single-face photos (<see cref="FaceAssets.Identities"/>), with every quality check off so
/// that the threshold is judged on all of them, and the false accepts and rejects at thresholds around the
/// default. Quality: the verdict and metrics of every test photo under the default thresholds.
/// </summary>
internal static class FaceEvaluation
{
    public static void Run()
    {
        var match = new FaceThresholds().Match;
        Console.WriteLine("## Matching (quality checks off)");
        var templates = new Dictionary<string, FaceTemplate>();
        using (var permissive = Load(new FaceThresholds
        {
            MinFaceWidth = 16, MaxYaw = 90, MaxPitch = 90, MinSharpness = 0, MaxSharpness = 100_000, MinBrightness = 0,
            MaxBrightness = 255, MinEyesOpen = 0, MinLiveness = 0,
        }))
        {
            foreach (var photo in FaceAssets.Identities.Keys.Order(StringComparer.Ordinal))
                templates[photo] = permissive.Analyze(FaceAssets.Photo(photo)).Template ?? throw new InvalidOperationException($"{photo} made no template");
        }

        var genuine = new List<(float Score, string Pair)>();
        var impostor = new List<(float Score, string Pair)>();
        var names = templates.Keys.ToList();
        for (var i = 0; i < names.Count; i++)
        {
            for (var j = i + 1; j < names.Count; j++)
            {
                var score = templates[names[i]].Similarity(templates[names[j]]);
                var same = FaceAssets.Identities[names[i]] == FaceAssets.Identities[names[j]];
                (same ? genuine : impostor).Add((score, $"{names[i]} ~ {names[j]}"));
            }
        }

        Console.WriteLine($"{names.Count} photos of {FaceAssets.Identities.Values.Distinct().Count()} people");
        Console.WriteLine("| | pairs | min | median | max |");
        Console.WriteLine("|---|---:|---:|---:|---:|");
        Row("same person", genuine);
        Row("different people", impostor);
        Console.WriteLine($"lowest same-person pair: {genuine.MinBy(g => g.Score).Pair} {F(genuine.Min(g => g.Score))}");
        Console.WriteLine($"highest different-people pair: {impostor.MaxBy(g => g.Score).Pair} {F(impostor.Max(g => g.Score))}");
        Console.WriteLine();
        Console.WriteLine("| threshold | false accepts | false rejects |");
        Console.WriteLine("|---:|---:|---:|");
        foreach (var t in new[] { 0.30f, 0.35f, 0.40f, match, 0.45f, 0.50f, 0.60f }.Distinct().Order())
        {
            var marker = Math.Abs(t - match) < 1e-6 ? " (default)" : "";
            Console.WriteLine($"| {F(t)}{marker} | {impostor.Count(p => p.Score >= t)} of {impostor.Count} | {genuine.Count(p => p.Score < t)} of {genuine.Count} |");
        }

        Console.WriteLine();
        Console.WriteLine("## Quality (default thresholds)");
        Console.WriteLine("| photo | verdict | faces | width | yaw / pitch | sharpness | brightness | eyes open | liveness |");
        Console.WriteLine("|---|---|---:|---:|---|---:|---:|---:|---:|");
        using var strict = Load(new FaceThresholds());
        var photos = FaceAssets.Identities.Keys.Concat(FaceAssets.NonFaces).Concat(FaceAssets.GroupPhotos).Order(StringComparer.OrdinalIgnoreCase);
        foreach (var photo in photos)
        {
            var a = strict.Analyze(FaceAssets.Photo(photo));
            var q = a.Quality;
            var verdict = a.Rejection is { } r ? JsonSerializer.Serialize(r).Trim('"') : "enrolls";
            Console.WriteLine($"| {photo} | {verdict} | {q.FacesFound} | {q.FaceWidth} | {F(q.Yaw)} / {F(q.Pitch)} | {F(q.Sharpness)} | {F(q.Brightness)} | {F(q.EyesOpen)} | {F(q.Liveness)} |");
        }
    }

    private static FaceEngine Load(FaceThresholds thresholds)
    {
        var load = FaceEngine.Load(new FaceOptions { ModelDirectory = FaceAssets.ModelDirectory, Thresholds = thresholds });
        return load.Engine ?? throw new InvalidOperationException(load.Unavailable);
    }

    private static void Row(string label, List<(float Score, string Pair)> pairs)
    {
        var scores = pairs.Select(p => p.Score).Order().ToList();
        Console.WriteLine($"| {label} | {scores.Count} | {F(scores[0])} | {F(scores[scores.Count / 2])} | {F(scores[^1])} |");
    }

    private static string F(float? value) => value is { } v ? v.ToString("0.###", CultureInfo.InvariantCulture) : "";
}
