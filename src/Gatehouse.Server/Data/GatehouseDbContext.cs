using System.Buffers.Binary;
using System.Reflection;
using Gatehouse.Server.Features.Audit;
using Gatehouse.Server.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage.ValueConversion;

namespace Gatehouse.Server.Data;

/// <summary>
/// The store. Each feature adds its entity sets in a <c>partial</c> of this class beside the entity, and
/// its mapping as an <see cref="IEntityTypeConfiguration{TEntity}"/>. Every <see cref="ITenantOwned"/>
/// entity is filtered by the current organization and stamped with it when added.
/// Two thin subclasses pick the provider and own their migrations.
/// </summary>
internal abstract partial class GatehouseDbContext(DbContextOptions options, CurrentOrganization organization)
    : DbContext(options)
{
    /// <summary>Read by the query filters at query time (EF parameterises members of the context).</summary>
    internal Guid? CurrentOrganizationId => organization.Id;

    /// <summary>Entries for the audit log that are not row changes (a lockout); written with the next save.</summary>
    internal List<AuditNote> PendingAuditNotes { get; } = [];

    /// <summary>
    /// Whom the audit log credits with the next saves instead of the request's administrator: set while work an
    /// administrator started earlier is finished without them (a card presented at a device they sent to enroll it).
    /// </summary>
    internal AuditActor? ActingFor { get; set; }

    /// <summary>
    /// Holds back every other writer of the organization's audit chain (and of anything checked under the
    /// same lock, such as "the last owner") until the current transaction ends. Needs a transaction.
    /// </summary>
    internal abstract Task LockOrganizationAsync(Guid organizationId, CancellationToken ct);

    /// <summary>
    /// Holds back every other server's change to the data-protection key ring's import until the current
    /// transaction ends. Needs a transaction.
    /// </summary>
    internal abstract Task LockKeyRingAsync(CancellationToken ct);

    private protected void RequireTransaction()
    {
        if (Database.CurrentTransaction is null)
        {
            throw new InvalidOperationException("Locking an organization needs a transaction.");
        }
    }

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        modelBuilder.ApplyConfigurationsFromAssembly(typeof(GatehouseDbContext).Assembly);

        var filter = typeof(GatehouseDbContext).GetMethod(nameof(FilterByOrganization), BindingFlags.NonPublic | BindingFlags.Instance)!;
        foreach (var type in modelBuilder.Model.GetEntityTypes()
                     .Where(t => t.BaseType is null && typeof(ITenantOwned).IsAssignableFrom(t.ClrType)))
        {
            filter.MakeGenericMethod(type.ClrType).Invoke(this, [modelBuilder]);
        }
    }

    private void FilterByOrganization<T>(ModelBuilder modelBuilder)
        where T : class, ITenantOwned =>
        modelBuilder.Entity<T>().HasQueryFilter(e => e.OrganizationId == CurrentOrganizationId);

    public override Task<int> SaveChangesAsync(bool acceptAllChangesOnSuccess, CancellationToken cancellationToken = default)
    {
        StampOrganization();
        return base.SaveChangesAsync(acceptAllChangesOnSuccess, cancellationToken);
    }

    public override int SaveChanges(bool acceptAllChangesOnSuccess)
    {
        StampOrganization();
        return base.SaveChanges(acceptAllChangesOnSuccess);
    }

    private void StampOrganization()
    {
        foreach (var entry in ChangeTracker.Entries<ITenantOwned>())
        {
            if (entry.State == EntityState.Added && entry.Entity.OrganizationId == Guid.Empty)
            {
                entry.Entity.OrganizationId = organization.RequiredId;
            }
        }
    }
}

/// <summary>The embedded default: one SQLite file in the data directory.</summary>
internal sealed class SqliteGatehouseDbContext(DbContextOptions<SqliteGatehouseDbContext> options, CurrentOrganization organization)
    : GatehouseDbContext(options, organization)
{
    // Microsoft.Data.Sqlite begins transactions with BEGIN IMMEDIATE, which already holds the only write
    // lock of the file: writers are serialised whole, so there is nothing more to take.
    internal override Task LockOrganizationAsync(Guid organizationId, CancellationToken ct)
    {
        RequireTransaction();
        return Task.CompletedTask;
    }

    internal override Task LockKeyRingAsync(CancellationToken ct)
    {
        RequireTransaction();
        return Task.CompletedTask;
    }

    protected override void ConfigureConventions(ModelConfigurationBuilder configurationBuilder)
    {
        // SQLite cannot compare or order DateTimeOffset text; store UTC ticks so it can.
        configurationBuilder.Properties<DateTimeOffset>().HaveConversion<UtcTicksConverter>();
    }

    private sealed class UtcTicksConverter() : ValueConverter<DateTimeOffset, long>(
        v => v.UtcTicks,
        v => new DateTimeOffset(v, TimeSpan.Zero));
}

/// <summary>Production: PostgreSQL, chosen by a <c>ConnectionStrings:Gatehouse</c> value.</summary>
internal sealed class PostgresGatehouseDbContext(DbContextOptions<PostgresGatehouseDbContext> options, CurrentOrganization organization)
    : GatehouseDbContext(options, organization)
{
    // A transaction-level advisory lock: released by COMMIT or ROLLBACK, so it cannot leak. Keyed by the
    // random half of the (version 7) id; two organizations sharing a key only wait for each other.
    internal override async Task LockOrganizationAsync(Guid organizationId, CancellationToken ct)
    {
        RequireTransaction();
        Span<byte> bytes = stackalloc byte[16];
        organizationId.TryWriteBytes(bytes);
        var key = BinaryPrimitives.ReadInt64LittleEndian(bytes[8..]);
        await Database.ExecuteSqlAsync($"SELECT pg_advisory_xact_lock({key})", ct);
    }

    // The two-key form lives in a space of its own, apart from the organizations' one-key locks.
    internal override async Task LockKeyRingAsync(CancellationToken ct)
    {
        RequireTransaction();
        await Database.ExecuteSqlAsync($"SELECT pg_advisory_xact_lock({KeyRingLockSpace}, 0)", ct);
    }

    private const int KeyRingLockSpace = 0x4B657973; // "Keys"

    protected override void ConfigureConventions(ModelConfigurationBuilder configurationBuilder)
    {
        // Npgsql's timestamptz takes only offset zero; instants are kept in UTC anyway.
        configurationBuilder.Properties<DateTimeOffset>().HaveConversion<UtcConverter>();
    }

    private sealed class UtcConverter() : ValueConverter<DateTimeOffset, DateTimeOffset>(
        v => v.ToUniversalTime(),
        v => v);
}
