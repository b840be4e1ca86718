using Gatehouse.Server.Features.AdminConsole;
using Gatehouse.Server.Features.Events;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Gatehouse.Server.Components.Pages.Events;

/// <summary>
/// The access history as CSV for the admin signed in to the console: the API's <c>/api/v1/events.csv</c>
/// takes only bearer tokens, so the console's cookie gets this twin, with the same filters and writer.
/// </summary>
internal static class EventCsvEndpoints
{
    public static void MapEventCsv(this IEndpointRouteBuilder app) =>
        app.MapGet("/events/export.csv", Export).RequireAuthorization(AdminConsoleRegistration.Policy).ExcludeFromDescription();

    private static Results<PushStreamHttpResult, ProblemHttpResult> Export(
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
