using System.Globalization;
using System.Text.Json;
using Gatehouse.Faces;

namespace Gatehouse.Benchmarks.Faces;

/// <summary>
/// <c>-- faces [--runs N] [--warm-up N] [--threads N] [--out DIR]</c>: the median time of each stage of
/// <see cref="FaceEngine.Analyze"/> over N analyses of each benchmark photo, read from <see cref="FaceTimings"/>.
/// The photos are written to DIR as well (the peer pipeline in <c>bench/faces-peer</c> analyses the same bytes),
/// with the medians as <c>gatehouse.json</c>.
/// </summary>
internal static class FaceStages
{
    public static readonly string[] Stages = ["decode", "detect", "landmarks", "pose", "eyes", "liveness", "template", "total"];

    public static int Run(string[] args)
    {
        var runs = Option(args, "--runs", 51);
        var warmUp = Option(args, "--warm-up", 5);
        var threads = Option(args, "--threads", 2);
        var outIndex = Array.IndexOf(args, "--out");
        var output = outIndex >= 0 && outIndex + 1 < args.Length ? args[outIndex + 1] : Path.Combine("artifacts", "benchmarks", "faces");
        Directory.CreateDirectory(output);

        var engineLoad = System.Diagnostics.Stopwatch.StartNew();
        using var engine = FacePhotos.LoadEngine(threads);
        var loadMs = engineLoad.Elapsed.TotalMilliseconds;
        Console.WriteLine($"# Gatehouse face engine: stages, median of {runs} analyses after {warmUp} warm-up, IntraOpThreads {threads}");
        Console.WriteLine($"# {Environment.ProcessorCount} logical cores, load average {LoadAverage()}, .NET {Environment.Version}, models loaded in {loadMs:F0} ms");

        var results = new Dictionary<string, object>();
        foreach (var source in FacePhotos.Sources)
        {
            var photo = FacePhotos.Make(source);
            var file = FacePhotos.FileName(source);
            File.WriteAllBytes(Path.Combine(output, file), photo);

            var first = engine.Analyze(photo);
            if (!first.Succeeded)
                throw new InvalidOperationException($"{file} does not enroll: {first.Rejection} ({first.Detail}).");
            for (var i = 1; i < warmUp; i++)
                engine.Analyze(photo);

            var samples = new List<FaceTimings>(runs);
            for (var i = 0; i < runs; i++)
                samples.Add(engine.Analyze(photo).Timings);

            var medians = new Dictionary<string, double>
            {
                ["decode"] = Median(samples, t => t.Decode),
                ["detect"] = Median(samples, t => t.Detect),
                ["landmarks"] = Median(samples, t => t.Landmarks),
                ["pose"] = Median(samples, t => t.Pose),
                ["eyes"] = Median(samples, t => t.Eyes),
                ["liveness"] = Median(samples, t => t.Liveness),
                ["template"] = Median(samples, t => t.Template),
                ["total"] = Median(samples, t => t.Total),
            };
            var p90s = Stages.ToDictionary(stage => stage, stage => Percentile(samples.Select(Pick(stage)).ToList(), 0.9));
            // The metrics and the template let the peer check that it fed the models the same tensors.
            results[file] = new { median = medians, p90 = p90s, quality = first.Quality, template = first.Template!.Vector };

            var q = first.Quality;
            Console.WriteLine($"\n{file} ({photo.Length / 1024} KiB): face {q.FaceWidth} px, yaw {q.Yaw}, pitch {q.Pitch}, roll {q.Roll}, sharpness {q.Sharpness}, eyes {q.EyesOpen}, liveness {q.Liveness}");
            Console.WriteLine("| Stage | Median ms | p90 ms |");
            Console.WriteLine("|---|---:|---:|");
            foreach (var stage in Stages)
            {
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| {stage} | {medians[stage]:F2} | {p90s[stage]:F2} |"));
            }
        }

        var json = Path.Combine(output, "gatehouse.json");
        File.WriteAllText(json, JsonSerializer.Serialize(new
        {
            runs,
            threads,
            loadAverage = LoadAverage(),
            cores = Environment.ProcessorCount,
            modelLoadMs = loadMs,
            photos = results,
        }, new JsonSerializerOptions(JsonSerializerDefaults.Web) { WriteIndented = true }));
        Console.WriteLine($"\nWritten: {json}");
        return 0;
    }

    private static Func<FaceTimings, double> Pick(string stage) => stage switch
    {
        "decode" => t => t.Decode,
        "detect" => t => t.Detect,
        "landmarks" => t => t.Landmarks,
        "pose" => t => t.Pose,
        "eyes" => t => t.Eyes,
        "liveness" => t => t.Liveness,
        "template" => t => t.Template,
        _ => t => t.Total,
    };

    private static double Median(List<FaceTimings> samples, Func<FaceTimings, double> stage) =>
        Percentile(samples.Select(stage).ToList(), 0.5);

    private static double Percentile(List<double> values, double p)
    {
        values.Sort();
        var rank = p * (values.Count - 1);
        var low = (int)Math.Floor(rank);
        var high = (int)Math.Ceiling(rank);
        return values[low] + (values[high] - values[low]) * (rank - low);
    }

    private static int Option(string[] args, string name, int fallback)
    {
        var i = Array.IndexOf(args, name);
        return i >= 0 && i + 1 < args.Length ? int.Parse(args[i + 1], CultureInfo.InvariantCulture) : fallback;
    }

    private static string LoadAverage() =>
        File.Exists("/proc/loadavg") ? string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : "unknown";
}
