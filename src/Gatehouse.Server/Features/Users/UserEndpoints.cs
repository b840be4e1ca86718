using Gatehouse.Server.Infrastructure;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Gatehouse.Server.Features.Users;

internal static class UserEndpoints
{
    public static void MapUsers(this IEndpointRouteBuilder api)
    {
        var users = api.MapGroup("/users").WithTags("Users");
        users.MapGet("/", List).WithSummary("List the users by last and first name; ?search= matches names and email, ignoring case.");
        users.MapGet("/{id:guid}", Get).WithSummary("Get a user.");
        users.MapPost("/", Create).WithSummary("Create a user.");
        users.MapPatch("/{id:guid}", Update).WithSummary("Change a user; null clears email, phone, validFrom, validUntil; accessGroupIds replaces the set.");
        users.MapDelete("/{id:guid}", Delete).WithSummary("Delete a user and their credentials.");
        users.MapUserCsvApi();
    }

    private static async Task<Results<Ok<PagedList<UserDto>>, ProblemHttpResult>> List(
        string? search, int? page, int? pageSize, UserService users, CancellationToken ct)
    {
        var result = await users.ListAsync(search, page, pageSize, ct);
        return result.ToOk();
    }

    private static async Task<Results<Ok<UserDto>, ProblemHttpResult>> Get(Guid id, UserService users, CancellationToken ct)
    {
        var result = await users.GetAsync(id, ct);
        return result.ToOk();
    }

    private static async Task<Results<Created<UserDto>, ProblemHttpResult>> Create(
        CreateUserRequest request, UserService users, CancellationToken ct)
    {
        var result = await users.CreateAsync(request, ct);
        return result.ToCreated(created => $"/api/v1/users/{created.Id}");
    }

    private static async Task<Results<Ok<UserDto>, ProblemHttpResult>> Update(
        Guid id, UpdateUserRequest request, UserService users, CancellationToken ct)
    {
        var result = await users.UpdateAsync(id, request, ct);
        return result.ToOk();
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> Delete(Guid id, UserService users, CancellationToken ct) =>
        await users.DeleteAsync(id, ct) is { } error ? error.ToProblem() : TypedResults.NoContent();
}
