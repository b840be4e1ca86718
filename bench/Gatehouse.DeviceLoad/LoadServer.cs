using System.Globalization;
using System.Text.Json;
using Gatehouse.Server.Data;
using Gatehouse.Server.Features.Messaging;
using Gatehouse.Server.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Gatehouse.DeviceLoad;

/// <summary>
/// The real Gatehouse server in this process, as the device tests start it (<see cref="GatehouseServer"/>):
/// Kestrel on a free loopback port, SQLite in a throwaway directory, and either its in-process MQTT broker on
/// another free port or the external broker of <see cref="BrokerSettings"/> (Mosquitto with its
/// dynamic-security plugin). It runs as in production, with logging cut to warnings so the console does not
/// become part of what is measured.
/// </summary>
internal sealed class LoadServer : IAsyncDisposable
{
    private readonly GatehouseServer _server;

    private LoadServer(BrokerSettings? broker)
    {
        Broker = broker;
        _server = new GatehouseServer(broker?.ToConnectionText())
        {
            EnvironmentName = "Production",
            ClientTimeout = TimeSpan.FromMinutes(5),
        };
        _server
            .With("Logging:LogLevel:Default", "Warning")

            // The Cloud Key and mobile loads send every request from one loopback address, which the public limits
            // count as one client; the mobile load's workers also hold many challenges of one credential at once.
            .With("Gatehouse:CloudKeys:PublicRequestsPerMinute", "1000000")
            .With("Gatehouse:Mobile:PublicRequestsPerMinute", "1000000")
            .With("Gatehouse:Mobile:MaxOpenChallenges", "1000")

            // A device's report of a remote unlock carries the command's ID, as the server's own event of it does;
            // when both are stored at once one insert loses, which AccessEventWriter catches and settles. EF Core
            // still logs each such loss as an error with its stack trace; printing those would be measured too.
            // GATEHOUSE_LOAD_STORE_LOG=Information prints every statement with its time instead, to see where a run
            // waits (the printing slows the run, so its figures are not the ones to report).
            .With("Logging:LogLevel:Microsoft.EntityFrameworkCore.Database.Command", Environment.GetEnvironmentVariable("GATEHOUSE_LOAD_STORE_LOG") ?? "Critical")
            .With("Logging:LogLevel:Microsoft.EntityFrameworkCore.Update", "Critical");
    }

    public BrokerSettings? Broker { get; }

    public string BrokerName => Broker is null ? "in-process (MQTTnet.Server)" : $"Mosquitto at {Broker.Host}:{Broker.Port}";

    public string BaseUrl => _server.BaseUrl;

    public IServiceProvider Services => _server.Services;

    public static async Task<LoadServer> StartAsync(BrokerSettings? broker)
    {
        var server = new LoadServer(broker);

        // Starting the host runs the migrations and the bootstrap, and opens both listeners.
        await server._server.StartAsync();
        return server;
    }

    /// <summary>A new organization; its owner's client, signed in.</summary>
    public async Task<Organization> NewOrganizationAsync(string name)
    {
        var owner = await _server.NewOrganizationAsync(name);
        var organization = await owner.GetOkJsonAsync("/api/v1/organization");
        return new Organization(organization.GetProperty("id").GetGuid(), owner);
    }

    /// <summary>Runs <paramref name="work"/> in a fresh scope acting for <paramref name="organizationId"/>, as background work does.</summary>
    public async Task<T> InOrganizationAsync<T>(Guid organizationId, Func<GatehouseDbContext, IServiceProvider, Task<T>> work)
    {
        await using var scope = Services.CreateAsyncScope();
        scope.ServiceProvider.GetRequiredService<CurrentOrganization>().Set(organizationId);
        return await work(scope.ServiceProvider.GetRequiredService<GatehouseDbContext>(), scope.ServiceProvider);
    }

    /// <summary>The text of the newest email queued for <paramref name="credentialId"/>, decrypted as the mailer would send it.</summary>
    public Task<string> EmailTextAsync(Guid organizationId, Guid credentialId) =>
        InOrganizationAsync(organizationId, async (db, services) =>
        {
            var protector = services.GetRequiredService<OutboxContentProtector>();
            var message = await db.OutboxMessages.IgnoreQueryFilters().AsNoTracking()
                .Where(m => m.CredentialId == credentialId && m.Channel == MessageChannel.Email)
                .OrderByDescending(m => m.CreatedAt).ThenByDescending(m => m.Id).FirstAsync();
            return protector.Unprotect(message.ProtectedContent!).Text;
        });

    public async ValueTask DisposeAsync()
    {
        try
        {
            await _server.DisposeAsync();
        }
        catch (InvalidOperationException e) when (e.StackTrace?.Contains("MQTTnet.Server", StringComparison.Ordinal) == true)
        {
            // MQTTnet's server can fail to stop when a client reconnects at that moment (its list of clients changes
            // while it is cleaned up); the measurement is over by then, and the process ends soon after.
            await Console.Error.WriteLineAsync($"The in-process broker did not stop cleanly: {e.Message}");

            // The host is gone either way; this removes its store.
            await _server.DisposeAsync();
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

    /// <summary>The form <see cref="TryParse"/> reads, and <see cref="GatehouseServer"/> takes.</summary>
    public string ToConnectionText() => $"{Host}:{Port};{Username};{Password}";

    /// <summary>Never the password.</summary>
    public override string ToString() => $"{Host}:{Port} as {Username}";
}
