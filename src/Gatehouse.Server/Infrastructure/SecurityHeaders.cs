using Gatehouse.Server.Features.Mobile;

namespace Gatehouse.Server.Infrastructure;

internal static class SecurityHeaders
{
    // API answers are data, never pages: nothing in them may run, load or be framed.
    private const string ApiContentSecurityPolicy = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";

    /// <summary>
    /// Adds the headers to every response, error pages included: they are set as the response starts, after
    /// anything (the exception handler) that clears the headers of a failed request.
    /// </summary>
    public static IApplicationBuilder UseSecurityHeaders(this IApplicationBuilder app) => app.Use((context, next) =>
    {
        context.Response.OnStarting(() =>
        {
            // Defaults only: a part with its own needs (the console's pages) has set its headers already.
            var headers = context.Response.Headers;
            headers.TryAdd("X-Content-Type-Options", "nosniff");
            headers.TryAdd("Referrer-Policy", "no-referrer");
            headers.TryAdd("X-Frame-Options", "DENY");
            if (IsApi(context.Request.Path))
            {
                headers.ContentSecurityPolicy = ApiContentSecurityPolicy;
                headers.CacheControl = "no-store";
            }
            else if (IsPhoneApp(context.Request.Path))
            {
                // Its page and every file of it, the static ones included.
                headers.ContentSecurityPolicy = MobileAppEndpoints.ContentSecurityPolicy;
                headers["Referrer-Policy"] = "no-referrer";
                headers["X-Robots-Tag"] = "noindex, nofollow";
            }

            return Task.CompletedTask;
        });
        return next(context);
    });

    /// <summary>Whether the path is a part whose policy this sets, not the admin console's.</summary>
    public static bool HasOwnPolicy(PathString path) => IsApi(path) || path.StartsWithSegments("/api") || IsPhoneApp(path);

    private static bool IsPhoneApp(PathString path) => path.StartsWithSegments(MobileAppEndpoints.Path);

    private static bool IsApi(PathString path) =>
        path.StartsWithSegments("/api/v1") || path.StartsWithSegments("/openapi") || path.StartsWithSegments("/health");
}
