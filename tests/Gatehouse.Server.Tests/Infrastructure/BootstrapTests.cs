using System.Net;
using System.Net.Http.Json;
using System.Text.RegularExpressions;
using Gatehouse.Server.Data;
using Gatehouse.Server.Infrastructure;
using Microsoft.AspNetCore.Hosting;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Gatehouse.Server.Tests.Infrastructure;

/// <summary>A first start without <c>Gatehouse:Bootstrap:OwnerPassword</c>: the password is generated and printed.</summary>
public sealed class GeneratedPasswordApp : GatehouseApp
{
    private readonly StringWriter _console = new();

    public string Printed => _console.ToString();

    protected override void ConfigureTestServices(IWebHostBuilder builder)
    {
        builder.UseSetting("Gatehouse:Bootstrap:OwnerPassword", "");
        builder.ConfigureServices(services =>
        {
            services.RemoveAll<OperatorConsole>();
            services.AddSingleton(new OperatorConsole(TextWriter.Synchronized(_console)));
        });
    }
}

public sealed partial class BootstrapTests(GeneratedPasswordApp app) : IClassFixture<GeneratedPasswordApp>
{
    [Fact]
    public async Task FirstStart_WithoutAPassword_PrintsOneThatSignsInTheSystemAdministratorAndASecondStartCreatesNothing()
    {
        var password = Assert.Single(PrintedPassword().Matches(app.Printed)).Groups[1].Value;
        var signIn = await app.Anonymous().PostAsJsonAsync("/api/v1/auth/token", new { email = GatehouseApp.SystemAdminEmail, password });
        await signIn.AssertStatusAsync(HttpStatusCode.OK);

        using (var second = app.WithWebHostBuilder(_ => { }))
        {
            _ = second.Server;
            await using var scope = second.Services.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<GatehouseDbContext>();
            Assert.Equal(1, await db.Organizations.CountAsync());
            Assert.Equal(1, await db.Admins.IgnoreQueryFilters().CountAsync());
        }

        Assert.Single(PrintedPassword().Matches(app.Printed));
        await (await app.Anonymous().PostAsJsonAsync("/api/v1/auth/token", new { email = GatehouseApp.SystemAdminEmail, password }))
            .AssertStatusAsync(HttpStatusCode.OK);
    }

    [GeneratedRegex(@"with the password:\s+(\S+)")]
    private static partial Regex PrintedPassword();
}
