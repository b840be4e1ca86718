using Gatehouse.Server.Infrastructure;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;

namespace Gatehouse.Server.Features.Accounts;

internal sealed record TokenRequest(string? Email, string? Password);

internal sealed record TokenResponse(string AccessToken, DateTimeOffset ExpiresAt);

internal static class AuthEndpoints
{
    public const string SignInRateLimit = "sign-in";

    public static void MapAuth(this IEndpointRouteBuilder api)
    {
        api.MapPost("/auth/token", IssueToken)
            .AllowAnonymous()
            .RequireRateLimiting(SignInRateLimit)
            .WithTags("Authentication")
            .WithSummary("Exchange an email and password for an API access token.");
    }

    private static async Task<Results<Ok<TokenResponse>, ProblemHttpResult>> IssueToken(
        TokenRequest request, AccountService accounts, CancellationToken ct)
    {
        var v = new Validation().Text("email", request.Email, Admin.EmailMaxLength).Secret("password", request.Password, 256);
        if (!v.IsValid)
        {
            return v.ToError().ToProblem();
        }

        var admin = await accounts.CheckPasswordAsync(request.Email!, request.Password!, ct);
        if (admin is null)
        {
            return TypedResults.Problem(new ProblemDetails
            {
                Status = StatusCodes.Status401Unauthorized,
                Title = "Sign-in failed",
                Detail = "The email or password is wrong, or the account is locked for a while after too many attempts.",
            });
        }

        var (token, expiresAt) = await accounts.IssueTokenAsync(admin, ct);
        return TypedResults.Ok(new TokenResponse(token, expiresAt));
    }
}
