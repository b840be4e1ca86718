using Gatehouse.Server.Components.Shared;
using Gatehouse.Server.Features.AdminConsole;
using Gatehouse.Server.Features.Devices;
using Gatehouse.Server.Features.Devices.Enrollments;
using Gatehouse.Server.Features.Doors;
using Gatehouse.Server.Infrastructure;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Gatehouse.Server.Features.Devices;

/// <summary>Status reads that <c>js/devices.js</c> polls to keep console pages current, for the admin signed in with the console's cookie.</summary>
internal static class DeviceConsoleEndpoints
{
    public static void MapDeviceConsole(this IEndpointRouteBuilder app)
    {
        app.MapGet("/devices/live.json", LiveAsync).RequireAuthorization(AdminConsoleRegistration.Policy).ExcludeFromDescription();
        app.MapGet("/enrollments/{id:guid}/status.json", EnrollmentStatusAsync).RequireAuthorization(AdminConsoleRegistration.Policy).ExcludeFromDescription();
    }

    /// <summary>Every device's state as the pages word it (an organization has a handful of devices, not thousands).</summary>
    private static async Task<Ok<LiveDevices>> LiveAsync(DeviceService devices, DoorService doors, HttpContext http)
    {
        var ct = http.RequestAborted;
        var list = (await devices.ListAsync(1, Paging.MaxPageSize, ct)).Value?.Items ?? [];
        var names = ((await doors.ListAsync(null, 1, Paging.MaxPageSize, ct)).Value?.Items ?? []).ToDictionary(d => d.Id, d => d.Name);
        var zone = ViewerTime.Zone(http);
        http.Response.Headers.CacheControl = "no-store";
        return TypedResults.Ok(new LiveDevices([.. list.Select(d => DeviceLiveText.From(d, names, zone))]));
    }

    private static async Task<Results<Ok<LiveEnrollment>, Microsoft.AspNetCore.Http.HttpResults.NotFound>> EnrollmentStatusAsync(Guid id, EnrollmentService enrollments, HttpContext http)
    {
        http.Response.Headers.CacheControl = "no-store";
        return (await enrollments.GetAsync(id, http.RequestAborted)).Value is { } enrollment
            ? TypedResults.Ok(new LiveEnrollment(enrollment.Id, enrollment.Status))
            : TypedResults.NotFound();
    }

    internal sealed record LiveDevices(IReadOnlyList<DeviceLive> Devices);

    internal sealed record LiveEnrollment(Guid Id, EnrollmentStatus Status);
}
