using System.Security.Cryptography;
using System.Xml.Linq;
using Gatehouse.Server.Infrastructure;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.DataProtection.EntityFrameworkCore;
using Microsoft.AspNetCore.DataProtection.KeyManagement;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Microsoft.Extensions.Options;

namespace Gatehouse.Server.Data;

/// <summary>
/// The data-protection key ring (console cookies, antiforgery tokens, outbox bodies, face templates) lives in the
/// store, so every server over the same store reads what any of them protected. It is not tenant-owned: one ring
/// serves the whole installation. Key rows are bookkeeping of the framework, never audited.
/// </summary>
internal static class KeyRingRegistration
{
    /// <summary>The application name every server shares, whatever its content root or container.</summary>
    public const string ApplicationName = "Gatehouse";

    /// <summary>Call after the <see cref="StoreInitializer"/> is added: the ring is read only once the store is migrated and the ring readied by <see cref="KeyRingSetup"/>.</summary>
    public static IServiceCollection AddGatehouseKeyRing(this IServiceCollection services)
    {
        services.AddDataProtection()
            .SetApplicationName(ApplicationName)
            .PersistKeysToDbContext<GatehouseDbContext>();
        services.AddScoped<KeyRingSetup>();

        // The framework's hosted service loads the ring (and makes a first key into an empty one) at start. Added by
        // the host before any of ours, it would run before the migration and the import: a fresh key in the store
        // would then stop the import and leave what the old key files protected unreadable.
        var warmUp = services.Where(d => d.ServiceType == typeof(IHostedService)
            && d.ImplementationType?.Assembly == typeof(KeyManagementOptions).Assembly).ToList();
        foreach (var service in warmUp)
        {
            services.Remove(service);
            services.Add(service);
        }

        // What was protected before the ring moved to the store was bound to the server's content root (the
        // framework's default application name): it still opens, and everything new is bound to "Gatehouse".
        var framework = services.Last(d => d.ServiceType == typeof(IDataProtectionProvider));
        services.Remove(framework);
        services.AddSingleton<IDataProtectionProvider>(sp => new PreUpgradeAwareProvider(
            (IDataProtectionProvider)framework.ImplementationFactory!(sp), PreUpgradeProvider(sp)));
        return services;
    }

    private static IDataProtectionProvider? PreUpgradeProvider(IServiceProvider sp)
    {
        var contentRoot = sp.GetApplicationUniqueIdentifier();
        if (string.IsNullOrEmpty(contentRoot) || contentRoot == ApplicationName)
        {
            return null;
        }

        // A second data-protection system over the same key ring, only ever asked to unprotect: it makes no keys.
        var keys = sp.GetRequiredService<IOptions<KeyManagementOptions>>().Value.XmlRepository;
        var legacy = new ServiceCollection();
        legacy.AddSingleton(sp.GetRequiredService<ILoggerFactory>());
        legacy.AddDataProtection()
            .SetApplicationName(contentRoot)
            .DisableAutomaticKeyGeneration()
            .AddKeyManagementOptions(o => o.XmlRepository = keys);
        return legacy.BuildServiceProvider().GetRequiredService<IDataProtectionProvider>();
    }

    /// <summary>Protects under the shared application name; unprotects under it, then under the pre-upgrade one.</summary>
    private sealed class PreUpgradeAwareProvider(IDataProtectionProvider current, IDataProtectionProvider? preUpgrade) : IDataProtectionProvider
    {
        public IDataProtector CreateProtector(string purpose) => preUpgrade is null
            ? current.CreateProtector(purpose)
            : new Protector(current.CreateProtector(purpose), preUpgrade.CreateProtector(purpose));
    }

    private sealed class Protector(IDataProtector current, IDataProtector preUpgrade) : IDataProtector
    {
        public IDataProtector CreateProtector(string purpose) =>
            new Protector(current.CreateProtector(purpose), preUpgrade.CreateProtector(purpose));

        public byte[] Protect(byte[] plaintext) => current.Protect(plaintext);

        public byte[] Unprotect(byte[] protectedData)
        {
            try
            {
                return current.Unprotect(protectedData);
            }
            catch (CryptographicException)
            {
                try
                {
                    return preUpgrade.Unprotect(protectedData);
                }
                catch (CryptographicException)
                {
                }

                throw;
            }
        }
    }
}

/// <summary>
/// Readies the key ring at start, before anything protects: before it lived in the store, the keys were XML files in
/// <c>{DataDirectory}/keys</c>, and a store that holds no key yet takes those files, once, so what they protected still
/// opens (the files stay). Then the ring is loaded, with a first key made if it has none.
/// </summary>
internal sealed partial class KeyRingSetup(
    GatehouseDbContext db, IDataProtectionProvider protection, IOptions<GatehouseOptions> options, ILogger<KeyRingSetup> logger)
{
    public async Task PrepareAsync(CancellationToken ct)
    {
        await ImportFilesAsync(ct);
        await LoadAsync(ct);
    }

    private async Task ImportFilesAsync(CancellationToken ct)
    {
        var directory = new DirectoryInfo(Path.Combine(options.Value.FullDataDirectory, "keys"));
        var files = directory.Exists ? directory.GetFiles("*.xml") : [];
        if (files.Length == 0)
        {
            return;
        }

        // Two servers starting at once over an upgraded store: the second waits here and then finds the keys.
        await using var transaction = await db.Database.BeginTransactionAsync(ct);
        await db.LockKeyRingAsync(ct);
        if (await db.DataProtectionKeys.AnyAsync(ct))
        {
            return;
        }

        foreach (var file in files)
        {
            db.DataProtectionKeys.Add(new DataProtectionKey
            {
                // The file repository names each file after the element's friendly name, as the store keeps it.
                FriendlyName = Path.GetFileNameWithoutExtension(file.Name),
                Xml = XElement.Load(file.FullName).ToString(SaveOptions.DisableFormatting),
            });
        }

        await db.SaveChangesAsync(ct);
        await transaction.CommitAsync(ct);
        LogImported(logger, files.Length, directory.FullName);
    }

    // Loading here, not on the first protect, keeps the framework's write of a first key out of any transaction a
    // request holds (SQLite's write lock would hold that write back). On PostgreSQL, two new servers starting at
    // once would each make a first key: under the lock the second finds the first's. The framework writes the key
    // through a connection of its own, which SQLite's lock would block, and one process owns a SQLite file anyway.
    private async Task LoadAsync(CancellationToken ct)
    {
        await using var transaction = db.Database.IsNpgsql() ? await db.Database.BeginTransactionAsync(ct) : null;
        if (transaction is not null)
        {
            await db.LockKeyRingAsync(ct);
        }

        protection.CreateProtector("Gatehouse.KeyRing.Load").Protect([]);
        if (transaction is not null)
        {
            await transaction.CommitAsync(ct);
        }
    }

    [LoggerMessage(Level = LogLevel.Information,
        Message = "Moved the data-protection key ring into the store: {Count} key file(s) from {Directory} imported; the files were left in place")]
    private static partial void LogImported(ILogger logger, int count, string directory);
}

internal sealed class DataProtectionKeyConfiguration : IEntityTypeConfiguration<DataProtectionKey>
{
    public void Configure(EntityTypeBuilder<DataProtectionKey> builder) => builder.ToTable("DataProtectionKeys");
}

internal abstract partial class GatehouseDbContext : IDataProtectionKeyContext
{
    public DbSet<DataProtectionKey> DataProtectionKeys => Set<DataProtectionKey>();
}
