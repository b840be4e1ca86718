using Gatehouse.Server.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace Gatehouse.Server.Data;

internal static class StoreRegistration
{
    /// <summary>
    /// SQLite in the data directory, or PostgreSQL when <c>ConnectionStrings:Gatehouse</c> is set.
    /// Every <see cref="IInterceptor"/> in the container (audit, snapshot invalidation…) is attached.
    /// </summary>
    public static IServiceCollection AddGatehouseStore(this IServiceCollection services, IConfiguration configuration)
    {
        var postgres = configuration.GetConnectionString("Gatehouse");
        if (!string.IsNullOrWhiteSpace(postgres))
        {
            services.AddDbContext<GatehouseDbContext, PostgresGatehouseDbContext>((sp, o) => o
                .UseNpgsql(postgres)
                .AddInterceptors(sp.GetServices<IInterceptor>()));
        }
        else
        {
            services.AddDbContext<GatehouseDbContext, SqliteGatehouseDbContext>((sp, o) => o
                .UseSqlite(SqliteConnectionString(sp.GetRequiredService<Microsoft.Extensions.Options.IOptions<GatehouseOptions>>().Value))
                .AddInterceptors(sp.GetServices<IInterceptor>()));
        }

        return services;
    }

    public static string SqliteConnectionString(GatehouseOptions options) =>
        $"Data Source={Path.Combine(options.FullDataDirectory, "gatehouse.db")};Pooling=True;Default Timeout=30";
}

/// <summary>For <c>dotnet ef migrations add … --context SqliteGatehouseDbContext</c>.</summary>
internal sealed class SqliteDesignTimeFactory : IDesignTimeDbContextFactory<SqliteGatehouseDbContext>
{
    public SqliteGatehouseDbContext CreateDbContext(string[] args) => new(
        new DbContextOptionsBuilder<SqliteGatehouseDbContext>().UseSqlite("Data Source=design.db").Options,
        new CurrentOrganization(new HttpContextAccessor()));
}

/// <summary>For <c>dotnet ef migrations add … --context PostgresGatehouseDbContext</c>; no server is contacted.</summary>
internal sealed class PostgresDesignTimeFactory : IDesignTimeDbContextFactory<PostgresGatehouseDbContext>
{
    public PostgresGatehouseDbContext CreateDbContext(string[] args) => new(
        new DbContextOptionsBuilder<PostgresGatehouseDbContext>().UseNpgsql("Host=localhost;Database=gatehouse_design").Options,
        new CurrentOrganization(new HttpContextAccessor()));
}
