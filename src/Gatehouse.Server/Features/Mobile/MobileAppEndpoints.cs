namespace Gatehouse.Server.Features.Mobile;

/// <summary>
/// The phone app at <c>/app/</c>: one page for every address of the app (its start and the activation link),
/// the rest of its files from the web root (<c>wwwroot/app</c>).
/// </summary>
internal static class MobileAppEndpoints
{
    /// <summary>Where the app lives; also its service worker's scope and its manifest's <c>start_url</c>.</summary>
    public const string Path = "/app";

    /// <summary>
    /// The app's policy, on its page and every file of it (set by <c>Infrastructure.SecurityHeaders</c>): the app holds
    /// the phone's key, so nothing on it may load from elsewhere, be framed or send the address anywhere. The worker
    /// keeps the app for offline use; images allow data: and blob: for the door code.
    /// </summary>
    public const string ContentSecurityPolicy =
        "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self' data: blob:; " +
        "manifest-src 'self'; worker-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

    /// <summary>Serves the app; the activation link's code is after <c>#</c>, so the server never sees it.</summary>
    public static void MapMobileApp(this WebApplication app)
    {
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
