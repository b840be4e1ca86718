using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Gatehouse.Server.Tests.Infrastructure;

public sealed class LoggingDefaultsTests(GatehouseApp app) : IClassFixture<GatehouseApp>
{
    private const string SqlCategory = "Microsoft.EntityFrameworkCore.Database.Command";

    [Fact]
    public void EfCoreSql_ByDefault_LogsWarningsButNotEveryStatement()
    {
        var sql = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger(SqlCategory);

        Assert.False(sql.IsEnabled(LogLevel.Information));
        Assert.True(sql.IsEnabled(LogLevel.Warning));
    }

    [Fact]
    public void EfCoreSql_LevelInConfiguration_OverridesTheDefault()
    {
        using var verbose = app.WithWebHostBuilder(b => b.UseSetting("Logging:LogLevel:Microsoft.EntityFrameworkCore", "Information"));

        var sql = verbose.Services.GetRequiredService<ILoggerFactory>().CreateLogger(SqlCategory);

        Assert.True(sql.IsEnabled(LogLevel.Information));
    }
}
