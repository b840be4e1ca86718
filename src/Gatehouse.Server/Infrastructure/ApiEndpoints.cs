using Gatehouse.Server.Features.AccessGroups;
using Gatehouse.Server.Features.Accounts;
using Gatehouse.Server.Features.Credentials;
using Gatehouse.Server.Features.Decisions;
using Gatehouse.Server.Features.Doors;
using Gatehouse.Server.Features.Events;
using Gatehouse.Server.Features.Organizations;
using Gatehouse.Server.Features.Schedules;
using Gatehouse.Server.Features.Sites;
using Gatehouse.Server.Features.Users;

namespace Gatehouse.Server.Infrastructure;

internal static class ApiEndpoints
{
    /// <summary>
    /// Everything under <c>/api/v1</c>. Reading needs the viewer role; every endpoint that is not a GET
    /// needs at least the admin role unless it says otherwise, so a new endpoint cannot forget it.
    /// </summary>
    public static void MapGatehouseApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/v1").RequireAuthorization(Policies.Viewer).AddEndpointFilter(MutationsNeedAdmin.Filter);

        api.MapAuth();
        api.MapOrganizations();
        api.MapSites();
        api.MapDoors();
        api.MapSchedules();
        api.MapAccessGroups();
        api.MapUsers();
        api.MapCredentials();
        api.MapAccessDecisions();
        api.MapAccessEvents();
    }
}
