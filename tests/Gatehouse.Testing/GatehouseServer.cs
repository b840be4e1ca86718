using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.Logging;

namespace Gatehouse.Testing;

/// <summary>
/// The real Gatehouse server for device tests and the device load tool: Kestrel on a fixed loopback port, its in-process MQTT broker
/// on another (or the external broker named by <c>GATEHOUSE_TEST_MQTT</c>, "HOST:PORT;USERNAME;PASSWORD",
/// which the test script sets for its Mosquitto run), over a SQLite store in its own directory. It can be
/// stopped and started again on the same ports and store — a server restart, as a device sees it. The
/// server runs on the real clock: devices, brokers and timers all live in real time here.
/// </summary>
public sealed class GatehouseServer : IAsyncDisposable
{
    public const string AdminEmail = "root@gatehouse.test";
    public const string AdminPassword = "Root-password-123";

    private readonly string? _externalBroker;
    private readonly Dictionary<string, string?> _settings = [];
    private ServerFactory? _factory;

    public GatehouseServer()
        : this(Environment.GetEnvironmentVariable("GATEHOUSE_TEST_MQTT"))
    {
    }

    /// <summary>
    /// A server on the external broker <paramref name="externalBroker"/> ("HOST:PORT;USERNAME;PASSWORD", a
    /// Mosquitto account of its dynamic-security plugin), or on its in-process broker when that is null.
    /// </summary>
    public GatehouseServer(string? externalBroker)
    {
        _externalBroker = externalBroker;
        DataDirectory = Path.Combine(Path.GetTempPath(), "gatehouse-servers", "server-" + Guid.NewGuid().ToString("N"));
        HttpPort = LoopbackPort.Free();
        MqttPort = LoopbackPort.Free();
    }

    /// <summary>The host environment: "Testing" unless a measurement wants the server as it runs in production.</summary>
    public string EnvironmentName { get; init; } = "Testing";

    /// <summary>How long the clients of <see cref="Client"/> wait for an answer.</summary>
    public TimeSpan ClientTimeout { get; init; } = TimeSpan.FromSeconds(100);

    public string DataDirectory { get; }

    public int HttpPort { get; }

    /// <summary>The in-process broker's port (unused with an external broker).</summary>
    public int MqttPort { get; }

    /// <summary>Whether the devices talk to an external broker (Mosquitto) rather than the server's own.</summary>
    public bool ExternalBroker => !string.IsNullOrEmpty(_externalBroker);

    public string BaseUrl => $"http://127.0.0.1:{HttpPort}";

    public bool IsRunning => _factory is not null;

    /// <summary>Every line the server logged, across its starts.</summary>
    public CapturedLogs Logs { get; } = new();

    /// <summary>The running server's services.</summary>
    public IServiceProvider Services => (_factory ?? throw new InvalidOperationException("The server is stopped.")).Services;

    /// <summary>Sets a configuration value (<c>Gatehouse:Mqtt:SnapshotPartSize</c> …) for the next start.</summary>
    public GatehouseServer With(string key, string? value)
    {
        _settings[key] = value;
        return this;
    }

    /// <summary>Starts the server (again) on its ports and store.</summary>
    public Task StartAsync()
    {
        if (_factory is not null)
        {
            return Task.CompletedTask;
        }

        var factory = new ServerFactory(this);
        try
        {
            // Starting the host runs migrations and the bootstrap, and opens both listeners.
            factory.StartServer();
        }
        catch
        {
            factory.Dispose();
            throw;
        }

        _factory = factory;
        return Task.CompletedTask;
    }

    /// <summary>Stops the server the way a crash or a shutdown would look to a device: both listeners go.</summary>
    public async Task StopAsync()
    {
        if (_factory is { } factory)
        {
            _factory = null;
            await factory.DisposeAsync();
        }
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        try
        {
            Directory.Delete(DataDirectory, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    /// <summary>A client of the API (no token).</summary>
    public HttpClient Client() => new() { BaseAddress = new Uri(BaseUrl), Timeout = ClientTimeout };

    /// <summary>A client signed in with the account.</summary>
    public async Task<HttpClient> SignInAsync(string email, string password)
    {
        var client = Client();
        var response = await client.PostAsJsonAsync("/api/v1/auth/token", new { email, password });
        await response.ExpectStatusAsync(HttpStatusCode.OK);
        var token = await response.Content.ReadFromJsonAsync<JsonElement>();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token.GetProperty("accessToken").GetString());
        return client;
    }

    /// <summary>A new organization with its owner signed in.</summary>
    public async Task<HttpClient> NewOrganizationAsync(string? name = null) => (await NewOrganizationWithOwnerAsync(name)).Owner;

    /// <summary>
    /// A new organization with its owner signed in, and the owner's email for signing in to the console
    /// (the password is <see cref="AdminPassword"/>).
    /// </summary>
    public async Task<(HttpClient Owner, string OwnerEmail)> NewOrganizationWithOwnerAsync(string? name = null)
    {
        var email = $"owner-{Guid.NewGuid():N}@example.com";
        using (var root = await SignInAsync(AdminEmail, AdminPassword))
        {
            await root.PostCreatedAsync("/api/v1/organizations", new { name = name ?? "Org " + Guid.NewGuid().ToString("N")[..8], ownerEmail = email, ownerPassword = AdminPassword });
        }

        return (await SignInAsync(email, AdminPassword), email);
    }

    private sealed class ServerFactory : WebApplicationFactory<Program>
    {
        private readonly GatehouseServer _server;

        public ServerFactory(GatehouseServer server)
        {
            _server = server;
            UseKestrel(o => o.Listen(IPAddress.Loopback, server.HttpPort));
        }

        protected override void ConfigureWebHost(IWebHostBuilder builder)
        {
            var server = _server;
            builder.UseEnvironment(server.EnvironmentName);
            builder.UseTestDefaults(server.DataDirectory, AdminEmail, AdminPassword, server.BaseUrl);

            // Tests and measurements claim many devices at once from one address.
            builder.UseSetting("Gatehouse:Devices:ClaimAttemptsPerMinute", "10000");
            if (server.ExternalBroker)
            {
                var parts = server._externalBroker!.Split(';');
                var hostPort = parts[0].Split(':');
                builder.UseSetting("Gatehouse:Mqtt:Host", hostPort[0]);
                builder.UseSetting("Gatehouse:Mqtt:Port", hostPort[1]);
                builder.UseSetting("Gatehouse:Mqtt:Username", parts.ElementAtOrDefault(1));
                builder.UseSetting("Gatehouse:Mqtt:Password", parts.ElementAtOrDefault(2));

                // Each run of a test class is its own server on a shared broker: keep their clients apart.
                builder.UseSetting("Gatehouse:Mqtt:ClientId", "gatehouse-test-" + server.HttpPort.ToString(CultureInfo.InvariantCulture));
            }
            else
            {
                builder.UseSetting("Gatehouse:Mqtt:ListenAddress", "127.0.0.1");
                builder.UseSetting("Gatehouse:Mqtt:Port", server.MqttPort.ToString(CultureInfo.InvariantCulture));
            }

            foreach (var (key, value) in server._settings)
            {
                builder.UseSetting(key, value);
            }

            builder.ConfigureLogging(logging => logging.AddProvider(server.Logs));
        }
    }
}
