using Gatehouse.Server.Data;
using Gatehouse.Server.Infrastructure;
using Microsoft.AspNetCore.Http;
using Microsoft.EntityFrameworkCore;

namespace Gatehouse.Server.Tests.Infrastructure;

/// <summary>Fails when the model changed without a migration (run <c>scripts/migrations.sh</c>). No server is contacted.</summary>
public sealed class StoreModelTests
{
    private static readonly CurrentOrganization NoOrganization = new(new HttpContextAccessor());

    [Fact]
    public void SqliteModel_HasNoChangesMissingFromItsMigrations()
    {
        using var db = new SqliteGatehouseDbContext(
            new DbContextOptionsBuilder<SqliteGatehouseDbContext>().UseSqlite("Data Source=:memory:").Options, NoOrganization);

        Assert.False(db.Database.HasPendingModelChanges(), "The SQLite migrations are behind the model: run scripts/migrations.sh.");
    }

    [Fact]
    public void PostgresModel_HasNoChangesMissingFromItsMigrations()
    {
        using var db = new PostgresGatehouseDbContext(
            new DbContextOptionsBuilder<PostgresGatehouseDbContext>().UseNpgsql("Host=unused.invalid;Database=unused").Options, NoOrganization);

        Assert.False(db.Database.HasPendingModelChanges(), "The PostgreSQL migrations are behind the model: run scripts/migrations.sh.");
    }
}
