using System.Net.Http.Headers;
using System.Net.Http.Json;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Time.Testing;
using Npgsql;

namespace Gatehouse.Server.Tests.Infrastructure;

/// <summary>
/// The real server over a fresh store, one per test class. Runs on SQLite, or on PostgreSQL when the
/// environment variable <c>GATEHOUSE_TEST_POSTGRES</c> holds a connection string to a server where it
/// may create and drop databases (the test script sets it). Each test makes its own organization.
/// </summary>
public class GatehouseApp : WebApplicationFactory<Program>, IAsyncLifetime
{
    public const string SystemAdminEmail = "root@gatehouse.test";
    public const string SystemAdminPassword = "Root-password-123";
    public const string OwnerPassword = "Owner-password-123";

    private static int s_organizations;
    private readonly string _dataDirectory = Path.Combine(Path.GetTempPath(), "gatehouse-tests", Guid.NewGuid().ToString("N"));
    private readonly string? _postgresBase = Environment.GetEnvironmentVariable("GATEHOUSE_TEST_POSTGRES");
    private readonly string _databaseName = "gatehouse_test_" + Guid.NewGuid().ToString("N")[..12];
    private readonly bool _storeExists;
    private readonly bool _ownDataDirectoryOnly;

    public GatehouseApp()
    {
    }

    /// <summary>
    /// The server started again over the store of <paramref name="previous"/> (which must have been disposed
    /// with <see cref="KeepStoreOnDispose"/>), as after a restart; its clock goes on from the previous one's.
    /// </summary>
    protected GatehouseApp(GatehouseApp previous)
    {
        _dataDirectory = previous._dataDirectory;
        _databaseName = previous._databaseName;
        _storeExists = true;
        if (previous.Clock.GetUtcNow() > Clock.GetUtcNow())
        {
            Clock.SetUtcNow(previous.Clock.GetUtcNow());
        }
    }

    /// <summary>
    /// Another server over the store of <paramref name="other"/>, which may still be running. On PostgreSQL it has
    /// a data directory of its own, as a second machine would; on SQLite the store is a file in the data directory,
    /// so the two share it.
    /// </summary>
    protected GatehouseApp(GatehouseApp other, bool ownDataDirectory)
        : this(other)
    {
        if (ownDataDirectory && OnPostgres)
        {
            _dataDirectory = Path.Combine(Path.GetTempPath(), "gatehouse-tests", Guid.NewGuid().ToString("N"));
            _ownDataDirectoryOnly = true;
        }
    }

    /// <summary>Leave the store when disposed, for an app made with the restarting constructor to go on with.</summary>
    public bool KeepStoreOnDispose { get; set; }

    /// <summary>The server's clock. Starts at the real time; tests move it with <c>Advance</c>/<c>SetUtcNow</c>.</summary>
    public FakeTimeProvider Clock { get; } = new(TimeProvider.System.GetUtcNow());

    public bool OnPostgres => !string.IsNullOrEmpty(_postgresBase);

    /// <summary>The MQTT broker of the app's device gateway: its own in-process one, or the Mosquitto of <c>GATEHOUSE_TEST_MQTT</c>.</summary>
    public TestBroker Broker { get; } = TestBroker.ForNewApp();

    public string DataDirectory => _dataDirectory;

    public virtual async Task InitializeAsync()
    {
        if (OnPostgres && !_storeExists)
        {
            await using var connection = new NpgsqlConnection(_postgresBase);
            await connection.OpenAsync();
            await using var create = new NpgsqlCommand($"CREATE DATABASE \"{_databaseName}\"", connection);
            await create.ExecuteNonQueryAsync();
        }

        // Start the host (migrations, bootstrap) before the first test; on TestServer or, for browser tests, Kestrel.
        StartServer();
    }

    async Task IAsyncLifetime.DisposeAsync()
    {
        await base.DisposeAsync();
        if (KeepStoreOnDispose)
        {
            NpgsqlConnection.ClearAllPools();
            if (_ownDataDirectoryOnly)
            {
                Directory.Delete(_dataDirectory, recursive: true);
            }

            return;
        }

        if (OnPostgres)
        {
            NpgsqlConnection.ClearAllPools();
            await using var connection = new NpgsqlConnection(_postgresBase);
            await connection.OpenAsync();
            await using var drop = new NpgsqlCommand($"DROP DATABASE IF EXISTS \"{_databaseName}\" WITH (FORCE)", connection);
            await drop.ExecuteNonQueryAsync();
        }

        try
        {
            Directory.Delete(_dataDirectory, recursive: true);
        }
        catch (IOException)
        {
            // A file still open by a pool that has not shut down: the temp folder is cleaned by the OS.
        }
    }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment("Testing");
        builder.UseTestDefaults(_dataDirectory, SystemAdminEmail, SystemAdminPassword, "http://gatehouse.test");
        if (OnPostgres)
        {
            var connection = new NpgsqlConnectionStringBuilder(_postgresBase) { Database = _databaseName };
            builder.UseSetting("ConnectionStrings:Gatehouse", connection.ConnectionString);
        }

        Broker.Configure(builder);
        builder.ConfigureServices(services =>
        {
            services.RemoveAll<TimeProvider>();
            services.AddSingleton<TimeProvider>(Clock);
            // Same hash format, fewer rounds: tests sign in hundreds of times on small machines.
            services.Configure<PasswordHasherOptions>(o => o.IterationCount = 1_000);
        });
        ConfigureTestServices(builder);
    }

    /// <summary>For a test class that needs other settings or services.</summary>
    protected virtual void ConfigureTestServices(IWebHostBuilder builder)
    {
    }

    /// <summary>A client without a token.</summary>
    public HttpClient Anonymous() => CreateClient();

    /// <summary>A client signed in with the given account.</summary>
    public async Task<HttpClient> SignInAsync(string email, string password)
    {
        var client = CreateClient();
        var response = await client.PostAsJsonAsync("/api/v1/auth/token", new { email, password });
        response.EnsureSuccessStatusCode();
        var token = await response.Content.ReadFromJsonAsync<TokenBody>();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token!.AccessToken);
        return client;
    }

    public Task<HttpClient> SystemAdminAsync() => SignInAsync(SystemAdminEmail, SystemAdminPassword);

    /// <summary>A new organization of its own, with a signed-in owner.</summary>
    public async Task<TestOrganization> NewOrganizationAsync()
    {
        var n = Interlocked.Increment(ref s_organizations);
        var email = $"owner{n}-{Guid.NewGuid():N}@example.com";
        using var root = await SystemAdminAsync();
        var response = await root.PostAsJsonAsync("/api/v1/organizations", new { name = $"Org {n}", ownerEmail = email, ownerPassword = OwnerPassword });
        response.EnsureSuccessStatusCode();
        var created = await response.Content.ReadFromJsonAsync<CreatedBody>();
        return new TestOrganization(this, created!.Id, email, await SignInAsync(email, OwnerPassword));
    }

    private sealed record TokenBody(string AccessToken, DateTimeOffset ExpiresAt);

    private sealed record CreatedBody(string Id);
}

/// <summary>An organization made for one test, and its owner's client.</summary>
public sealed record TestOrganization(GatehouseApp App, string Id, string OwnerEmail, HttpClient Owner)
{
    /// <summary>Adds an administrator with the role (owner, admin, viewer) and returns their signed-in client.</summary>
    public async Task<HttpClient> MemberAsync(string role)
    {
        var email = $"{role}-{Guid.NewGuid():N}@example.com";
        var response = await Owner.PostAsJsonAsync("/api/v1/admins", new { email, password = GatehouseApp.OwnerPassword, role });
        response.EnsureSuccessStatusCode();
        return await App.SignInAsync(email, GatehouseApp.OwnerPassword);
    }
}
