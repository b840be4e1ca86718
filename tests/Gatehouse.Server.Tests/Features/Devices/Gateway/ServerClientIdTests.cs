using Gatehouse.Server.Features.Devices.Gateway;
using Gatehouse.Server.Tests.Infrastructure;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;

namespace Gatehouse.Server.Tests.Features.Devices.Gateway;

/// <summary>A server started without <c>Gatehouse:Mqtt:ClientId</c>, as every replica of one image is.</summary>
public sealed class DefaultClientIdApp : GatehouseApp
{
    protected override void ConfigureTestServices(IWebHostBuilder builder)
    {
        builder.UseSetting("Gatehouse:Mqtt:ClientId", null);

        // On a broker shared by every test app, the default account marker would make this app tidy the others' accounts.
        if (Broker.IsExternal)
        {
            builder.UseSetting("Gatehouse:Mqtt:Provisioning", nameof(BrokerProvisioning.None));
        }
    }
}

/// <summary>Servers with identical configuration connect to the broker under client IDs of their own.</summary>
public sealed class ServerClientIdTests
{
    [Fact]
    public async Task TwoServers_WithoutAConfiguredClientId_ConnectUnderDifferentOnes()
    {
        var first = new DefaultClientIdApp();
        var second = new DefaultClientIdApp();
        try
        {
            await first.InitializeAsync();
            await second.InitializeAsync();

            var ids = new[] { first, second }.Select(a => a.Services.GetRequiredService<BrokerCredentials>().ClientId).ToList();

            Assert.All(ids, id => Assert.StartsWith("gatehouse-server-", id, StringComparison.Ordinal));
            Assert.NotEqual(ids[0], ids[1]);
            await ReadyAsync(first);
            await ReadyAsync(second);
        }
        finally
        {
            await ((IAsyncLifetime)first).DisposeAsync();
            await ((IAsyncLifetime)second).DisposeAsync();
        }
    }

    [Fact]
    public async Task Server_WithAConfiguredClientId_ConnectsUnderIt()
    {
        var app = new GatehouseApp();
        try
        {
            await app.InitializeAsync();

            Assert.Equal(app.Broker.ServerClientId, app.Services.GetRequiredService<BrokerCredentials>().ClientId);
            await ReadyAsync(app);
        }
        finally
        {
            await ((IAsyncLifetime)app).DisposeAsync();
        }
    }

    // Ready only once its MQTT client is connected: the broker took the client ID.
    private static Task ReadyAsync(GatehouseApp app) =>
        TestDevice.WaitUntilAsync(async () => (await app.Anonymous().GetAsync("/health/ready")).IsSuccessStatusCode, "the server ready");
}
