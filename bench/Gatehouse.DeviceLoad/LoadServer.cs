using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text.Json;
using Gatehouse.Server.Data;
using Gatehouse.Server.Infrastructure;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace Gatehouse.DeviceLoad;

/// <summary>
/// The real Gatehouse server in this process: Kestrel on a free loopback port, SQLite in a throwaway
/// directory, and either its in-process MQTT broker on another free port or the external broker of
/// <see cref="BrokerSettings"/> (Mosquitto with its dynamic-security plugin). Logging is cut to warnings so
/// the console does not become part of what is measured.
/// </summary>
internal sealed class LoadServer : IAsyncDisposable
{
    public const string AdminEmail = "root@gatehouse.bench";
    public const string AdminPassword = "Root-password-123";

    private readonly ServerFactory _factory;

    private LoadServer(BrokerSettings? broker)
    {
        Broker = broker;
        DataDirectory = Path.Combine(Path.GetTempPath(), "gatehouse-device-load", "server-" + Guid.NewGuid().ToString("N"));
        HttpPort = FreePort();
        MqttPort = broker?.Port ?? FreePort();
        _factory = new ServerFactory(this);
    }

    public BrokerSettings? Broker { get; }

    public string BrokerName => Broker is null ? "in-process (MQTTnet.Server)" : $"Mosquitto at {Broker.Host}:{Broker.Port}";

    public string DataDirectory { get; }

    public int HttpPort { get; }

    public int MqttPort { get; }

    public string BaseUrl => $"http://127.0.0.1:{HttpPort}";

    public IServiceProvider Services => _factory.Services;

    public static LoadServer Start(BrokerSettings? broker)
    {
        var server = new LoadServer(broker);

        // Starting the host runs the migrations and the bootstrap, and opens both listeners.
        server._factory.StartServer();
        return server;
    }

    /// <summary>A new organization; its owner's client, signed in.</summary>
    public async Task<Organization> NewOrganizationAsync(string name)
    {
        var email = $"owner-{Guid.NewGuid():N}@example.com";
        using (var root = await SignInAsync(AdminEmail, AdminPassword))
        {
            var response = await root.PostAsJsonAsync("/api/v1/organizations", new { name, ownerEmail = email, ownerPassword = AdminPassword });
            await Api.ExpectAsync(response, HttpStatusCode.Created);
        }

        var owner = await SignInAsync(email, AdminPassword);
        var organization = await owner.GetFromJsonAsync<JsonElement>("/api/v1/organization");
        return new Organization(organization.GetProperty("id").GetGuid(), owner);
    }

    /// <summary>Runs <paramref name="work"/> in a fresh scope acting for <paramref name="organizationId"/>, as background work does.</summary>
    public async Task<T> InOrganizationAsync<T>(Guid organizationId, Func<GatehouseDbContext, IServiceProvider, Task<T>> work)
    {
        await using var scope = Services.CreateAsyncScope();
        scope.ServiceProvider.GetRequiredService<CurrentOrganization>().Set(organizationId);
        return await work(scope.ServiceProvider.GetRequiredService<GatehouseDbContext>(), scope.ServiceProvider);
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            await _factory.DisposeAsync();
        }
        catch (InvalidOperationException e) when (e.StackTrace?.Contains("MQTTnet.Server", StringComparison.Ordinal) == true)
        {
            // MQTTnet's server can fail to stop when a client reconnects at that moment (its list of clients changes
            // while it is cleaned up); the measurement is over by then, and the process ends soon after.
            await Console.Error.WriteLineAsync($"The in-process broker did not stop cleanly: {e.Message}");
        }

        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        try
        {
            Directory.Delete(DataDirectory, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    private async Task<HttpClient> SignInAsync(string email, string password)
    {
        var client = new HttpClient { BaseAddress = new Uri(BaseUrl), Timeout = TimeSpan.FromMinutes(5) };
        var response = await client.PostAsJsonAsync("/api/v1/auth/token", new { email, password });
        await Api.ExpectAsync(response, HttpStatusCode.OK);
        var token = await response.Content.ReadFromJsonAsync<JsonElement>();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token.GetProperty("accessToken").GetString());
        return client;
    }

    internal static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private sealed class ServerFactory : WebApplicationFactory<Program>
    {
        private readonly LoadServer _server;

        public ServerFactory(LoadServer server)
        {
            _server = server;
            UseKestrel(o => o.Listen(IPAddress.Loopback, server.HttpPort));
        }

        protected override void ConfigureWebHost(IWebHostBuilder builder)
        {
            var server = _server;
            builder.UseEnvironment("Production");
            builder.UseSetting("Logging:LogLevel:Default", "Warning");
            builder.UseSetting("Gatehouse:DataDirectory", server.DataDirectory);
            builder.UseSetting("Gatehouse:Bootstrap:OrganizationName", "System");
            builder.UseSetting("Gatehouse:Bootstrap:OwnerEmail", AdminEmail);
            builder.UseSetting("Gatehouse:Bootstrap:OwnerPassword", AdminPassword);
            builder.UseSetting("Gatehouse:PublicBaseUrl", server.BaseUrl);

            // Dozens of devices claim at once, and the tool signs in more often than a person would.
            builder.UseSetting("Gatehouse:Accounts:SignInAttemptsPerMinute", "10000");
            builder.UseSetting("Gatehouse:Devices:ClaimAttemptsPerMinute", "10000");

            // The Cloud Key load sends every unlock from one loopback address, which the public limit counts as one client.
            builder.UseSetting("Gatehouse:CloudKeys:PublicRequestsPerMinute", "1000000");

            // A device's report of a remote unlock carries the command's ID, as the server's own event of it does;
            // when both are stored at once one insert loses, which AccessEventWriter catches and settles. EF Core
            // still logs each such loss as an error with its stack trace; printing those would be measured too.
            builder.UseSetting("Logging:LogLevel:Microsoft.EntityFrameworkCore.Database.Command", "Critical");
            builder.UseSetting("Logging:LogLevel:Microsoft.EntityFrameworkCore.Update", "Critical");
            if (server.Broker is { } broker)
            {
                builder.UseSetting("Gatehouse:Mqtt:Host", broker.Host);
                builder.UseSetting("Gatehouse:Mqtt:Port", broker.Port.ToString(CultureInfo.InvariantCulture));
                builder.UseSetting("Gatehouse:Mqtt:Username", broker.Username);
                builder.UseSetting("Gatehouse:Mqtt:Password", broker.Password);

                // Each run is its own server on the broker: its client and the device accounts it provisions stay apart.
                builder.UseSetting("Gatehouse:Mqtt:ClientId", "gatehouse-load-" + server.HttpPort.ToString(CultureInfo.InvariantCulture));
            }
            else
            {
                builder.UseSetting("Gatehouse:Mqtt:ListenAddress", "127.0.0.1");
                builder.UseSetting("Gatehouse:Mqtt:Port", server.MqttPort.ToString(CultureInfo.InvariantCulture));
            }
        }
    }
}

/// <summary>An organization made for a measurement, with its owner's signed-in client.</summary>
internal sealed record Organization(Guid Id, HttpClient Owner);

/// <summary>
/// An external broker: <c>HOST:PORT;USERNAME;PASSWORD</c> of an account that may manage Mosquitto's
/// dynamic-security plugin and publish and subscribe under <c>gatehouse/#</c> (what
/// <c>scripts/services.sh</c>'s <c>start_mosquitto</c> exports as <c>GATEHOUSE_TEST_MQTT</c>).
/// </summary>
internal sealed record BrokerSettings(string Host, int Port, string Username, string Password)
{
    public static bool TryParse(string text, out BrokerSettings? settings)
    {
        settings = null;
        var parts = text.Split(';');
        var hostPort = parts[0].Split(':');
        if (parts.Length != 3 || hostPort.Length != 2 || !int.TryParse(hostPort[1], CultureInfo.InvariantCulture, out var port))
        {
            return false;
        }

        settings = new BrokerSettings(hostPort[0], port, parts[1], parts[2]);
        return true;
    }

    /// <summary>Never the password.</summary>
    public override string ToString() => $"{Host}:{Port} as {Username}";
}
