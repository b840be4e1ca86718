using System.Security.Claims;
using Gatehouse.Server.Infrastructure;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Gatehouse.Server.Features.Accounts;

internal static class AdminEndpoints
{
    public static void MapAdmins(this IEndpointRouteBuilder api)
    {
        var admins = api.MapGroup("/admins").WithTags("Administrators");

        admins.MapGet("", List).WithSummary("The organization's administrators, by email.");
        admins.MapGet("/{id:guid}", Get).WithSummary("One administrator.");
        admins.MapPost("", Create).WithSummary("Add an administrator: {email, password, role: viewer|admin|owner}. Only owners add owners.");
        admins.MapPatch("/{id:guid}", Update)
            .WithSummary("Change an administrator's email, password or role. A new password or role ends their sessions.");
        admins.MapDelete("/{id:guid}", Delete).WithSummary("Remove an administrator and end their sessions. The last owner stays.");
    }

    private static async Task<Results<Ok<PagedList<AdminDto>>, ProblemHttpResult>> List(
        AdminService admins, CancellationToken ct, int? page = null, int? pageSize = null)
    {
        var result = await admins.ListAsync(page, pageSize, ct);
        return result.ToOk();
    }

    private static async Task<Results<Ok<AdminDto>, ProblemHttpResult>> Get(Guid id, AdminService admins, CancellationToken ct)
    {
        var result = await admins.GetAsync(id, ct);
        return result.ToOk();
    }

    private static async Task<Results<Created<AdminDto>, ProblemHttpResult>> Create(
        CreateAdminRequest request, ClaimsPrincipal user, AdminService admins, CancellationToken ct)
    {
        var result = await admins.CreateAsync(AdminCaller.From(user), request, ct);
        return result.ToCreated(created => $"/api/v1/admins/{created.Id}");
    }

    private static async Task<Results<Ok<AdminDto>, ProblemHttpResult>> Update(
        Guid id, UpdateAdminRequest request, ClaimsPrincipal user, AdminService admins, CancellationToken ct)
    {
        var result = await admins.UpdateAsync(AdminCaller.From(user), id, request, ct);
        return result.ToOk();
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> Delete(Guid id, ClaimsPrincipal user, AdminService admins, CancellationToken ct)
    {
        var error = await admins.DeleteAsync(AdminCaller.From(user), id, ct);
        return error is null ? TypedResults.NoContent() : error.ToProblem();
    }
}
