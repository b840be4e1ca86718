using System.Security.Claims;
using Gatehouse.Server.Features.Accounts;
using Gatehouse.Server.Infrastructure;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Gatehouse.Server.Features.Organizations;

internal sealed record CreateOrganizationRequest(string? Name, string? OwnerEmail, string? OwnerPassword);

internal sealed record OrganizationCreated(Guid Id, string Name, Guid OwnerId);

internal static class OrganizationEndpoints
{
    public static void MapOrganizations(this IEndpointRouteBuilder api)
    {
        api.MapPost("/organizations", Create)
            .RequireAuthorization(Policies.SystemAdministrator)
            .WithTags("Organizations")
            .WithSummary("Create an organization and its owner (system administrator only).");
        api.MapGet("/organizations/{id:guid}", GetAny)
            .RequireAuthorization(Policies.SystemAdministrator)
            .WithTags("Organizations")
            .WithSummary("Get any organization (system administrator only).");

        // The caller's own organization, always the one of their token: no ID in the path to point elsewhere.
        var own = api.MapGroup("/organization").WithTags("Organizations");
        own.MapGet("", Get).WithSummary("The caller's organization: {id, name, createdAt}.");
        own.MapPatch("", Update)
            .RequireAuthorization(Policies.Owner)
            .WithSummary("Rename the caller's organization: {name} (owners only).");
    }

    private static async Task<Results<Created<OrganizationCreated>, ProblemHttpResult>> Create(
        CreateOrganizationRequest request, OrganizationService organizations, CancellationToken ct)
    {
        var result = await organizations.CreateAsync(request.Name, request.OwnerEmail, request.OwnerPassword, isSystemAdministrator: false, ct);
        return result.ToCreated(created => $"/api/v1/organizations/{created.Id}");
    }

    private static async Task<Results<Ok<OrganizationDto>, ProblemHttpResult>> GetAny(Guid id, OrganizationService organizations, CancellationToken ct) =>
        (await organizations.GetAsync(id, ct)).ToOk();

    private static async Task<Results<Ok<OrganizationDto>, ProblemHttpResult>> Get(OrganizationService organizations, CancellationToken ct)
    {
        var result = await organizations.GetAsync(ct);
        return result.ToOk();
    }

    private static async Task<Results<Ok<OrganizationDto>, ProblemHttpResult>> Update(
        UpdateOrganizationRequest request, ClaimsPrincipal user, OrganizationService organizations, CancellationToken ct)
    {
        var result = await organizations.UpdateAsync(AdminCaller.From(user), request, ct);
        return result.ToOk();
    }
}
