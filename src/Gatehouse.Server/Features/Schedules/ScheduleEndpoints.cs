using Gatehouse.Server.Infrastructure;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Gatehouse.Server.Features.Schedules;

internal static class ScheduleEndpoints
{
    public static void MapSchedules(this IEndpointRouteBuilder api)
    {
        var schedules = api.MapGroup("/schedules").WithTags("Schedules");
        schedules.MapGet("/", List).WithSummary("List the schedules, by name.");
        schedules.MapGet("/{id:guid}", Get).WithSummary("Get a schedule.");
        schedules.MapPost("/", Create).WithSummary("Create a schedule: weekly windows of local time and holidays.");
        schedules.MapPatch("/{id:guid}", Update).WithSummary("Change a schedule; windows or holidays, when sent, replace the whole list.");
        schedules.MapDelete("/{id:guid}", Delete).WithSummary("Delete a schedule that no access group uses.");
    }

    private static async Task<Results<Ok<PagedList<ScheduleDto>>, ProblemHttpResult>> List(
        int? page, int? pageSize, ScheduleService schedules, CancellationToken ct)
    {
        var result = await schedules.ListAsync(page, pageSize, ct);
        return result.ToOk();
    }

    private static async Task<Results<Ok<ScheduleDto>, ProblemHttpResult>> Get(Guid id, ScheduleService schedules, CancellationToken ct)
    {
        var result = await schedules.GetAsync(id, ct);
        return result.ToOk();
    }

    private static async Task<Results<Created<ScheduleDto>, ProblemHttpResult>> Create(
        CreateScheduleRequest request, ScheduleService schedules, CancellationToken ct)
    {
        var result = await schedules.CreateAsync(request, ct);
        return result.ToCreated(created => $"/api/v1/schedules/{created.Id}");
    }

    private static async Task<Results<Ok<ScheduleDto>, ProblemHttpResult>> Update(
        Guid id, UpdateScheduleRequest request, ScheduleService schedules, CancellationToken ct)
    {
        var result = await schedules.UpdateAsync(id, request, ct);
        return result.ToOk();
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> Delete(Guid id, ScheduleService schedules, CancellationToken ct) =>
        await schedules.DeleteAsync(id, ct) is { } error ? error.ToProblem() : TypedResults.NoContent();
}
