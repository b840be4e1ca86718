using System.Security.Claims;

namespace Gatehouse.Server.Infrastructure;

/// <summary>
/// The organization of the caller, read from their claims (per request). Background work that acts
/// for an organization sets it with <see cref="Set"/>.
/// </summary>
internal sealed class CurrentOrganization(IHttpContextAccessor accessor)
{
    private Guid? _override;

    public Guid? Id => _override ?? ReadFrom(accessor.HttpContext?.User);

    /// <summary>The caller's organization; throws when there is none (a bug: the endpoint must require one).</summary>
    public Guid RequiredId => Id ?? throw new InvalidOperationException("No current organization.");

    public void Set(Guid organizationId) => _override = organizationId;

    private static Guid? ReadFrom(ClaimsPrincipal? user) =>
        Guid.TryParse(user?.FindFirstValue(GatehouseClaims.OrganizationId), out var id) ? id : null;
}
