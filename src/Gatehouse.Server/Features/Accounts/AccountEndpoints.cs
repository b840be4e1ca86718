using System.Security.Claims;
using Gatehouse.Server.Infrastructure;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Gatehouse.Server.Features.Accounts;

/// <summary>The caller's own account: their sessions. Any role may see and end its own sessions.</summary>
internal static class AccountEndpoints
{
    public static void MapAccount(this IEndpointRouteBuilder api)
    {
        var sessions = api.MapGroup("/account/sessions").WithTags("Account").RequireAuthorization(Policies.Account);

        sessions.MapGet("", List)
            .WithSummary("Your live sessions (API tokens and console sign-ins): kind, created, last seen, client; the calling one has current: true.");
        sessions.MapDelete("/{id:guid}", End).WithSummary("End one of your sessions; its token or console cookie stops working.");
        sessions.MapDelete("", EndOthers).WithSummary("End all your sessions but the calling one.");
    }

    private static async Task<Ok<IReadOnlyList<SessionDto>>> List(ClaimsPrincipal user, SessionService sessions, CancellationToken ct) =>
        TypedResults.Ok(await sessions.ListAsync(AdminCaller.From(user).Id, CurrentSessionId(user), ct));

    private static async Task<Results<NoContent, ProblemHttpResult>> End(Guid id, ClaimsPrincipal user, SessionService sessions, CancellationToken ct)
    {
        var error = await sessions.EndAsync(AdminCaller.From(user).Id, id, ct);
        return error is null ? TypedResults.NoContent() : error.ToProblem();
    }

    private static async Task<NoContent> EndOthers(ClaimsPrincipal user, SessionService sessions, CancellationToken ct)
    {
        await sessions.EndOthersAsync(AdminCaller.From(user).Id, CurrentSessionId(user), ct);
        return TypedResults.NoContent();
    }

    public static Guid? CurrentSessionId(ClaimsPrincipal user) =>
        Guid.TryParse(user.FindFirstValue(GatehouseClaims.SessionId), out var id) ? id : null;
}
