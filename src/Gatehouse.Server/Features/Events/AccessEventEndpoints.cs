using Gatehouse.Server.Infrastructure;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Gatehouse.Server.Features.Events;

internal static class AccessEventEndpoints
{
    public static void MapAccessEvents(this IEndpointRouteBuilder api)
    {
        var events = api.MapGroup("").WithTags("Access events");

        events.MapGet("/events", List)
            .WithSummary("The access history, newest first: ?doorId=&userId=&from=&to=&result=granted|denied&page=&pageSize=.");
        events.MapGet("/events.csv", Csv)
            .WithSummary("The access history as CSV, newest first, with the same filters as /events.");
    }

    // The filters are taken as text so a bad one is a 400 naming its parameter, with the instant's expected form.
    private static async Task<Results<Ok<PagedList<AccessEventDto>>, ProblemHttpResult>> List(
        AccessEventService events, CancellationToken ct,
        string? doorId = null, string? userId = null, string? from = null, string? to = null, string? result = null,
        int? page = null, int? pageSize = null)
    {
        var filter = AccessEventFilter.Parse(doorId, userId, from, to, result);
        if (filter.Error is { } error)
        {
            return error.ToProblem();
        }

        return (await events.ListAsync(filter.Value!, page, pageSize, ct)).ToOk();
    }

    /// <summary>Also serves the admin console's cookie-authorised twin, <c>/events/export.csv</c>.</summary>
    internal static Results<PushStreamHttpResult, ProblemHttpResult> Csv(
        AccessEventService events, HttpContext http,
        string? doorId = null, string? userId = null, string? from = null, string? to = null, string? result = null)
    {
        var filter = AccessEventFilter.Parse(doorId, userId, from, to, result);
        if (filter.Error is { } error)
        {
            return error.ToProblem();
        }

        var ct = http.RequestAborted;
        return TypedResults.Stream(
            body => AccessEventCsv.WriteAsync(body, events.StreamAsync(filter.Value!, ct), ct),
            "text/csv; charset=utf-8",
            "access-events.csv");
    }
}
