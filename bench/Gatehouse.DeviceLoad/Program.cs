using System.Globalization;
using System.Runtime.InteropServices;

namespace Gatehouse.DeviceLoad;

/// <summary>
/// The device load tool: the real server and real device agents in this process, on loopback, measured the way
/// docs/benchmarks.md reports them; bench/devices/run.sh builds it in Release and runs it on both brokers. A
/// named class, not top-level statements, so it does not clash with the server's <c>Program</c>.
/// </summary>
internal static class DeviceLoadProgram
{
    private const string Usage = """
        Usage: Gatehouse.DeviceLoad <revocation|snapshot|events|cloudkey|mobile|all> [options]
          --broker HOST:PORT;USER;PASSWORD   an external broker (Mosquitto with dynamic security) instead of the in-process one
          --devices N        devices of the revocation run (50) and of the event run (20)
          --revocations N    revocations measured (200), after --warm-up N more (10)
          --credential KIND  what the revocation run revokes: card, face or mobile (card)
          --credentials N    card holders in the snapshot (100000), over --runs N new devices (5)
          --events N         events in the burst (100000)
          --concurrency N    concurrent HTTP workers of the Cloud Key and mobile runs (16), for --seconds N per measured run (15)
                             after --warm-up-seconds N of each (5)
        """;

    public static async Task<int> Main(string[] args)
    {
        if (args.Length == 0 || args[0] is not ("revocation" or "snapshot" or "events" or "cloudkey" or "mobile" or "all"))
        {
            Console.Error.WriteLine(Usage);
            return 2;
        }

        var options = new Dictionary<string, string>(StringComparer.Ordinal);
        for (var i = 1; i < args.Length; i++)
        {
            if (!args[i].StartsWith("--", StringComparison.Ordinal) || i + 1 >= args.Length)
            {
                Console.Error.WriteLine($"Unexpected argument {args[i]}.\n{Usage}");
                return 2;
            }

            options[args[i]] = args[++i];
        }

        var kind = RevokedKind.Card;
        if (options.TryGetValue("--credential", out var kindText) && !Enum.TryParse(kindText, ignoreCase: true, out kind))
        {
            Console.Error.WriteLine($"--credential must be card, face or mobile.\n{Usage}");
            return 2;
        }

        BrokerSettings? broker = null;
        if (options.TryGetValue("--broker", out var brokerText) && !BrokerSettings.TryParse(brokerText, out broker))
        {
            Console.Error.WriteLine($"--broker must be HOST:PORT;USER;PASSWORD.\n{Usage}");
            return 2;
        }

        int Number(string name, int fallback) =>
            options.TryGetValue(name, out var text) ? int.Parse(text, CultureInfo.InvariantCulture) : fallback;

        // The hosted server finds its content root through the manifest beside this tool, which the hosting
        // factory looks for in the working directory.
        Directory.SetCurrentDirectory(AppContext.BaseDirectory);

        var scenario = args[0];
        var output = Console.Out;
        output.WriteLine($"# Gatehouse device load — {scenario}");
        output.WriteLine($"{Environment.ProcessorCount} logical cores, {RuntimeInformation.OSDescription}, .NET {Environment.Version}, "
            + $"{(System.Runtime.GCSettings.IsServerGC ? "server" : "workstation")} GC, load average at start {LoadAverage()}.");
#if DEBUG
        output.WriteLine("WARNING: a Debug build; figures come from Release builds (bench/devices/run.sh).");
#endif
        output.WriteLine();

        if (scenario is "revocation" or "all")
        {
            await using var server = await LoadServer.StartAsync(broker);
            await new RevocationBenchmark(server, Number("--devices", 50), Number("--revocations", 200), Number("--warm-up", 10), output, kind).RunAsync();
        }

        if (scenario is "snapshot" or "all")
        {
            await using var server = await LoadServer.StartAsync(broker);
            await new SnapshotBenchmark(server, Number("--credentials", 100_000), Number("--runs", 5), output).RunAsync();
        }

        if (scenario is "events" or "all")
        {
            await using var server = await LoadServer.StartAsync(broker);
            await new EventIngestionBenchmark(server, Number("--devices", 20), Number("--events", 100_000), output).RunAsync();
        }

        if (scenario is "cloudkey" or "all")
        {
            await using var server = await LoadServer.StartAsync(broker);
            await new CloudKeyBenchmark(
                server, Number("--concurrency", 16), TimeSpan.FromSeconds(Number("--seconds", 15)), TimeSpan.FromSeconds(Number("--warm-up-seconds", 5)), output)
                .RunAsync();
        }

        if (scenario is "mobile" or "all")
        {
            await using var server = await LoadServer.StartAsync(broker);
            await new MobileBenchmark(
                server, Number("--concurrency", 16), TimeSpan.FromSeconds(Number("--seconds", 15)), TimeSpan.FromSeconds(Number("--warm-up-seconds", 5)), output)
                .RunAsync();
        }

        output.WriteLine($"Load average at the end: {LoadAverage()}.");
        return 0;
    }

    private static string LoadAverage() =>
        File.Exists("/proc/loadavg") ? string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : "unknown";
}
