using Gatehouse.Server.Infrastructure;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Gatehouse.Server.Features.Doors;

internal static class DoorEndpoints
{
    public static void MapDoors(this IEndpointRouteBuilder api)
    {
        var doors = api.MapGroup("/doors").WithTags("Doors");
        doors.MapGet("/", List).WithSummary("List the doors, by name; ?siteId= narrows to one site.");
        doors.MapGet("/{id:guid}", Get).WithSummary("Get a door.");
        doors.MapPost("/", Create).WithSummary("Create a door at a site.");
        doors.MapPatch("/{id:guid}", Update).WithSummary("Rename a door or move it to another site.");
        doors.MapDelete("/{id:guid}", Delete).WithSummary("Delete a door; it leaves every access group.");
    }

    private static async Task<Results<Ok<PagedList<DoorDto>>, ProblemHttpResult>> List(
        string? siteId, int? page, int? pageSize, DoorService doors, CancellationToken ct)
    {
        // Bound as text so that a malformed value is a 400 naming siteId rather than a generic binding error.
        Guid? site = null;
        if (siteId is not null)
        {
            if (!Guid.TryParse(siteId, out var parsed))
            {
                return ApiError.Invalid.Field("siteId", "Must be a site ID.").ToProblem();
            }

            site = parsed;
        }

        var result = await doors.ListAsync(site, page, pageSize, ct);
        return result.ToOk();
    }

    private static async Task<Results<Ok<DoorDto>, ProblemHttpResult>> Get(Guid id, DoorService doors, CancellationToken ct)
    {
        var result = await doors.GetAsync(id, ct);
        return result.ToOk();
    }

    private static async Task<Results<Created<DoorDto>, ProblemHttpResult>> Create(
        CreateDoorRequest request, DoorService doors, CancellationToken ct)
    {
        var result = await doors.CreateAsync(request, ct);
        return result.ToCreated(created => $"/api/v1/doors/{created.Id}");
    }

    private static async Task<Results<Ok<DoorDto>, ProblemHttpResult>> Update(
        Guid id, UpdateDoorRequest request, DoorService doors, CancellationToken ct)
    {
        var result = await doors.UpdateAsync(id, request, ct);
        return result.ToOk();
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> Delete(Guid id, DoorService doors, CancellationToken ct) =>
        await doors.DeleteAsync(id, ct) is { } error ? error.ToProblem() : TypedResults.NoContent();
}
