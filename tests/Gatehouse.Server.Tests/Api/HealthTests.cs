using System.Net;
using Gatehouse.Server.Data;
using Gatehouse.Server.Infrastructure;
using Gatehouse.Server.Tests.Infrastructure;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Gatehouse.Server.Tests.Api;

public sealed class HealthTests(GatehouseApp app) : IClassFixture<GatehouseApp>
{
    [Fact]
    public async Task Live_WhileRunning_Is200WithoutAToken()
    {
        var response = await app.Anonymous().GetAsync("/health/live");

        await response.AssertStatusAsync(HttpStatusCode.OK);
    }

    [Fact]
    public async Task Ready_OnceTheStoreIsMigrated_Is200AndNamesTheStore()
    {
        var response = await app.Anonymous().GetAsync("/health/ready");

        await response.AssertStatusAsync(HttpStatusCode.OK);
        var body = await response.ReadJsonAsync();
        Assert.Equal("healthy", body.Text("status"));
        Assert.Equal("healthy", body.GetProperty("checks").GetProperty("store").Text("status"));
    }

    [Fact]
    public async Task StoreCheck_BeforeMigration_IsUnhealthy()
    {
        await using var scope = app.Services.CreateAsyncScope();
        var check = new StoreReadinessCheck(new StoreReadiness(), scope.ServiceProvider.GetRequiredService<GatehouseDbContext>());

        var result = await check.CheckHealthAsync(new HealthCheckContext());

        Assert.Equal(HealthStatus.Unhealthy, result.Status);
    }
}

/// <summary>The server with a subsystem that is down.</summary>
public sealed class SubsystemDownApp : GatehouseApp
{
    protected override void ConfigureTestServices(IWebHostBuilder builder) =>
        builder.ConfigureServices(services => services.AddReadinessCheck<DownCheck>("dispatcher"));

    internal sealed class DownCheck : IHealthCheck
    {
        public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
            Task.FromResult(HealthCheckResult.Unhealthy("Not connected."));
    }
}

public sealed class SubsystemDownTests(SubsystemDownApp app) : IClassFixture<SubsystemDownApp>
{
    [Fact]
    public async Task Ready_WithASubsystemDown_Is503NamingItWhileLiveStays200()
    {
        var ready = await app.Anonymous().GetAsync("/health/ready");
        var live = await app.Anonymous().GetAsync("/health/live");

        await ready.AssertStatusAsync(HttpStatusCode.ServiceUnavailable);
        Assert.Equal("unhealthy", (await ready.ReadJsonAsync()).GetProperty("checks").GetProperty("dispatcher").Text("status"));
        await live.AssertStatusAsync(HttpStatusCode.OK);
    }
}
