using System.Reflection;
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
    private Guid? CurrentOrganizationId => organization.Id;

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
    protected override void ConfigureConventions(ModelConfigurationBuilder configurationBuilder)
    {
        // Npgsql's timestamptz takes only offset zero; instants are kept in UTC anyway.
        configurationBuilder.Properties<DateTimeOffset>().HaveConversion<UtcConverter>();
    }

    private sealed class UtcConverter() : ValueConverter<DateTimeOffset, DateTimeOffset>(
        v => v.ToUniversalTime(),
        v => v);
}
