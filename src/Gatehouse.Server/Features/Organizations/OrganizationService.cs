using Gatehouse.Server.Data;
using Gatehouse.Server.Features.Accounts;
using Gatehouse.Server.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace Gatehouse.Server.Features.Organizations;

internal sealed record OrganizationDto(Guid Id, string Name, DateTimeOffset CreatedAt);

internal sealed record UpdateOrganizationRequest
{
    public Optional<string?> Name { get; init; }
}

internal static class OrganizationMapping
{
    public static OrganizationDto ToDto(this Organization organization) => new(organization.Id, organization.Name, organization.CreatedAt);
}

/// <summary>
/// Creates organizations with their first owner (API, bootstrap and demo), and reads and renames the
/// caller's own organization (API and admin console).
/// </summary>
internal sealed class OrganizationService(
    GatehouseDbContext db, AccountService accounts, CurrentOrganization current, TimeProvider clock)
{
    private static readonly ApiError OnlyOwners = new ApiError.Forbidden("Only an owner may rename the organization.");

    public async Task<Result<OrganizationCreated>> CreateAsync(
        string? name, string? ownerEmail, string? ownerPassword, bool isSystemAdministrator, CancellationToken ct)
    {
        var v = new Validation().Text("name", name, Organization.NameMaxLength);
        Admin.CheckEmail(v, "ownerEmail", ownerEmail);

        if (accounts.CheckPasswordPolicy(ownerPassword) is { } passwordProblem)
        {
            v.Add("ownerPassword", passwordProblem);
        }

        if (!v.IsValid)
        {
            return v.ToError();
        }

        // A new organization has no administrators yet, so its owner's email is free whoever else uses it.
        var email = Admin.Normalize(ownerEmail!);
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

    /// <summary>Any organization, by ID: for the system administrator, who creates them.</summary>
    public async Task<Result<OrganizationDto>> GetAsync(Guid id, CancellationToken ct) =>
        await db.Organizations.AsNoTracking().SingleOrDefaultAsync(o => o.Id == id, ct) is { } organization
            ? organization.ToDto()
            : new ApiError.NotFound("The organization");

    /// <summary>The caller's own organization.</summary>
    public async Task<Result<OrganizationDto>> GetAsync(CancellationToken ct) =>
        await Own().AsNoTracking().SingleOrDefaultAsync(ct) is { } organization
            ? organization.ToDto()
            : new ApiError.NotFound("The organization");

    /// <summary>
    /// Renames the caller's own organization (owners only). The change is saved like any other, so the
    /// audit interceptor records it in this organization's log.
    /// </summary>
    public async Task<Result<OrganizationDto>> UpdateAsync(AdminCaller caller, UpdateOrganizationRequest request, CancellationToken ct)
    {
        if (caller.Role != AdminRole.Owner)
        {
            return OnlyOwners;
        }

        var name = request.Name.HasValue ? request.Name.Value?.Trim() : null;
        if (request.Name.HasValue)
        {
            var v = new Validation().Text("name", name, Organization.NameMaxLength);
            if (!v.IsValid)
            {
                return v.ToError();
            }
        }

        var organization = await Own().SingleOrDefaultAsync(ct);
        if (organization is null)
        {
            return new ApiError.NotFound("The organization");
        }

        if (name is not null)
        {
            organization.Name = name;
        }

        await db.SaveChangesAsync(ct);
        // The console's header shows the name it read with the session.
        accounts.ForgetCachedSessions(organization.Id);
        return organization.ToDto();
    }

    // Organization is the tenant, not a tenant-owned entity: no query filter guards it, so every read and
    // change here goes through the caller's organization, never through an ID from the request.
    private IQueryable<Organization> Own()
    {
        var id = current.RequiredId;
        return db.Organizations.Where(o => o.Id == id);
    }
}
