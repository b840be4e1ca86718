using System.Net;
using Gatehouse.Server.Infrastructure;
using Gatehouse.Server.Tests.Features.CloudKeys;
using Gatehouse.Server.Tests.Features.Devices.Gateway;
using Gatehouse.Server.Tests.Infrastructure;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;

namespace Gatehouse.Server.Tests.Features.Demo;

/// <summary>
/// A demo without <c>Gatehouse:PublicBaseUrl</c>, its console output and log kept. The test server binds no
/// port, so its addresses are the configured ones: none (Kestrel's default, <c>localhost</c>) here.
/// </summary>
public class LoopbackDemoApp : GatehouseApp
{
    private readonly StringWriter _console = new();

    public string Printed => _console.ToString();

    public LogSink Logs { get; } = new();

    protected override void ConfigureTestServices(IWebHostBuilder builder)
    {
        builder.UseSetting("Gatehouse:Demo", "true");
        builder.UseSetting("Gatehouse:PublicBaseUrl", "");
        builder.ConfigureServices(services =>
        {
            services.RemoveAll<OperatorConsole>();
            services.AddSingleton(new OperatorConsole(TextWriter.Synchronized(_console)));
            services.AddSingleton<ILoggerProvider>(Logs);
        });
    }
}

/// <summary>The same demo configured to listen on every interface (<c>--urls http://0.0.0.0:5080</c>).</summary>
public sealed class ReachableDemoApp : LoopbackDemoApp
{
    protected override void ConfigureTestServices(IWebHostBuilder builder)
    {
        base.ConfigureTestServices(builder);
        builder.UseSetting("urls", "http://127.0.0.1:5080;http://0.0.0.0:5080");
    }
}

public sealed class LoopbackDemoTests(LoopbackDemoApp app) : IClassFixture<LoopbackDemoApp>
{
    [Fact]
    public async Task SignInPage_DemoOnLoopback_ShowsTheOwnersPassword()
    {
        var page = await app.Anonymous().GetStringAsync("/account/sign-in");

        Assert.Contains("This is a demo", page, StringComparison.Ordinal);
        Assert.Contains($"<code>{GatehouseApp.SystemAdminPassword}</code>", page, StringComparison.Ordinal);
        Assert.DoesNotContain("WARNING", app.Printed, StringComparison.Ordinal);
        Assert.DoesNotContain(app.Logs.Lines, l => l.Level == LogLevel.Warning && l.Message.Contains("The demo listens on", StringComparison.Ordinal));
    }

    [Fact]
    public async Task CloudKey_DemoOnLoopbackWithoutPublicBaseUrl_LinksToTheLoopbackAddressNotTheHostHeader()
    {
        using var owner = await app.SystemAdminAsync();
        var olivia = Assert.Single((await owner.GetJsonAsync("/api/v1/users?search=olivia")).GetProperty("items").EnumerateArray());

        var key = await (await owner.SendAsync(CloudKeyLinkTests.ForgedHost(HttpMethod.Post, $"/api/v1/users/{olivia.Id()}/credentials/cloud-keys", new
        {
            sendEmail = true,
            validUntil = app.Clock.GetUtcNow().AddDays(1),
        }))).JsonAsync(HttpStatusCode.Created);

        var link = new Uri((await app.ReceivedAsync(key.Id())).Link);
        Assert.True(link.IsLoopback, $"The link {link} is not on a loopback address.");
        Assert.Empty(await app.MessagesMentioningAsync(CloudKeyLinkTests.AttackerHost));
    }
}

public sealed class ReachableDemoTests(ReachableDemoApp app) : IClassFixture<ReachableDemoApp>
{
    [Fact]
    public async Task SignInPage_DemoReachableFromOtherMachines_HidesTheOwnersPassword()
    {
        var page = await app.Anonymous().GetStringAsync("/account/sign-in");

        Assert.Contains("This is a demo", page, StringComparison.Ordinal);
        Assert.DoesNotContain(GatehouseApp.SystemAdminPassword, page, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Start_DemoReachableFromOtherMachines_WarnsOnTheConsoleAndInTheLog()
    {
        await app.Logs.WaitForAsync(LogLevel.Warning, "The demo listens on http://127.0.0.1:5080, http://0.0.0.0:5080");

        Assert.Contains("WARNING: this Gatehouse demo listens on http://127.0.0.1:5080, http://0.0.0.0:5080", app.Printed, StringComparison.Ordinal);
        Assert.DoesNotContain(GatehouseApp.SystemAdminPassword, app.Printed, StringComparison.Ordinal);
    }

    [Fact]
    public async Task CloudKey_DemoReachableWithoutPublicBaseUrl_IsRefusedAndTheSeedSentNone()
    {
        using var owner = await app.SystemAdminAsync();
        var olivia = Assert.Single((await owner.GetJsonAsync("/api/v1/users?search=olivia")).GetProperty("items").EnumerateArray());

        var response = await owner.SendAsync(CloudKeyLinkTests.ForgedHost(HttpMethod.Post, $"/api/v1/users/{olivia.Id()}/credentials/cloud-keys", new
        {
            sendEmail = true,
            validUntil = app.Clock.GetUtcNow().AddDays(1),
        }));

        await response.AssertStatusAsync(HttpStatusCode.Conflict);
        Assert.Equal(1, await owner.TotalAsync($"/api/v1/users/{olivia.Id()}/credentials"));
        Assert.Empty(await app.MessagesMentioningAsync("/k/"));
        Assert.True(app.Logs.Contains(LogLevel.Warning, "The demo's Cloud Key was not sent"));
    }
}

public sealed class ServerAddressesTests
{
    [Theory]
    [InlineData("http://127.0.0.1:5080", true)]
    [InlineData("http://127.1.2.3:5080", true)]
    [InlineData("http://localhost:5000", true)]
    [InlineData("https://LOCALHOST:5001/", true)]
    [InlineData("http://[::1]:5080", true)]
    [InlineData("http://0.0.0.0:5080", false)]
    [InlineData("http://[::]:5080", false)]
    [InlineData("http://*:5080", false)]
    [InlineData("http://+:80", false)]
    [InlineData("http://192.168.1.20:5080", false)]
    [InlineData("http://gatehouse.example.com", false)]
    [InlineData("http://unix:/run/gatehouse.sock", false)]
    [InlineData("not an address", false)]
    public void IsLoopback_Address_SaysWhetherOnlyThisMachineReachesIt(string address, bool loopback)
    {
        Assert.Equal(loopback, ServerAddresses.IsLoopback(address));
    }
}
