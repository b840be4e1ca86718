using Gatehouse.Server.Infrastructure;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Gatehouse.Server.Features.AccessGroups;

internal static class AccessGroupEndpoints
{
    public static void MapAccessGroups(this IEndpointRouteBuilder api)
    {
        var groups = api.MapGroup("/access-groups").WithTags("Access groups");
        groups.MapGet("/", List).WithSummary("List the access groups, by name.");
        groups.MapGet("/{id:guid}", Get).WithSummary("Get an access group.");
        groups.MapPost("/", Create).WithSummary("Create an access group: doors that open on a schedule.");
        groups.MapPatch("/{id:guid}", Update).WithSummary("Change an access group; doorIds, when sent, replaces its doors.");
        groups.MapDelete("/{id:guid}", Delete).WithSummary("Delete an access group; its users lose it.");
    }

    private static async Task<Results<Ok<PagedList<AccessGroupDto>>, ProblemHttpResult>> List(
        int? page, int? pageSize, AccessGroupService groups, CancellationToken ct)
    {
        var result = await groups.ListAsync(page, pageSize, ct);
        return result.ToOk();
    }

    private static async Task<Results<Ok<AccessGroupDto>, ProblemHttpResult>> Get(Guid id, AccessGroupService groups, CancellationToken ct)
    {
        var result = await groups.GetAsync(id, ct);
        return result.ToOk();
    }

    private static async Task<Results<Created<AccessGroupDto>, ProblemHttpResult>> Create(
        CreateAccessGroupRequest request, AccessGroupService groups, CancellationToken ct)
    {
        var result = await groups.CreateAsync(request, ct);
        return result.ToCreated(created => $"/api/v1/access-groups/{created.Id}");
    }

    private static async Task<Results<Ok<AccessGroupDto>, ProblemHttpResult>> Update(
        Guid id, UpdateAccessGroupRequest request, AccessGroupService groups, CancellationToken ct)
    {
        var result = await groups.UpdateAsync(id, request, ct);
        return result.ToOk();
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> Delete(Guid id, AccessGroupService groups, CancellationToken ct) =>
        await groups.DeleteAsync(id, ct) is { } error ? error.ToProblem() : TypedResults.NoContent();
}
