using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using System.Threading.RateLimiting;
using Gatehouse.Server.Data;
using Gatehouse.Server.Features.AccessGroups;
using Gatehouse.Server.Features.Accounts;
using Gatehouse.Server.Features.AdminConsole;
using Gatehouse.Server.Features.Audit;
using Gatehouse.Server.Features.CloudKeys;
using Gatehouse.Server.Features.Credentials;
using Gatehouse.Server.Features.Decisions;
using Gatehouse.Server.Features.Demo;
using Gatehouse.Server.Features.Devices;
using Gatehouse.Server.Features.Devices.Gateway;
using Gatehouse.Server.Features.Doors;
using Gatehouse.Server.Features.Events;
using Gatehouse.Server.Features.Faces;
using Gatehouse.Server.Features.Messaging;
using Gatehouse.Server.Features.Mobile;
using Gatehouse.Server.Features.Organizations;
using Gatehouse.Server.Features.Schedules;
using Gatehouse.Server.Features.Sites;
using Gatehouse.Server.Features.Users;
using Gatehouse.Server.Infrastructure;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.Extensions.Configuration.Memory;
using Microsoft.Extensions.Options;
using Scalar.AspNetCore;

var builder = WebApplication.CreateBuilder(args);
var services = builder.Services;

// Request paths carry Cloud Key tokens (/k/{token}, /api/v1/public/cloud-keys/{token}), so the host's
// "request starting" lines, which print the path, are not logged whatever the configuration says.
builder.Logging.AddFilter("Microsoft.AspNetCore.Hosting.Diagnostics", LogLevel.Warning);

// EF Core logs every SQL statement at Information (tens of thousands of lines an hour on a busy server), so
// by default it logs only warnings. The default sits beneath every other configuration source: the same key
// in appsettings, the environment or the command line still overrides it.
builder.Configuration.Sources.Insert(0, new MemoryConfigurationSource
{
    InitialData = new Dictionary<string, string?> { ["Logging:LogLevel:Microsoft.EntityFrameworkCore"] = "Warning" },
});

services.AddOptions<GatehouseOptions>().BindConfiguration(GatehouseOptions.Section).ValidateDataAnnotations().ValidateOnStart();
services.AddOptions<BootstrapOptions>().BindConfiguration(BootstrapOptions.Section).ValidateDataAnnotations().ValidateOnStart();
services.AddOptions<AccountOptions>().BindConfiguration(AccountOptions.Section).ValidateDataAnnotations().ValidateOnStart();

services.AddSingleton(TimeProvider.System);
services.AddSingleton(new OperatorConsole(Console.Out));
services.AddSingleton<ServerAddresses>();
services.AddSingleton<PublicLinks>();
services.AddHostedService<StartupWarnings>();
services.AddHttpContextAccessor();
services.AddMemoryCache();
services.AddScoped<CurrentOrganization>();
services.AddSingleton<IInterceptor, AuditInterceptor>();
services.AddSingleton<IInterceptor, OrganizationChangeInterceptor>();
services.AddGatehouseStore(builder.Configuration);
services.AddSingleton<StoreReadiness>();
services.AddHostedService<StoreInitializer>();
services.AddGatehouseKeyRing();

services.AddSingleton<IPasswordHasher<Admin>, PasswordHasher<Admin>>();
services.AddSingleton<SessionCache>();
services.AddScoped<SessionService>();
services.AddScoped<AccountService>();
services.AddScoped<AdminService>();
services.AddScoped<OrganizationService>();
services.AddScoped<AuditService>();
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
services.AddSingleton<IOrganizationChangeListener>(sp => sp.GetRequiredService<AccessSnapshotCache>());
services.AddScoped<DemoWorld>();
services.AddScoped<DemoHistory>();
services.AddScoped<DemoSeeder>();
services.AddScoped<DemoFaces>();
services.AddScoped<DemoPhones>();
services.AddDevices();
services.AddDeviceGateway();
services.AddMessaging();
services.AddCloudKeys();
services.AddFaces();
services.AddMobile();

services.AddAuthentication(SessionAuthenticationHandler.SchemeName)
    .AddScheme<AuthenticationSchemeOptions, SessionAuthenticationHandler>(SessionAuthenticationHandler.SchemeName, null);
services.AddAuthorizationBuilder()
    .AddPolicy(Policies.Viewer, p => p.RequireClaim(GatehouseClaims.Role, "viewer", "admin", "owner").AddRequirements(new MutationsNeedAdmin()))
    .AddPolicy(Policies.Account, p => p.RequireClaim(GatehouseClaims.Role, "viewer", "admin", "owner"))
    .AddPolicy(Policies.Admin, p => p.RequireClaim(GatehouseClaims.Role, "admin", "owner"))
    .AddPolicy(Policies.Owner, p => p.RequireClaim(GatehouseClaims.Role, "owner"))
    .AddPolicy(Policies.SystemAdministrator, p => p.RequireClaim(GatehouseClaims.SystemAdministrator, "true"));
services.AddSingleton<IAuthorizationMiddlewareResultHandler, ProblemAuthorizationResultHandler>();

services.AddAdminConsole();
services.AddScoped<AccessExplorer>();
services.AddScoped<UserCsvService>();

services.AddClientRateLimitCounters();
services.AddRateLimiter(o =>
{
    o.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
    o.OnRejected = async (context, _) =>
    {
        // Every limit is a one-minute window: a minute is always long enough to wait.
        var limited = new ApiError.RateLimited(RetryAfterSeconds: 60);
        context.HttpContext.Response.Headers.RetryAfter = limited.RetryAfterSeconds.ToString(CultureInfo.InvariantCulture);
        await limited.ToProblem().ExecuteAsync(context.HttpContext);
    };
    o.AddPerClientPerMinute<AccountOptions>(AuthEndpoints.SignInRateLimit, a => a.SignInAttemptsPerMinute);
});

services.ConfigureHttpJsonOptions(o =>
{
    o.SerializerOptions.UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow;
    o.SerializerOptions.Converters.Add(new JsonStringEnumConverter(JsonNamingPolicy.CamelCase, allowIntegerValues: false));
    o.SerializerOptions.Converters.Add(new InstantJsonConverter());
});
services.Configure<RouteHandlerOptions>(o => o.ThrowOnBadRequest = true);
services.AddProblemDetails();
services.AddExceptionHandler<BadRequestHandler>();
services.AddGatehouseOpenApi();
services.AddReadinessCheck<StoreReadinessCheck>("store");

var app = builder.Build();

app.UseSecurityHeaders();
app.UseExceptionHandler();
app.UseStatusCodePages();
app.UseRequestBodyLimit();
app.UseAuthentication();
app.UseAuthorization();
app.UseRateLimiter();

app.MapHealth();
app.MapOpenApi("/openapi/{documentName}.json").AllowAnonymous();
// The machine may have no internet: the reference runs from the script bundled in the package, without web fonts or telemetry.
// Its developer toolbar (Configure, Share, Generate SDK, Deploy), shown on localhost by default, advertises the tool's
// own services, not Gatehouse's: hidden everywhere.
app.MapScalarApiReference("/api", o => o
        .WithTitle("Gatehouse API")
        .WithOpenApiRoutePattern("/openapi/{documentName}.json")
        .HideDeveloperTools()
        .DisableDefaultFonts()
        .DisableTelemetry()
        .DisableAgent()
        .DisableMcp())
    .AllowAnonymous();
app.MapGatehouseApi();
app.MapPublicCloudKeys();
app.MapPublicFaces();
app.MapPublicMobile();
app.MapMobileApp();
app.MapAdminConsole();
app.MapUserCsv();
app.MapEventCsv();
app.MapDeviceConsole();
app.MapFaceConsole();

await app.RunAsync();

/// <summary>The server's entry point; public so tests can host it.</summary>
public partial class Program;
