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

    public static IServiceCollection AddGatehouseKeyRing(this IServiceCollection services)
    {
        services.AddDataProtection()
            .SetApplicationName(ApplicationName)
            .PersistKeysToDbContext<GatehouseDbContext>();
        services.AddScoped<KeyRingImport>();

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
/// Before the key ring lived in the store, the keys were XML files in <c>{DataDirectory}/keys</c>. On start, a
/// store that holds no key yet takes those files, once, so what they protected still opens. The files stay.
/// </summary>
internal sealed partial class KeyRingImport(GatehouseDbContext db, IOptions<GatehouseOptions> options, ILogger<KeyRingImport> logger)
{
    public async Task ImportFilesAsync(CancellationToken ct)
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
