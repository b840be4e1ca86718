using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text.Json;
using Gatehouse.Device.Tests.Integration;

namespace Gatehouse.Device.Tests.Reliability;

/// <summary>
/// A real Mosquitto that a test starts, kills and starts again itself: its dynamic-security plugin on a
/// loopback port, in a folder of its own, with an administrator account that may manage the plugin and
/// publish and subscribe under <c>gatehouse/#</c> (what the server needs; see <c>scripts/services.sh</c>).
/// Without persistence, as the test script runs it: a restart loses every session and queued message, while
/// the device accounts survive in the plugin's file — the hardest restart a device can meet.
/// </summary>
public sealed class MosquittoBroker : IAsyncDisposable
{
    public const string AdminUsername = "admin";

    private static readonly string? Binary = Find("mosquitto", ["/usr/sbin", "/usr/local/sbin"]);
    private static readonly string? Plugin = FindPlugin();

    private readonly string _directory = Path.Combine(Path.GetTempPath(), "gatehouse-device-tests", "mosquitto-" + Guid.NewGuid().ToString("N"));
    private Process? _process;

    public MosquittoBroker()
    {
        Port = LoopbackPort.Free();
        AdminPassword = Convert.ToHexString(RandomNumberGenerator.GetBytes(12));
    }

    /// <summary>Null when Mosquitto can run here, else why not (the reason a test is skipped).</summary>
    public static string? Missing =>
        Binary is null ? "the mosquitto binary is not installed (Debian: apt-get install mosquitto; test.sh installs it)"
        : Plugin is null ? "Mosquitto's dynamic-security plugin (mosquitto_dynamic_security.so) is not installed"
        : null;

    public int Port { get; }

    public string AdminPassword { get; }

    public bool IsRunning => _process is { HasExited: false };

    /// <summary>The server's account, as <see cref="GatehouseServer(string?)"/> takes it.</summary>
    public string ServerAccount => $"127.0.0.1:{Port};{AdminUsername};{AdminPassword}";

    /// <summary>The broker's own log, for a failing test's message.</summary>
    public string Log => File.Exists(LogFile) ? File.ReadAllText(LogFile) : "";

    private string LogFile => Path.Combine(_directory, "mosquitto.log");

    /// <summary>Starts the broker (again, on the same port and plugin file) and waits until it accepts connections.</summary>
    public async Task StartAsync()
    {
        if (Missing is { } missing)
        {
            throw new InvalidOperationException($"Mosquitto cannot run here: {missing}.");
        }

        if (IsRunning)
        {
            return;
        }

        var config = Path.Combine(_directory, "mosquitto.conf");
        var dynamicSecurity = Path.Combine(_directory, "dynamic-security.json");
        if (!Directory.Exists(_directory))
        {
            Directory.CreateDirectory(_directory);
            await File.WriteAllTextAsync(dynamicSecurity, InitialDynamicSecurity(AdminPassword));

            // Run as root, Mosquitto would switch to its own user, which cannot write the plugin's file here:
            // "user root" keeps it as it is (the option means nothing when not started as root).
            await File.WriteAllLinesAsync(config,
            [
                "per_listener_settings false",
                $"listener {Port} 127.0.0.1",
                "allow_anonymous false",
                $"plugin {Plugin}",
                $"plugin_opt_config_file {dynamicSecurity}",
                "max_queued_messages 200000",
                "max_inflight_messages 100",
                "persistence false",
                "user root",
                $"log_dest file {LogFile}",
            ]);
        }

        var process = Process.Start(new ProcessStartInfo(Binary!, ["-c", config])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        })!;
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        _process = process;

        await Eventually.HoldsAsync(
            async () =>
            {
                if (process.HasExited)
                {
                    Assert.Fail($"Mosquitto exited with {process.ExitCode}: {Log}");
                }

                using var probe = new TcpClient();
                try
                {
                    await probe.ConnectAsync(IPAddress.Loopback, Port);
                    return true;
                }
                catch (SocketException)
                {
                    return false;
                }
            },
            () => $"Mosquitto to listen on port {Port}",
            TimeSpan.FromSeconds(15));
    }

    /// <summary>Sends the broker SIGKILL and returns at once (safe on any thread, such as an MQTT client's); <see cref="KillAsync"/> waits for it.</summary>
    public void KillNow()
    {
        if (_process is { HasExited: false } process)
        {
            process.Kill();
        }
    }

    /// <summary>Kills the broker without warning (SIGKILL): every connection just ends, nothing is saved.</summary>
    public async Task KillAsync()
    {
        if (_process is { } process)
        {
            _process = null;
            if (!process.HasExited)
            {
                process.Kill();
            }

            await process.WaitForExitAsync();
            process.Dispose();
        }
    }

    public async ValueTask DisposeAsync()
    {
        await KillAsync();
        try
        {
            Directory.Delete(_directory, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    /// <summary>
    /// The plugin's file as <c>mosquitto_ctrl dynsec init</c> writes it (the administrator's password as
    /// PBKDF2-SHA512, 101 iterations, a 12-byte salt), with the administrator also allowed to publish under
    /// <c>gatehouse/#</c>. Written here so the tests need only the broker, not its command-line tools.
    /// </summary>
    private static string InitialDynamicSecurity(string password)
    {
        const int Iterations = 101;
        var salt = RandomNumberGenerator.GetBytes(12);
        var hash = Rfc2898DeriveBytes.Pbkdf2(password, salt, Iterations, HashAlgorithmName.SHA512, 64);
        object Acl(string type, string topic) => new { acltype = type, topic, priority = 0, allow = true };
        return JsonSerializer.Serialize(new
        {
            defaultACLAccess = new { publishClientSend = false, publishClientReceive = true, subscribe = false, unsubscribe = true },
            clients = new[]
            {
                new
                {
                    username = AdminUsername,
                    textname = "Gatehouse test administrator",
                    roles = new[] { new { rolename = "admin" } },
                    password = Convert.ToBase64String(hash),
                    salt = Convert.ToBase64String(salt),
                    iterations = Iterations,
                },
            },
            groups = Array.Empty<object>(),
            roles = new[]
            {
                new
                {
                    rolename = "admin",
                    acls = new[]
                    {
                        Acl("publishClientSend", "$CONTROL/dynamic-security/#"),
                        Acl("publishClientReceive", "$CONTROL/dynamic-security/#"),
                        Acl("subscribePattern", "$CONTROL/dynamic-security/#"),
                        Acl("publishClientSend", "gatehouse/#"),
                        Acl("publishClientReceive", "#"),
                        Acl("subscribePattern", "#"),
                        Acl("unsubscribePattern", "#"),
                    },
                },
            },
        });
    }

    private static string? Find(string name, string[] extraFolders)
    {
        var path = Environment.GetEnvironmentVariable("PATH") ?? "";
        return path.Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Concat(extraFolders)
            .Select(folder => Path.Combine(folder, name))
            .FirstOrDefault(File.Exists);
    }

    private static string? FindPlugin()
    {
        const string Name = "mosquitto_dynamic_security.so";
        if (!Directory.Exists("/usr/lib"))
        {
            return null;
        }

        return Directory.EnumerateDirectories("/usr/lib")
            .Prepend("/usr/lib")
            .Append("/usr/local/lib")
            .Select(folder => Path.Combine(folder, Name))
            .FirstOrDefault(File.Exists);
    }
}

/// <summary>A test that needs a real Mosquitto: skipped, saying why, only where the broker is not installed.</summary>
public sealed class MosquittoFactAttribute : FactAttribute
{
    public MosquittoFactAttribute()
    {
        if (MosquittoBroker.Missing is { } missing)
        {
            Skip = $"Needs a real Mosquitto: {missing}.";
        }
    }
}
