using Gatehouse.Server.Features.AdminConsole;
using Gatehouse.Server.Features.Events;

namespace Gatehouse.Server.Features.Events;

/// <summary>
/// The access history as CSV for the admin signed in to the console: the API's <c>/api/v1/events.csv</c>
/// takes only bearer tokens, so the console's cookie gets this twin of the same handler.
/// </summary>
internal static class EventCsvEndpoints
{
    public static void MapEventCsv(this IEndpointRouteBuilder app) =>
        app.MapGet("/events/export.csv", AccessEventEndpoints.Csv).RequireAuthorization(AdminConsoleRegistration.Policy).ExcludeFromDescription();
}
