using System.Globalization;
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

    // Query values are taken as text so a bad one is a 400 naming its parameter.
    private static async Task<Results<Ok<PagedList<AccessEventDto>>, ProblemHttpResult>> List(
        AccessEventService events, CancellationToken ct,
        string? doorId = null, string? userId = null, string? from = null, string? to = null, string? result = null,
        string? page = null, string? pageSize = null)
    {
        var filter = AccessEventFilter.Parse(doorId, userId, from, to, result);
        if (filter.Error is { } error)
        {
            return error.ToProblem();
        }

        if (!TryPaging(page, pageSize, out var p, out var size, out var pagingError))
        {
            return pagingError.ToProblem();
        }

        var list = await events.ListAsync(filter.Value!, p, size, ct);
        return list.Error is { } listError ? listError.ToProblem() : TypedResults.Ok(list.Value);
    }

    private static Results<PushStreamHttpResult, ProblemHttpResult> Csv(
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

    private static bool TryPaging(string? page, string? pageSize, out int? p, out int? size, out ApiError error)
    {
        var v = new Validation();
        p = ParseInt(v, "page", page);
        size = ParseInt(v, "pageSize", pageSize);
        error = v.IsValid ? null! : v.ToError();
        return v.IsValid;
    }

    private static int? ParseInt(Validation v, string field, string? text)
    {
        if (string.IsNullOrEmpty(text))
        {
            return null;
        }

        if (int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var value))
        {
            return value;
        }

        v.Add(field, "Must be a whole number.");
        return null;
    }
}
