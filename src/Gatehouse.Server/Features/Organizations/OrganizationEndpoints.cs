using Gatehouse.Server.Data;
using Gatehouse.Server.Features.Accounts;
using Gatehouse.Server.Infrastructure;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

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
    }

    private static async Task<Results<Created<OrganizationCreated>, ProblemHttpResult>> Create(
        CreateOrganizationRequest request, OrganizationService organizations, CancellationToken ct)
    {
        var result = await organizations.CreateAsync(request.Name, request.OwnerEmail, request.OwnerPassword, isSystemAdministrator: false, ct);
        if (result.Error is { } error)
        {
            return error.ToProblem();
        }

        var created = result.Value!;
        return TypedResults.Created($"/api/v1/organizations/{created.Id}", created);
    }
}

/// <summary>Creates organizations with their first owner (API, bootstrap and demo).</summary>
internal sealed class OrganizationService(
    GatehouseDbContext db, AccountService accounts, CurrentOrganization current, TimeProvider clock)
{
    public async Task<Result<OrganizationCreated>> CreateAsync(
        string? name, string? ownerEmail, string? ownerPassword, bool isSystemAdministrator, CancellationToken ct)
    {
        var v = new Validation().Text("name", name, 200).Text("ownerEmail", ownerEmail, 254);
        if (ownerEmail is not null && !EmailAddress.IsValid(ownerEmail))
        {
            v.Add("ownerEmail", "Must be an email address.");
        }

        if (accounts.CheckPasswordPolicy(ownerPassword) is { } passwordProblem)
        {
            v.Add("ownerPassword", passwordProblem);
        }

        if (!v.IsValid)
        {
            return v.ToError();
        }

        var email = Admin.Normalize(ownerEmail!);
        if (await db.Admins.IgnoreQueryFilters().AnyAsync(a => a.Email == email, ct))
        {
            return new ApiError.Conflict("An administrator with this email already exists.");
        }

        var now = clock.GetUtcNow();
        var organization = new Organization { Name = name!.Trim(), CreatedAt = now };
        var owner = new Admin
        {
            OrganizationId = organization.Id,
            Email = email,
            Role = AdminRole.Owner,
            IsSystemAdministrator = isSystemAdministrator,
            CreatedAt = now,
        };
        owner.PasswordHash = accounts.HashPassword(owner, ownerPassword!);

        // The new organization's own audit log records its creation.
        current.Set(organization.Id);
        db.Organizations.Add(organization);
        db.Admins.Add(owner);
        await db.SaveChangesAsync(ct);
        return new OrganizationCreated(organization.Id, organization.Name, owner.Id);
    }
}
