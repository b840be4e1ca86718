using System.Text.Json;
using System.Text.Json.Serialization;
using System.Threading.RateLimiting;
using Gatehouse.Server.Data;
using Gatehouse.Server.Features.AccessGroups;
using Gatehouse.Server.Features.Accounts;
using Gatehouse.Server.Features.AdminConsole;
using Gatehouse.Server.Features.Credentials;
using Gatehouse.Server.Features.Decisions;
using Gatehouse.Server.Features.Demo;
using Gatehouse.Server.Features.Doors;
using Gatehouse.Server.Features.Events;
using Gatehouse.Server.Features.Organizations;
using Gatehouse.Server.Features.Schedules;
using Gatehouse.Server.Features.Sites;
using Gatehouse.Server.Features.Users;
using Gatehouse.Server.Infrastructure;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;
using Scalar.AspNetCore;

var builder = WebApplication.CreateBuilder(args);
var services = builder.Services;

services.AddOptions<GatehouseOptions>().BindConfiguration(GatehouseOptions.Section).ValidateDataAnnotations().ValidateOnStart();
services.AddOptions<BootstrapOptions>().BindConfiguration(BootstrapOptions.Section).ValidateDataAnnotations().ValidateOnStart();
services.AddOptions<AccountOptions>().BindConfiguration(AccountOptions.Section).ValidateDataAnnotations().ValidateOnStart();

services.AddSingleton(TimeProvider.System);
services.AddHttpContextAccessor();
services.AddMemoryCache();
services.AddScoped<CurrentOrganization>();
services.AddGatehouseStore(builder.Configuration);
services.AddSingleton<StoreReadiness>();
services.AddHostedService<StoreInitializer>();

services.AddSingleton<IPasswordHasher<Admin>, PasswordHasher<Admin>>();
services.AddSingleton<SessionCache>();
services.AddScoped<AccountService>();
services.AddScoped<OrganizationService>();
services.AddScoped<SiteService>();
services.AddScoped<DoorService>();
services.AddScoped<ScheduleService>();
services.AddScoped<AccessGroupService>();
services.AddScoped<UserService>();
services.AddScoped<AccessEventService>();
services.AddScoped<AccessEventWriter>();
services.AddScoped<CredentialService>();
services.AddScoped<SnapshotSourceLoader>();
services.AddScoped<AccessDecisionService>();
services.AddSingleton<AccessSnapshotCache>();
services.AddSingleton<IInterceptor, AccessSnapshotInvalidator>();
services.AddScoped<DemoWorld>();
services.AddScoped<DemoHistory>();
services.AddScoped<DemoSeeder>();

services.AddAuthentication(SessionAuthenticationHandler.SchemeName)
    .AddScheme<AuthenticationSchemeOptions, SessionAuthenticationHandler>(SessionAuthenticationHandler.SchemeName, null);
services.AddAuthorizationBuilder()
    .AddPolicy(Policies.Viewer, p => p.RequireClaim(GatehouseClaims.Role, "viewer", "admin", "owner"))
    .AddPolicy(Policies.Admin, p => p.RequireClaim(GatehouseClaims.Role, "admin", "owner"))
    .AddPolicy(Policies.Owner, p => p.RequireClaim(GatehouseClaims.Role, "owner"))
    .AddPolicy(Policies.SystemAdministrator, p => p.RequireClaim(GatehouseClaims.SystemAdministrator, "true"));

services.AddAdminConsole();

services.AddRateLimiter(o =>
{
    o.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
    o.AddPolicy(AuthEndpoints.SignInRateLimit, http => RateLimitPartition.GetFixedWindowLimiter(
        http.Connection.RemoteIpAddress?.ToString() ?? "unknown",
        _ => new FixedWindowRateLimiterOptions
        {
            PermitLimit = http.RequestServices.GetRequiredService<IOptions<AccountOptions>>().Value.SignInAttemptsPerMinute,
            Window = TimeSpan.FromMinutes(1),
        }));
});

services.ConfigureHttpJsonOptions(o =>
{
    o.SerializerOptions.UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow;
    o.SerializerOptions.Converters.Add(new JsonStringEnumConverter(JsonNamingPolicy.CamelCase, allowIntegerValues: false));
});
services.Configure<RouteHandlerOptions>(o => o.ThrowOnBadRequest = true);
services.AddProblemDetails();
services.AddExceptionHandler<BadRequestHandler>();
services.AddOpenApi("v1");
services.AddHealthChecks()
    .AddCheck("store", () => HealthCheckResult.Healthy(), tags: ["live"])
    .AddCheck<StoreReadinessCheck>("ready", tags: ["ready"]);

var app = builder.Build();

app.UseExceptionHandler();
app.UseStatusCodePages();
app.UseAuthentication();
app.UseAuthorization();
app.UseRateLimiter();

app.MapHealthChecks("/health/live", new HealthCheckOptions { Predicate = c => c.Tags.Contains("live") }).AllowAnonymous();
app.MapHealthChecks("/health/ready", new HealthCheckOptions { Predicate = c => c.Tags.Contains("ready") }).AllowAnonymous();
app.MapOpenApi("/openapi/{documentName}.json").AllowAnonymous();
app.MapScalarApiReference("/api", o => o.WithTitle("Gatehouse API").WithOpenApiRoutePattern("/openapi/{documentName}.json")).AllowAnonymous();
app.MapGatehouseApi();
app.MapAdminConsole();

await app.RunAsync();

/// <summary>The server's entry point; public so tests can host it.</summary>
public partial class Program;

internal sealed class StoreReadinessCheck(StoreReadiness readiness) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        Task.FromResult(readiness.IsReady ? HealthCheckResult.Healthy() : HealthCheckResult.Unhealthy("The store is not migrated yet."));
}
