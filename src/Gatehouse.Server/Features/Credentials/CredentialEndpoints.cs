using Gatehouse.Server.Infrastructure;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Gatehouse.Server.Features.Credentials;

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
        return result.Error is { } error ? error.ToProblem() : TypedResults.Ok(result.Value);
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
        return result.Error is { } error ? error.ToProblem() : TypedResults.Ok(result.Value);
    }

    private static async Task<Results<Ok<CredentialDto>, ProblemHttpResult>> Update(
        Guid id, UpdateCredentialRequest request, CredentialService credentials, CancellationToken ct)
    {
        var result = await credentials.UpdateAsync(id, request, ct);
        return result.Error is { } error ? error.ToProblem() : TypedResults.Ok(result.Value);
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> Delete(Guid id, CredentialService credentials, CancellationToken ct) =>
        await credentials.DeleteAsync(id, ct) is { } error ? error.ToProblem() : TypedResults.NoContent();
}
