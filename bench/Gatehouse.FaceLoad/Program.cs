using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using SkiaSharp;

namespace Gatehouse.FaceLoad;

/// <summary>
/// Enrollment under load: rounds of N concurrent face uploads (<c>POST /api/v1/users/{id}/credentials/faces</c>,
/// multipart <c>photo</c> and <c>consent=true</c>), each to a new user, against a Gatehouse server running as a
/// process of its own, whose resident memory is read from <c>/proc/PID/status</c> (VmRSS sampled every 20 ms, and
/// VmHWM, the kernel's peak). <c>bench/faces/load.sh</c> starts the server and runs this tool.
/// </summary>
internal static class FaceLoadProgram
{
    private const string Usage = """
        Usage: Gatehouse.FaceLoad run --base URL --email E --password P --pid PID --photo FILE [--photo FILE …]
                                      [--concurrency 20]
               Each --photo is one round: that many uploads of that photo at once, each for a new user.
               Gatehouse.FaceLoad make-photo SOURCE WIDTHxHEIGHT OUT
               Draws SOURCE (a portrait) on a WIDTH×HEIGHT canvas, its height 70 % of the canvas, as a JPEG (q 90).
        """;

    public static async Task<int> Main(string[] args)
    {
        if (args is ["make-photo", var source, var size, var output])
        {
            var parts = size.Split('x');
            MakePhoto(source, int.Parse(parts[0], CultureInfo.InvariantCulture), int.Parse(parts[1], CultureInfo.InvariantCulture), output);
            return 0;
        }
        if (args is not ["run", ..])
        {
            Console.Error.WriteLine(Usage);
            return 2;
        }

        var options = new List<(string Name, string Value)>();
        for (var i = 1; i + 1 < args.Length; i += 2)
            options.Add((args[i], args[i + 1]));
        string One(string name) => options.LastOrDefault(o => o.Name == name).Value
            ?? throw new ArgumentException($"{name} is required.\n{Usage}");
        var baseUrl = new Uri(One("--base").TrimEnd('/') + "/");
        var pid = int.Parse(One("--pid"), CultureInfo.InvariantCulture);
        var concurrency = options.Any(o => o.Name == "--concurrency") ? int.Parse(One("--concurrency"), CultureInfo.InvariantCulture) : 20;
        var photos = options.Where(o => o.Name == "--photo").Select(o => o.Value).ToList();
        if (photos.Count == 0)
            throw new ArgumentException($"At least one --photo is required.\n{Usage}");

        using var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = concurrency + 4 })
        {
            BaseAddress = baseUrl,
            Timeout = TimeSpan.FromMinutes(10),
        };
        var signIn = await http.PostAsJsonAsync("api/v1/auth/token", new { email = One("--email"), password = One("--password") });
        signIn.EnsureSuccessStatusCode();
        var token = (await signIn.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("accessToken").GetString();
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);

        Console.WriteLine($"# Gatehouse face enrollment under load: {concurrency} concurrent uploads per round, server PID {pid}");
        Console.WriteLine($"# {Environment.ProcessorCount} cores, load average {LoadAverage()}");
        Console.WriteLine($"Server after start: {Describe(Memory(pid))}");

        // One upload first: the server's first analysis loads the models and compiles its code paths.
        var warmUser = await NewUserAsync(http, "warm-up");
        var warm = await UploadAsync(http, warmUser, await File.ReadAllBytesAsync(photos[0]), Path.GetFileName(photos[0]));
        Console.WriteLine($"Warm-up upload: {(int)warm.Status} in {warm.Milliseconds:F0} ms; server: {Describe(Memory(pid))}");

        Console.WriteLine();
        Console.WriteLine("| Round | Photo | Answered | Status codes | p50 | p90 | max | Wall time | VmRSS before | VmRSS peak (sampled) | VmHWM after | VmRSS after |");
        Console.WriteLine("|---:|---|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|");
        var failed = false;
        for (var round = 0; round < photos.Count; round++)
        {
            var bytes = await File.ReadAllBytesAsync(photos[round]);
            var name = Path.GetFileName(photos[round]);
            var users = new List<Guid>();
            for (var i = 0; i < concurrency; i++)
                users.Add(await NewUserAsync(http, $"r{round}u{i}"));

            var before = Memory(pid);
            using var stop = new CancellationTokenSource();
            var sampler = Task.Run(async () =>
            {
                long peak = 0;
                while (!stop.IsCancellationRequested)
                {
                    peak = Math.Max(peak, Memory(pid).RssKiB);
                    await Task.Delay(20, CancellationToken.None);
                }
                return peak;
            });

            var clock = Stopwatch.StartNew();
            var start = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            var uploads = users.Select(async user =>
            {
                await start.Task;
                return await UploadAsync(http, user, bytes, name);
            }).ToList();
            start.SetResult();
            var results = await Task.WhenAll(uploads);
            var wall = clock.Elapsed.TotalMilliseconds;
            await stop.CancelAsync();
            var sampledPeak = await sampler;
            var after = Memory(pid);

            var answered = results.Count(r => r.Status != 0);
            var codes = string.Join(", ", results.GroupBy(r => r.Status).OrderBy(g => g.Key).Select(g => $"{(int)g.Key}×{g.Count()}"));
            var ms = results.Select(r => r.Milliseconds).Order().ToList();
            failed |= results.Any(r => r.Status != HttpStatusCode.Created);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"| {round + 1} | {name} ({bytes.Length / 1024} KiB) | {answered}/{concurrency} | {codes} | {Percentile(ms, 0.5):F0} ms | {Percentile(ms, 0.9):F0} ms | {ms[^1]:F0} ms | {wall:F0} ms | {Mib(before.RssKiB)} | {Mib(Math.Max(sampledPeak, after.RssKiB))} | {Mib(after.HwmKiB)} | {Mib(after.RssKiB)} |"));
            foreach (var r in results.Where(r => r.Status != HttpStatusCode.Created).Take(3))
                Console.WriteLine($"  {(int)r.Status}: {r.Body}");
        }

        Console.WriteLine($"\nServer at the end: {Describe(Memory(pid))}; load average {LoadAverage()}");
        return failed ? 1 : 0;
    }

    private static async Task<Guid> NewUserAsync(HttpClient http, string name)
    {
        var response = await http.PostAsJsonAsync("api/v1/users", new { firstName = "Load", lastName = name, status = "active" });
        response.EnsureSuccessStatusCode();
        return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid();
    }

    private static async Task<Upload> UploadAsync(HttpClient http, Guid user, byte[] photo, string name)
    {
        using var form = new MultipartFormDataContent();
        var file = new ByteArrayContent(photo);
        file.Headers.ContentType = new MediaTypeHeaderValue("image/jpeg");
        form.Add(file, "photo", name);
        form.Add(new StringContent("true"), "consent");
        var clock = Stopwatch.StartNew();
        try
        {
            using var response = await http.PostAsync($"api/v1/users/{user}/credentials/faces", form);
            var body = await response.Content.ReadAsStringAsync();
            return new Upload(response.StatusCode, clock.Elapsed.TotalMilliseconds, body.Length > 300 ? body[..300] : body);
        }
        catch (HttpRequestException e)
        {
            return new Upload(0, clock.Elapsed.TotalMilliseconds, e.Message);
        }
    }

    private static (long RssKiB, long HwmKiB) Memory(int pid)
    {
        long rss = 0, hwm = 0;
        try
        {
            foreach (var line in File.ReadLines($"/proc/{pid}/status"))
            {
                if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
                    rss = Kib(line);
                else if (line.StartsWith("VmHWM:", StringComparison.Ordinal))
                    hwm = Kib(line);
            }
        }
        catch (IOException)
        {
            // The server has gone; 0 says so.
        }
        return (rss, hwm);

        static long Kib(string line) => long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture);
    }

    private static string Describe((long RssKiB, long HwmKiB) memory) => $"VmRSS {Mib(memory.RssKiB)}, VmHWM {Mib(memory.HwmKiB)}";

    private static string Mib(long kib) => string.Create(CultureInfo.InvariantCulture, $"{kib / 1024.0:F0} MiB");

    private static double Percentile(List<double> sorted, double p) => sorted[(int)Math.Round(p * (sorted.Count - 1))];

    private static string LoadAverage() =>
        File.Exists("/proc/loadavg") ? string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : "unknown";

    private static void MakePhoto(string source, int width, int height, string output)
    {
        using var photo = SKImage.FromEncodedData(source) ?? throw new InvalidOperationException($"{source} cannot be decoded.");
        var scale = height * 0.7f / photo.Height;
        var (w, h) = (photo.Width * scale, photo.Height * scale);
        using var surface = SKSurface.Create(new SKImageInfo(width, height, SKColorType.Rgba8888, SKAlphaType.Premul));
        surface.Canvas.Clear(new SKColor(128, 128, 128));
        surface.Canvas.DrawImage(photo, SKRect.Create((width - w) / 2, (height - h) / 2, w, h), new SKSamplingOptions(SKCubicResampler.Mitchell), null);
        using var image = surface.Snapshot();
        using var data = image.Encode(SKEncodedImageFormat.Jpeg, 90);
        File.WriteAllBytes(output, data.ToArray());
    }

    private sealed record Upload(HttpStatusCode Status, double Milliseconds, string Body);
}
