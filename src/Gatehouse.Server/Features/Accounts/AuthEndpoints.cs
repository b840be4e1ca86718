using Gatehouse.Server.Infrastructure;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Gatehouse.Server.Features.Accounts;

/// <summary>
/// <c>organizationId</c> is needed only when the email and password are an administrator's in several
/// organizations; the answer then lists them.
/// </summary>
internal sealed record TokenRequest(string? Email, string? Password, Guid? OrganizationId = null);

internal sealed record TokenResponse(string AccessToken, DateTimeOffset ExpiresAt);

internal static class AuthEndpoints
{
    public const string SignInRateLimit = "sign-in";

    private static readonly ApiError SignInFailed = new ApiError.Unauthorized(
        "The email or password is wrong, or the account is locked for a while after too many attempts.", "Sign-in failed");

    public static void MapAuth(this IEndpointRouteBuilder api)
    {
        api.MapPost("/auth/token", IssueToken)
            .AllowAnonymous()
            .RequireRateLimiting(SignInRateLimit)
            .WithTags("Authentication")
            .WithSummary("Exchange an email and password (and, for an email in several organizations, the organizationId) for an API access token.");
    }

    private static async Task<Results<Ok<TokenResponse>, ProblemHttpResult>> IssueToken(
        TokenRequest request, HttpContext http, AccountService accounts, CancellationToken ct)
    {
        var v = new Validation().Text("email", request.Email, Admin.EmailMaxLength).Secret("password", request.Password, 256);
        if (!v.IsValid)
        {
            return v.ToError().ToProblem();
        }

        switch (await accounts.SignInAsync(request.Email!, request.Password!, request.OrganizationId, ct))
        {
            case SignInOutcome.SignedIn signedIn:
                var (token, expiresAt) = await accounts.IssueTokenAsync(
                    signedIn.Admin, http.Connection.RemoteIpAddress?.ToString(), http.Request.Headers.UserAgent, ct);
                return TypedResults.Ok(new TokenResponse(token, expiresAt));
            case SignInOutcome.ChooseOrganization choose:
                // Only after the password proved right for each: the caller administers all of them.
                return new ApiError.ChooseOrganization([.. choose.Choices.Select(c => new OrganizationOption(c.OrganizationId, c.Name))]).ToProblem();
            default:
                return SignInFailed.ToProblem();
        }
    }
}
