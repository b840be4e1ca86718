using Gatehouse.Server.Infrastructure;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Gatehouse.Server.Features.Audit;

internal static class AuditEndpoints
{
    /// <summary>Read-only on purpose: the log has no call that edits or removes an entry.</summary>
    public static void MapAudit(this IEndpointRouteBuilder api)
    {
        var audit = api.MapGroup("/audit").WithTags("Audit");

        audit.MapGet("", List)
            .WithSummary("The organization's audit log, newest first; filter by entityType, entityId or actor (id or email).");
        audit.MapGet("/verify", async (AuditService service, CancellationToken ct) => TypedResults.Ok(await service.VerifyAsync(ct)))
            .WithSummary("Recompute the hash chain of the audit log: {valid, entries, firstBrokenAt?}.");
    }

    private static async Task<Results<Ok<PagedList<AuditEntryDto>>, ProblemHttpResult>> List(
        AuditService service, CancellationToken ct,
        string? entityType = null, string? entityId = null, string? actor = null, int? page = null, int? pageSize = null)
    {
        var result = await service.ListAsync(entityType, entityId, actor, page, pageSize, ct);
        return result.ToOk();
    }
}
