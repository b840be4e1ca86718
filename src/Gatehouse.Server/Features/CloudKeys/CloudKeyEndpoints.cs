using System.Threading.RateLimiting;
using Gatehouse.Server.Features.Credentials;
using Gatehouse.Server.Infrastructure;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.Options;

namespace Gatehouse.Server.Features.CloudKeys;

internal static class CloudKeyEndpoints
{
    public const string PublicRateLimit = "cloud-key-public";

    // The key's page: the link's token is the only secret, so nothing on it may load from elsewhere,
    // be framed, or send the address anywhere.
    private const string PageContentSecurityPolicy =
        "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self'; " +
        "base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

    public static IServiceCollection AddCloudKeys(this IServiceCollection services)
    {
        services.AddOptions<CloudKeyOptions>().BindConfiguration(CloudKeyOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddScoped<CloudKeyService>();
        services.AddScoped<CloudKeyAccess>();
        services.AddPerClientPerMinute<CloudKeyOptions>(PublicRateLimit, o => o.PublicRequestsPerMinute);
        return services;
    }

    /// <summary>The admin's calls, inside the API's authorized group.</summary>
    public static void MapCloudKeys(this IEndpointRouteBuilder api)
    {
        api.MapPost("/users/{userId:guid}/credentials/cloud-keys", Create).WithTags("Cloud Keys")
            .WithSummary("Give a user a Cloud Key and send its link and PIN by email and/or text.");
        var keys = api.MapGroup("/cloud-keys/{id:guid}").WithTags("Cloud Keys");
        keys.MapPost("/resend", (Guid id, CloudKeyService s, CancellationToken ct) => Ok(s.ResendAsync(id, ct)))
            .WithSummary("Send the key again with a new link and PIN; the old ones stop working. Also clears a lock.");
        keys.MapPost("/revoke", (Guid id, CloudKeyService s, CancellationToken ct) => Ok(s.RevokeAsync(id, ct)))
            .WithSummary("Revoke the key: it opens nothing from now on.");
        keys.MapPost("/clear-lock", (Guid id, CloudKeyService s, CancellationToken ct) => Ok(s.ClearLockAsync(id, ct)))
            .WithSummary("Unlock a key that wrong PINs locked; its link and PIN work again.");
    }

    /// <summary>The two public calls of a key's page, and the page; no account, rate limited per client.</summary>
    public static void MapPublicCloudKeys(this IEndpointRouteBuilder app)
    {
        var open = app.MapGroup("/api/v1/public/cloud-keys").WithTags("Cloud Keys (public)")
            .AllowAnonymous().RequireRateLimiting(PublicRateLimit);
        open.MapGet("/{token}", GetPage).WithSummary("What a Cloud Key's link shows: the organization, the user, the key's status and the doors. Changes nothing.");
        open.MapPost("/{token}/unlock", Unlock).WithSummary("Open a door with a Cloud Key and its PIN.");

        app.MapGet("/k/{token}", ServePage).AllowAnonymous().RequireRateLimiting(PublicRateLimit).ExcludeFromDescription();
    }

    private static async Task<Results<Created<CredentialDto>, ProblemHttpResult>> Create(
        Guid userId, CreateCloudKeyRequest request, CloudKeyService keys, CancellationToken ct)
    {
        var result = await keys.CreateAsync(userId, request, ct);
        return result.ToCreated(k => $"/api/v1/credentials/{k.Id}");
    }

    private static async Task<Results<Ok<CredentialDto>, ProblemHttpResult>> Ok(Task<Result<CredentialDto>> operation) =>
        (await operation).ToOk();

    private static async Task<Results<Ok<CloudKeyPageDto>, ProblemHttpResult>> GetPage(string token, CloudKeyAccess access, CancellationToken ct) =>
        (await access.GetPageAsync(token, ct)).ToOk();

    private static async Task<Results<Ok<CloudKeyUnlocked>, ProblemHttpResult>> Unlock(
        string token, CloudKeyUnlockRequest request, CloudKeyAccess access, CancellationToken ct) =>
        (await access.UnlockAsync(token, request, ct)).ToOk();

    private static IResult ServePage(string token, HttpContext http, IWebHostEnvironment environment)
    {
        var headers = http.Response.Headers;
        headers.ContentSecurityPolicy = PageContentSecurityPolicy;
        headers.CacheControl = "no-store";
        headers["Referrer-Policy"] = "no-referrer";
        headers["X-Robots-Tag"] = "noindex, nofollow";
        var page = environment.WebRootFileProvider.GetFileInfo("cloud-key/index.html");
        return Results.File(page.CreateReadStream(), "text/html; charset=utf-8");
    }
}
