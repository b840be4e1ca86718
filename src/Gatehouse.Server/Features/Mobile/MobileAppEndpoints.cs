namespace Gatehouse.Server.Features.Mobile;

/// <summary>
/// The phone app at <c>/app/</c>: one page for every address of the app (its start and the activation link),
/// the rest of its files from the web root (<c>wwwroot/app</c>). All of them get the app's own policy.
/// </summary>
internal static class MobileAppEndpoints
{
    /// <summary>Where the app lives; also its service worker's scope and its manifest's <c>start_url</c>.</summary>
    public const string Path = "/app";

    // The app holds the phone's key: nothing on it may load from elsewhere, be framed or send the address anywhere.
    // The worker keeps the app for offline use; images allow data: and blob: for the door code.
    private const string ContentSecurityPolicy =
        "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self' data: blob:; " +
        "manifest-src 'self'; worker-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

    /// <summary>Serves the app; the activation link's code is after <c>#</c>, so the server never sees it.</summary>
    public static void MapMobileApp(this WebApplication app)
    {
        // The app's files are static web assets, served by the console's static-asset endpoints after the
        // console's own headers are set; the app's are set last, as the response starts.
        app.Use((context, next) =>
        {
            if (context.Request.Path.StartsWithSegments(Path))
            {
                context.Response.OnStarting(() =>
                {
                    var headers = context.Response.Headers;
                    headers.ContentSecurityPolicy = ContentSecurityPolicy;
                    headers["Referrer-Policy"] = "no-referrer";
                    headers["X-Robots-Tag"] = "noindex, nofollow";
                    return Task.CompletedTask;
                });
            }

            return next(context);
        });

        app.MapGet(Path + "/", ServeApp).AllowAnonymous().ExcludeFromDescription();
        app.MapGet(Path + "/activate", ServeApp).AllowAnonymous().ExcludeFromDescription();
    }

    private static IResult ServeApp(HttpContext http, IWebHostEnvironment environment)
    {
        // "/app" without its slash is outside the worker's scope and the manifest's: send it to "/app/".
        if (http.Request.Path.Equals(Path, StringComparison.Ordinal))
        {
            return Results.Redirect(Path + "/");
        }

        http.Response.Headers.CacheControl = "no-cache";
        var page = environment.WebRootFileProvider.GetFileInfo("app/index.html");
        return Results.File(page.CreateReadStream(), "text/html; charset=utf-8");
    }
}
