using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Authorization.Policy;

namespace Gatehouse.Server.Infrastructure;

/// <summary>Answers 401 and 403 as problem documents that say what to do, instead of an empty body.</summary>
internal sealed class ProblemAuthorizationResultHandler(IProblemDetailsService problems) : IAuthorizationMiddlewareResultHandler
{
    private readonly AuthorizationMiddlewareResultHandler _default = new();

    public async Task HandleAsync(RequestDelegate next, HttpContext context, AuthorizationPolicy policy, PolicyAuthorizationResult authorizeResult)
    {
        await _default.HandleAsync(next, context, policy, authorizeResult);
        // A scheme that answers otherwise (the console's cookie redirects to its sign-in page) is left alone.
        if (!(authorizeResult.Challenged || authorizeResult.Forbidden) || context.Response.HasStarted
            || context.Response.StatusCode is not (StatusCodes.Status401Unauthorized or StatusCodes.Status403Forbidden))
        {
            return;
        }

        ApiError error = authorizeResult.Challenged
            ? new ApiError.Unauthorized(context.Request.Headers.Authorization.Count == 0
                ? "Sign in with POST /api/v1/auth/token and send the token as 'Authorization: Bearer <token>'."
                : "The access token is unknown, revoked or expired. Sign in again.")
            : new ApiError.Forbidden(authorizeResult.AuthorizationFailure?.FailureReasons.Select(r => r.Message).FirstOrDefault()
                ?? "Your role does not allow this.");
        await problems.TryWriteAsync(new ProblemDetailsContext { HttpContext = context, ProblemDetails = error.ToProblemDetails() });
    }
}
