using Gatehouse.Server.Features.Audit;
using Gatehouse.Server.Infrastructure;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Gatehouse.Server.Features.Devices.Enrollments;

internal static class EnrollmentEndpoints
{
    public static void MapEnrollments(this IEndpointRouteBuilder api)
    {
        api.MapPost("/users/{userId:guid}/credentials/cards/enrollments", StartCard)
            .WithTags("Enrollments")
            .WithSummary("Start enrolling a card at a device: the next card presented there becomes the user's (within 30 seconds).");

        api.MapPost("/users/{userId:guid}/credentials/faces/enrollments", StartFace)
            .WithTags("Enrollments")
            .WithSummary("Start enrolling a face at a device (the caller confirms the person's consent): the device picks the best frame within 30 seconds and the server enrolls it as a photo upload.");

        var enrollments = api.MapGroup("/enrollments").WithTags("Enrollments");
        enrollments.MapGet("/{id:guid}", Get).WithSummary("Get an enrollment: pending, completed (with its credentialId), failed (with its error), timedOut or cancelled.");
        enrollments.MapDelete("/{id:guid}", Cancel).WithSummary("Cancel a pending enrollment; the device stops waiting.");
    }

    private static async Task<Results<Accepted<EnrollmentDto>, ProblemHttpResult>> StartCard(
        Guid userId, StartEnrollmentRequest request, HttpContext http, EnrollmentService enrollments, CancellationToken ct)
    {
        var result = await enrollments.StartCardAsync(userId, request, AuditActor.Of(http), ct);
        return result.Error is { } error
            ? error.ToProblem()
            : TypedResults.Accepted($"/api/v1/enrollments/{result.Value!.Id}", result.Value);
    }

    private static async Task<Results<Accepted<EnrollmentDto>, ProblemHttpResult>> StartFace(
        Guid userId, StartEnrollmentRequest request, HttpContext http, EnrollmentService enrollments, CancellationToken ct)
    {
        var address = http.Connection.RemoteIpAddress?.ToString();
        var result = await enrollments.StartFaceAsync(userId, request, AuditActor.Of(http), address, ct);
        return result.Error is { } error
            ? error.ToProblem()
            : TypedResults.Accepted($"/api/v1/enrollments/{result.Value!.Id}", result.Value);
    }

    private static async Task<Results<Ok<EnrollmentDto>, ProblemHttpResult>> Get(Guid id, EnrollmentService enrollments, CancellationToken ct)
    {
        var result = await enrollments.GetAsync(id, ct);
        return result.ToOk();
    }

    private static async Task<Results<Ok<EnrollmentDto>, ProblemHttpResult>> Cancel(Guid id, EnrollmentService enrollments, CancellationToken ct)
    {
        var result = await enrollments.CancelAsync(id, ct);
        return result.ToOk();
    }
}
