using Gatehouse.Server.Infrastructure;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Gatehouse.Server.Features.Decisions;

internal static class AccessDecisionEndpoints
{
    public static void MapAccessDecisions(this IEndpointRouteBuilder api)
    {
        api.MapPost("/access/decisions", Decide)
            .ReadsOnly()
            .WithTags("Access decisions")
            .WithSummary("Would this card open this door at this instant? Opens nothing and records no event.");
    }

    private static async ValueTask<Results<Ok<AccessDecisionDto>, ProblemHttpResult>> Decide(
        AccessDecisionRequest request, AccessDecisionService decisions, CancellationToken ct)
    {
        var result = await decisions.DecideAsync(request, ct);
        return result.ToOk();
    }
}
