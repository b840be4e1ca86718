using Gatehouse.Core.DeviceProtocol;
using Gatehouse.Server.Infrastructure;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Gatehouse.Server.Features.Devices;

internal static class DeviceEndpoints
{
    public const string ClaimRateLimit = "device-claim";

    public static void MapDevices(this IEndpointRouteBuilder api)
    {
        var devices = api.MapGroup("/devices").WithTags("Devices");
        devices.MapGet("/", List).WithSummary("List the devices, by name, with their last reported state.");
        devices.MapGet("/{id:guid}", Get).WithSummary("Get a device: its doors and settings, whether it is online, its versions and lock state.");
        devices.MapPost("/", Create).WithSummary("Add a device; the answer holds its one-time claim code (valid 24 hours), which is shown only there.");
        devices.MapPatch("/{id:guid}", Update).WithSummary("Rename a device, change its site, doors or Wiegand format.");
        devices.MapDelete("/{id:guid}", Delete).WithSummary("Remove a device; its credentials stop working at once.");
        devices.MapPost("/{id:guid}/claim-code", IssueClaimCode)
            .WithSummary("Issue a new claim code (valid 24 hours) for a replaced or reset device; its current credentials stop working at once.");

        // The device has no account yet: its claim code is the proof, and the limit keeps codes from being guessed.
        devices.MapPost("/claim", Claim)
            .AllowAnonymous()
            .RequireRateLimiting(ClaimRateLimit)
            .WithSummary("For the device agent: exchange a claim code for the device's MQTT credentials.");

        api.MapPost("/doors/{id:guid}/unlock", Unlock)
            .WithTags("Devices")
            .WithSummary("Unlock a door remotely through its device: 202 once the command is sent (confirmed and outcome say whether the device confirmed it in time), 409 when the device is offline.");
    }

    private static async Task<Results<Ok<PagedList<DeviceDto>>, ProblemHttpResult>> List(
        int? page, int? pageSize, DeviceService devices, CancellationToken ct)
    {
        var result = await devices.ListAsync(page, pageSize, ct);
        return result.ToOk();
    }

    private static async Task<Results<Ok<DeviceDto>, ProblemHttpResult>> Get(Guid id, DeviceService devices, CancellationToken ct)
    {
        var result = await devices.GetAsync(id, ct);
        return result.ToOk();
    }

    private static async Task<Results<Created<DeviceDto>, ProblemHttpResult>> Create(
        CreateDeviceRequest request, DeviceService devices, CancellationToken ct)
    {
        var result = await devices.CreateAsync(request, ct);
        return result.ToCreated(created => $"/api/v1/devices/{created.Id}");
    }

    private static async Task<Results<Ok<DeviceDto>, ProblemHttpResult>> Update(
        Guid id, UpdateDeviceRequest request, DeviceService devices, CancellationToken ct)
    {
        var result = await devices.UpdateAsync(id, request, ct);
        return result.ToOk();
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> Delete(Guid id, DeviceService devices, CancellationToken ct) =>
        await devices.DeleteAsync(id, ct) is { } error ? error.ToProblem() : TypedResults.NoContent();

    private static async Task<Results<Ok<DeviceDto>, ProblemHttpResult>> IssueClaimCode(Guid id, DeviceService devices, CancellationToken ct)
    {
        var result = await devices.IssueClaimCodeAsync(id, ct);
        return result.ToOk();
    }

    private static async Task<Results<Ok<ClaimResponse>, ProblemHttpResult>> Claim(
        ClaimRequest request, DeviceClaimService claims, HttpRequest http, CancellationToken ct)
    {
        var result = await claims.ClaimAsync(request, http.Host.Host, ct);
        return result.ToOk();
    }

    private static async Task<Results<Accepted<UnlockAccepted>, ProblemHttpResult>> Unlock(
        Guid id, RemoteUnlockService unlocks, CancellationToken ct)
    {
        var result = await unlocks.UnlockAsync(id, ct);
        return result.Error is { } error ? error.ToProblem() : TypedResults.Accepted((string?)null, result.Value!);
    }
}
