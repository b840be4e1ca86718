using System.Security.Claims;
using System.Threading.RateLimiting;
using Gatehouse.Faces;
using Gatehouse.Server.Features.Accounts;
using Gatehouse.Server.Features.Credentials;
using Gatehouse.Server.Infrastructure;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.Options;

namespace Gatehouse.Server.Features.Faces;

internal static class FaceEndpoints
{
    public const string PublicRateLimit = "face-invitation-public";

    /// <summary>Room for the multipart framing and the other fields around the photo.</summary>
    public const int MultipartOverheadBytes = 64 * 1024;

    // The selfie page: the link's token is the only secret, so nothing on it may load from elsewhere, be framed, or
    // send the address anywhere. The camera's frames are shown from blob: URLs.
    private const string SelfieContentSecurityPolicy =
        "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self' blob: data:; " +
        "media-src 'self' blob:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

    public static IServiceCollection AddFaces(this IServiceCollection services)
    {
        services.AddOptions<FaceOptions>().BindConfiguration(FaceOptions.Section).ValidateDataAnnotations().ValidateOnStart()
            .PostConfigure<IOptions<GatehouseOptions>>((o, gatehouse) =>
                o.ModelDirectory = string.IsNullOrWhiteSpace(o.ModelDirectory)
                    ? Path.Combine(gatehouse.Value.FullDataDirectory, "face-models")
                    : Path.GetFullPath(o.ModelDirectory));
        services.AddOptions<FaceInvitationOptions>().BindConfiguration(FaceInvitationOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton<FaceEngineHost>();
        services.AddSingleton<DeviceFaceTemplates>();
        services.AddHostedService(sp => sp.GetRequiredService<FaceEngineHost>());
        services.AddSingleton<FaceProtector>();
        services.AddScoped<FaceSettingsService>();
        services.AddScoped<FaceCredentialDetails>();
        services.AddScoped<FaceEnrollmentService>();
        services.AddScoped<FaceInvitationService>();
        services.AddReadinessCheck<FaceReadinessCheck>("face");
        services.AddPerClientPerMinute<FaceInvitationOptions>(PublicRateLimit, o => o.PublicRequestsPerMinute);
        return services;
    }

    /// <summary>The administrator's calls, inside the API's authorized group.</summary>
    public static void MapFaces(this IEndpointRouteBuilder api)
    {
        var photoLimit = new RequestSizeLimitAttribute(PhotoRequestLimit(api.ServiceProvider));

        var users = api.MapGroup("/users/{userId:guid}/credentials/faces").WithTags("Faces");
        // The form is read by the handler, not declared with Accepts: a content-type filter would answer 415 at routing,
        // before authorization, where a viewer must get 403.
        users.MapPost("/", Enroll).WithMetadata(photoLimit).DisableAntiforgery()
            .WithSummary("Enroll a user's face from a photo: multipart `photo` (JPEG, PNG or WebP) and `consent=true`.");
        users.MapPost("/invitations", CreateInvitation)
            .WithSummary("Send a user a selfie invitation by email and/or text: {sendEmail, sendText, expiresAt}.");
        users.MapGet("/invitations", (Guid userId, int? page, int? pageSize, FaceInvitationService s, CancellationToken ct) => Ok(s.ListAsync(userId, page, pageSize, ct)))
            .WithSummary("A user's selfie invitations, newest first, each sent, opened, completed, expired or revoked.");

        var invitations = api.MapGroup("/face-invitations/{id:guid}").WithTags("Faces");
        invitations.MapGet("", (Guid id, FaceInvitationService s, CancellationToken ct) => Ok(s.GetAsync(id, ct)))
            .WithSummary("A selfie invitation.");
        invitations.MapPost("/revoke", (Guid id, FaceInvitationService s, CancellationToken ct) => Ok(s.RevokeAsync(id, ct)))
            .WithSummary("Revoke a selfie invitation: its link works no more.");
        invitations.MapPost("/resend", (Guid id, FaceInvitationService s, CancellationToken ct) => Ok(s.ResendAsync(id, ct)))
            .WithSummary("Send a selfie invitation again with a new link; the old link stops working.");

        api.MapGet("/face-credentials/{id:guid}/thumbnail", Thumbnail).WithTags("Faces")
            .WithSummary("The 160 px JPEG kept of an enrolled face (when the organization keeps thumbnails).");

        var settings = api.MapGroup("/organization/face-settings").WithTags("Faces");
        settings.MapGet("", (FaceSettingsService s, CancellationToken ct) => Ok(s.GetAsync(ct)))
            .WithSummary("The organization's face settings: {keepThumbnails, notice}.");
        settings.MapPatch("", UpdateSettings)
            .WithSummary("Change keepThumbnails, or write a new version of the consent notice: {keepThumbnails?, notice?}.");
        settings.MapGet("/notices", async (FaceSettingsService s, CancellationToken ct) => TypedResults.Ok(await s.ListNoticesAsync(ct)))
            .WithSummary("Every version of the consent notice, newest first.");
    }

    /// <summary>The selfie page and its two calls; no account, rate limited per client.</summary>
    public static void MapPublicFaces(this IEndpointRouteBuilder app)
    {
        var open = app.MapGroup("/api/v1/public/face-invitations").WithTags("Faces (public)")
            .AllowAnonymous().RequireRateLimiting(PublicRateLimit);
        open.MapGet("/{token}", (string token, FaceInvitationService s, CancellationToken ct) => Ok(s.GetPublicAsync(token, ct)))
            .WithSummary("What a selfie invitation's link shows: the organization, the first name, the notice and the status. Changes nothing but \"opened\".");
        open.MapPost("/{token}/photo", Selfie).WithMetadata(new RequestSizeLimitAttribute(PhotoRequestLimit(app.ServiceProvider)))
            .DisableAntiforgery()
            .WithSummary("Enroll the invited user's face from their selfie: multipart `photo` and `consent=true`.");

        app.MapGet("/s/{token}", ServePage).AllowAnonymous().RequireRateLimiting(PublicRateLimit).ExcludeFromDescription();
    }

    private static long PhotoRequestLimit(IServiceProvider services) =>
        (long)services.GetRequiredService<IOptions<FaceOptions>>().Value.MaxImageBytes + MultipartOverheadBytes;

    private static async Task<Results<Ok<T>, ProblemHttpResult>> Ok<T>(Task<Result<T>> operation) => (await operation).ToOk();

    private static async Task<Results<Created<CredentialDto>, ProblemHttpResult>> Enroll(
        Guid userId, HttpRequest request, ClaimsPrincipal user, FaceEnrollmentService faces, CancellationToken ct)
    {
        var form = await PhotoForm.ReadAsync(request, ct);
        var consent = new FaceConsentInput(form.Consent, AdminCaller.From(user).Id, RemoteAddress(request), form.NoticeVersion);
        await using var photo = form.Photo?.OpenReadStream();
        var result = await faces.EnrollFromPhotoAsync(userId, photo, consent, ct);
        return result.ToCreated(c => $"/api/v1/credentials/{c.Id}");
    }

    private static async Task<Results<Created<FaceSelfieResult>, ProblemHttpResult>> Selfie(
        string token, HttpRequest request, FaceInvitationService invitations, CancellationToken ct)
    {
        var form = await PhotoForm.ReadAsync(request, ct);
        await using var photo = form.Photo?.OpenReadStream();
        var result = await invitations.UploadAsync(token, photo, form.Consent, form.NoticeVersion, RemoteAddress(request), ct);
        return result.ToCreated(_ => $"/api/v1/public/face-invitations/{token}");
    }

    private static async Task<Results<Created<FaceInvitationDto>, ProblemHttpResult>> CreateInvitation(
        Guid userId, CreateFaceInvitationRequest body, ClaimsPrincipal user, FaceInvitationService invitations, CancellationToken ct)
    {
        var result = await invitations.CreateAsync(userId, AdminCaller.From(user).Id, body, ct);
        return result.ToCreated(i => $"/api/v1/face-invitations/{i.Id}");
    }

    private static async Task<Results<FileContentHttpResult, ProblemHttpResult>> Thumbnail(
        Guid id, HttpContext http, FaceEnrollmentService faces, CancellationToken ct)
    {
        var result = await faces.GetThumbnailAsync(id, ct);
        if (result.Error is { } error)
        {
            return error.ToProblem();
        }

        http.Response.Headers.CacheControl = "no-store";
        return TypedResults.File(result.Value!, "image/jpeg");
    }

    private static async Task<Results<Ok<FaceSettingsDto>, ProblemHttpResult>> UpdateSettings(
        UpdateFaceSettingsRequest body, ClaimsPrincipal user, FaceSettingsService settings, CancellationToken ct) =>
        (await settings.UpdateAsync(AdminCaller.From(user).Id, body, ct)).ToOk();

    private static IResult ServePage(string token, HttpContext http, IWebHostEnvironment environment)
    {
        var headers = http.Response.Headers;
        headers.ContentSecurityPolicy = SelfieContentSecurityPolicy;
        headers.CacheControl = "no-store";
        headers["Referrer-Policy"] = "no-referrer";
        headers["X-Robots-Tag"] = "noindex, nofollow";
        headers["Permissions-Policy"] = "camera=(self), microphone=(), geolocation=()";
        var page = environment.WebRootFileProvider.GetFileInfo("selfie/index.html");
        return Results.File(page.CreateReadStream(), "text/html; charset=utf-8");
    }

    private static string? RemoteAddress(HttpRequest request) => request.HttpContext.Connection.RemoteIpAddress?.ToString();

    /// <summary>The fields of a photo upload: <c>photo</c>, <c>consent</c> (true only as "true" or "on"), and the optional <c>noticeVersion</c>.</summary>
    private sealed record PhotoForm(IFormFile? Photo, bool Consent, int? NoticeVersion)
    {
        public static async Task<PhotoForm> ReadAsync(HttpRequest request, CancellationToken ct)
        {
            if (!request.HasFormContentType)
            {
                return new PhotoForm(null, false, null);
            }

            var form = await request.ReadFormAsync(ct);
            var consent = form["consent"].ToString() is var c
                && (string.Equals(c, "true", StringComparison.OrdinalIgnoreCase) || string.Equals(c, "on", StringComparison.OrdinalIgnoreCase));
            var version = int.TryParse(form["noticeVersion"].ToString(), System.Globalization.CultureInfo.InvariantCulture, out var v) ? v : (int?)null;
            return new PhotoForm(form.Files.GetFile("photo"), consent, version);
        }
    }
}
