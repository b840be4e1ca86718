using Gatehouse.Server.Features.Credentials;
using Gatehouse.Server.Infrastructure;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Gatehouse.Server.Features.Mobile;

internal static class MobileEndpoints
{
    public const string PublicRateLimit = "mobile-public";

    public static IServiceCollection AddMobile(this IServiceCollection services)
    {
        services.AddOptions<MobileOptions>().BindConfiguration(MobileOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddScoped<MobileService>();
        services.AddScoped<MobileAccess>();
        services.AddPerClientPerMinute<MobileOptions>(PublicRateLimit, o => o.PublicRequestsPerMinute);
        return services;
    }

    /// <summary>The admin's calls, inside the API's authorized group.</summary>
    public static void MapMobile(this IEndpointRouteBuilder api)
    {
        api.MapPost("/users/{userId:guid}/credentials/mobile", Create).WithTags("Mobile credentials")
            .WithSummary("Give a user a mobile credential and send the welcome message with its one-time activation link.");
        api.MapPost("/mobile-credentials/{id:guid}/resend", async (Guid id, MobileService s, CancellationToken ct) => (await s.ResendAsync(id, ct)).ToOk())
            .WithTags("Mobile credentials")
            .WithSummary("Send a new activation link: the old link stops working, and a phone already bound is unbound until the new link is opened.");
    }

    /// <summary>The app's public calls; no account, rate limited per client. The phone's key is the proof.</summary>
    public static void MapPublicMobile(this IEndpointRouteBuilder app)
    {
        var open = app.MapGroup("/api/v1/public/mobile").WithTags("Mobile credentials (public)")
            .AllowAnonymous().RequireRateLimiting(PublicRateLimit);
        open.MapPost("/activate", Activate).WithSummary("Bind a pending mobile credential to the phone's public key with the activation link's code.");
        open.MapPost("/{credentialId:guid}/challenge", Challenge).WithSummary("A fresh challenge for the phone to sign (single use, 60 s).");
        open.MapPost("/{credentialId:guid}/doors", Doors).WithSummary("The user's doors, whether each opens now and when the others next do; needs a signed challenge.");
        open.MapPost("/{credentialId:guid}/unlock", Unlock).WithSummary("Open a door with a signed challenge.");
    }

    private static async Task<Results<Created<CredentialDto>, ProblemHttpResult>> Create(
        Guid userId, CreateMobileRequest request, MobileService mobile, CancellationToken ct) =>
        (await mobile.CreateAsync(userId, request, ct)).ToCreated(c => $"/api/v1/credentials/{c.Id}");

    private static async Task<Results<Ok<MobileActivated>, ProblemHttpResult>> Activate(MobileActivateRequest request, MobileAccess access, CancellationToken ct) =>
        (await access.ActivateAsync(request, ct)).ToOk();

    private static async Task<Results<Ok<MobileChallengeDto>, ProblemHttpResult>> Challenge(Guid credentialId, MobileAccess access, CancellationToken ct) =>
        (await access.ChallengeAsync(credentialId, ct)).ToOk();

    private static async Task<Results<Ok<MobileDoorsDto>, ProblemHttpResult>> Doors(
        Guid credentialId, MobileProofRequest request, MobileAccess access, CancellationToken ct) =>
        (await access.DoorsAsync(credentialId, request, ct)).ToOk();

    private static async Task<Results<Ok<MobileUnlocked>, ProblemHttpResult>> Unlock(
        Guid credentialId, MobileUnlockRequest request, MobileAccess access, CancellationToken ct) =>
        (await access.UnlockAsync(credentialId, request, ct)).ToOk();
}
