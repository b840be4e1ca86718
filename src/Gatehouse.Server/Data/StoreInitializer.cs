using System.Security.Cryptography;
using Gatehouse.Server.Features.Demo;
using Gatehouse.Server.Features.Organizations;
using Gatehouse.Server.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Gatehouse.Server.Data;

/// <summary>Set once the store is migrated and seeded; read by <c>/health/ready</c>.</summary>
internal sealed class StoreReadiness
{
    public bool IsReady { get; private set; }

    public void MarkReady() => IsReady = true;
}

/// <summary>
/// At start-up: applies the provider's migrations, readies the data-protection key ring (taking over the key files of an older install), creates the bootstrap organization and owner on an
/// empty store, and seeds the demo when asked to.
/// </summary>
internal sealed partial class StoreInitializer(
    IServiceScopeFactory scopes,
    IOptions<GatehouseOptions> options,
    IOptions<BootstrapOptions> bootstrap,
    StoreReadiness readiness,
    OperatorConsole console,
    ILogger<StoreInitializer> logger) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(options.Value.FullDataDirectory);
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<GatehouseDbContext>();
        await db.Database.MigrateAsync(cancellationToken);
        await scope.ServiceProvider.GetRequiredService<KeyRingSetup>().PrepareAsync(cancellationToken);

        if (!await db.Organizations.AnyAsync(cancellationToken))
        {
            await BootstrapAsync(scope.ServiceProvider, cancellationToken);
        }

        if (options.Value.Demo)
        {
            // A scope of its own: the demo acts for the bootstrap organization from a clean change tracker.
            await using var demo = scopes.CreateAsyncScope();
            await demo.ServiceProvider.GetRequiredService<DemoSeeder>().SeedAsync(cancellationToken);
        }

        readiness.MarkReady();
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    private async Task BootstrapAsync(IServiceProvider services, CancellationToken ct)
    {
        var settings = bootstrap.Value;
        var password = settings.OwnerPassword;
        var generated = string.IsNullOrEmpty(password);
        if (generated)
        {
            password = Convert.ToBase64String(RandomNumberGenerator.GetBytes(15)).Replace('+', 'x').Replace('/', 'y');
        }

        var organizations = services.GetRequiredService<OrganizationService>();
        var result = await organizations.CreateAsync(settings.OrganizationName, settings.OwnerEmail, password, isSystemAdministrator: true, ct);
        if (result.Error is { } error)
        {
            throw new InvalidOperationException($"The bootstrap settings (Gatehouse:Bootstrap) are not usable: {error}");
        }

        LogBootstrapped(logger, settings.OrganizationName, settings.OwnerEmail);
        if (generated)
        {
            // Printed once, to the console only, so the owner can sign in; never logged.
            console.Print($"""

                ==========================================================
                 Gatehouse created the organization "{settings.OrganizationName}".
                 Sign in as {settings.OwnerEmail} with the password:
                     {password}
                 It is shown only this once: change it after signing in.
                ==========================================================

                """);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Created the bootstrap organization {Organization} with owner {Owner}")]
    private static partial void LogBootstrapped(ILogger logger, LogText organization, LogText owner);
}
