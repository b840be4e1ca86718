using Gatehouse.Server.Infrastructure;
using Gatehouse.Server.Features.Devices.Enrollments;
using Microsoft.Extensions.Options;

namespace Gatehouse.Server.Features.Devices;

internal static class DeviceRegistration
{
    /// <summary>The devices' API services, the claim's rate limit, the enrollment sweeper and the unlock command pruner (the gateway registers itself).</summary>
    public static IServiceCollection AddDevices(this IServiceCollection services)
    {
        services.AddOptions<DeviceOptions>().BindConfiguration(DeviceOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddScoped<DeviceService>();
        services.AddScoped<DeviceClaimService>();
        services.AddScoped<RemoteUnlockService>();
        services.AddSingleton<UnlockConfirmations>();
        services.AddHostedService<UnlockCommandPruner>();
        services.AddScoped<EnrollmentService>();
        services.AddSingleton<EnrollmentSweeper>();
        services.AddHostedService(sp => sp.GetRequiredService<EnrollmentSweeper>());

        // Added to the server's rate limiter (which answers 429 with Retry-After); per client address.
        services.AddPerClientPerMinute<DeviceOptions>(DeviceEndpoints.ClaimRateLimit, o => o.ClaimAttemptsPerMinute);
        return services;
    }
}
