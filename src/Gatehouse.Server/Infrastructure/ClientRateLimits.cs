using System.Threading.RateLimiting;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.Options;

namespace Gatehouse.Server.Infrastructure;

/// <summary>
/// The server's one kind of rate limit: so many requests per minute from one client address, the number read from
/// an options class (so configuration changes it). The server's rate limiter answers over it with 429 and Retry-After.
/// </summary>
internal static class ClientRateLimits
{
    public static void AddPerClientPerMinute<TOptions>(this RateLimiterOptions limiter, string policy, Func<TOptions, int> perMinute)
        where TOptions : class =>
        limiter.AddPolicy(policy, http => RateLimitPartition.GetFixedWindowLimiter(
            http.Connection.RemoteIpAddress?.ToString() ?? "unknown",
            _ => new FixedWindowRateLimiterOptions
            {
                PermitLimit = perMinute(http.RequestServices.GetRequiredService<IOptions<TOptions>>().Value),
                Window = TimeSpan.FromMinutes(1),
            }));

    public static IServiceCollection AddPerClientPerMinute<TOptions>(this IServiceCollection services, string policy, Func<TOptions, int> perMinute)
        where TOptions : class =>
        services.Configure<RateLimiterOptions>(o => o.AddPerClientPerMinute(policy, perMinute));
}
