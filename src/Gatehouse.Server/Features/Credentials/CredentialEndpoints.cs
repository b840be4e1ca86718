using Gatehouse.Server.Infrastructure;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Gatehouse.Server.Features.Credentials;

/// <summary>
/// The body of <c>PATCH /credentials/{id}</c>. The status is read as text here so that an unknown value is
/// a 400 naming <c>status</c> rather than an unreadable body.
/// </summary>
internal sealed record UpdateCredentialBody
{
    public Optional<string?> Status { get; init; }

    public Optional<DateTimeOffset?> ValidFrom { get; init; }

    public Optional<DateTimeOffset?> ValidUntil { get; init; }

    /// <summary>The service's request; null when the status is not one of the statuses.</summary>
    public UpdateCredentialRequest? ToRequest()
    {
        var status = default(Optional<CredentialStatus?>);
        if (Status.HasValue)
        {
            switch (Status.Value)
            {
                case "active":
                    status = new Optional<CredentialStatus?>(CredentialStatus.Active);
                    break;
                case "suspended":
                    status = new Optional<CredentialStatus?>(CredentialStatus.Suspended);
                    break;
                case null:
                    // The service refuses a null status, naming the field.
                    status = new Optional<CredentialStatus?>(null);
                    break;
                default:
                    return null;
            }
        }

        return new UpdateCredentialRequest { Status = status, ValidFrom = ValidFrom, ValidUntil = ValidUntil };
    }
}

internal static class CredentialEndpoints
{
    public static void MapCredentials(this IEndpointRouteBuilder api)
    {
        var users = api.MapGroup("/users/{userId:guid}/credentials").WithTags("Credentials");
        users.MapGet("/", List).WithSummary("List a user's credentials of every kind.");
        users.MapPost("/cards", AddCard).WithSummary("Give a user a card: a Wiegand format with facility code and number, or a CSN.");

        var credentials = api.MapGroup("/credentials").WithTags("Credentials");
        credentials.MapGet("/{id:guid}", Get).WithSummary("Get a credential.");
        credentials.MapPatch("/{id:guid}", Update).WithSummary("Suspend or reactivate a credential, or change its validity.");
        credentials.MapDelete("/{id:guid}", Delete).WithSummary("Delete a credential.");
    }

    private static async Task<Results<Ok<PagedList<CredentialDto>>, ProblemHttpResult>> List(
        Guid userId, int? page, int? pageSize, CredentialService credentials, CancellationToken ct)
    {
        var result = await credentials.ListForUserAsync(userId, page, pageSize, ct);
        return result.ToOk();
    }

    private static async Task<Results<Created<CredentialDto>, ProblemHttpResult>> AddCard(
        Guid userId, CreateCardCredentialRequest request, CredentialService credentials, CancellationToken ct)
    {
        var result = await credentials.AddCardAsync(userId, request, ct);
        return result.Error is { } error
            ? error.ToProblem()
            : TypedResults.Created($"/api/v1/credentials/{result.Value!.Id}", result.Value);
    }

    private static async Task<Results<Ok<CredentialDto>, ProblemHttpResult>> Get(Guid id, CredentialService credentials, CancellationToken ct)
    {
        var result = await credentials.GetAsync(id, ct);
        return result.ToOk();
    }

    private static async Task<Results<Ok<CredentialDto>, ProblemHttpResult>> Update(
        Guid id, UpdateCredentialBody body, CredentialService credentials, CancellationToken ct)
    {
        if (body.ToRequest() is not { } request)
        {
            return ApiError.Invalid.Field("status", "Must be active or suspended.").ToProblem();
        }

        var result = await credentials.UpdateAsync(id, request, ct);
        return result.ToOk();
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> Delete(Guid id, CredentialService credentials, CancellationToken ct) =>
        await credentials.DeleteAsync(id, ct) is { } error ? error.ToProblem() : TypedResults.NoContent();
}
