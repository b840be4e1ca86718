using Gatehouse.Server.Features.AccessGroups;
using Gatehouse.Server.Features.Accounts;
using Gatehouse.Server.Features.Audit;
using Gatehouse.Server.Features.CloudKeys;
using Gatehouse.Server.Features.Credentials;
using Gatehouse.Server.Features.Decisions;
using Gatehouse.Server.Features.Devices;
using Gatehouse.Server.Features.Devices.Enrollments;
using Gatehouse.Server.Features.Doors;
using Gatehouse.Server.Features.Events;
using Gatehouse.Server.Features.Faces;
using Gatehouse.Server.Features.Mobile;
using Gatehouse.Server.Features.Messaging;
using Gatehouse.Server.Features.Organizations;
using Gatehouse.Server.Features.Schedules;
using Gatehouse.Server.Features.Sites;
using Gatehouse.Server.Features.Users;

namespace Gatehouse.Server.Infrastructure;

internal static class ApiEndpoints
{
    /// <summary>
    /// Everything under <c>/api/v1</c>. Reading needs the viewer role; every endpoint that is not a GET
    /// needs at least the admin role unless it names a policy of its own (<see cref="MutationsNeedAdmin"/>,
    /// part of the viewer policy), so a new endpoint cannot forget it.
    /// </summary>
    public static void MapGatehouseApi(this IEndpointRouteBuilder app)
    {
        // Where to start, for someone who types the API's address into a browser (and not the reference page's route).
        app.MapGet("/api/v1", () => TypedResults.Ok(new ApiIndex("/api/v1/auth/token", "/openapi/v1.json", "/api/")))
            .AllowAnonymous()
            .ExcludeFromDescription();

        var api = app.MapGroup("/api/v1").RequireAuthorization(Policies.Viewer);

        api.MapAuth();
        api.MapOrganizations();
        api.MapSites();
        api.MapDoors();
        api.MapSchedules();
        api.MapAccessGroups();
        api.MapUsers();
        api.MapCredentials();
        api.MapCloudKeys();
        api.MapFaces();
        api.MapMobile();
        api.MapOutbox();
        api.MapAccessDecisions();
        api.MapAccessEvents();
        api.MapAdmins();
        api.MapAccount();
        api.MapAudit();
        api.MapDevices();
        api.MapEnrollments();
    }
}

internal sealed record ApiIndex(string SignIn, string OpenApi, string Reference);
