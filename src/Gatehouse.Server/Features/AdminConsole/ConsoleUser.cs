using System.Security.Claims;
using Gatehouse.Server.Features.Accounts;
using Gatehouse.Server.Infrastructure;

namespace Gatehouse.Server.Features.AdminConsole;

/// <summary>The administrator signed in to the console, read from the request's claims.</summary>
internal sealed class ConsoleUser(IHttpContextAccessor accessor)
{
    private const string OrganizationNameKey = "gatehouse.console.organization";

    private ClaimsPrincipal Principal => accessor.HttpContext?.User ?? new ClaimsPrincipal();

    public Guid AdminId => Guid.TryParse(Principal.FindFirstValue(GatehouseClaims.AdminId), out var id) ? id : Guid.Empty;

    public string Email => Principal.FindFirstValue(GatehouseClaims.Email) ?? "";

    public AdminRole Role => RoleOf(Principal);

    /// <summary>viewer, admin or owner, as the API spells roles.</summary>
    public string RoleName => RoleNameOf(Role);

    /// <summary>The name of the admin's organization, read when the sign-in cookie was checked.</summary>
    public string OrganizationName => accessor.HttpContext?.Items[OrganizationNameKey] as string ?? "";

    /// <summary>Admins and owners change things; viewers only read.</summary>
    public bool CanEdit => MayChange(Principal);

    /// <summary>Only owners add, change or remove other owners.</summary>
    public bool IsOwner => Role == AdminRole.Owner;

    public static string RoleNameOf(AdminRole role) => role switch
    {
        AdminRole.Owner => "owner",
        AdminRole.Admin => "admin",
        _ => "viewer",
    };

    public static void SetOrganizationName(HttpContext context, string name) => context.Items[OrganizationNameKey] = name;

    /// <summary>Signed in to the console with a role of this organization.</summary>
    public static bool MayRead(ClaimsPrincipal user) =>
        user.Identity?.IsAuthenticated == true && user.FindFirstValue(GatehouseClaims.Role) is "viewer" or "admin" or "owner";

    public static bool MayChange(ClaimsPrincipal user) =>
        user.Identity?.IsAuthenticated == true && RoleOf(user) >= AdminRole.Admin;

    private static AdminRole RoleOf(ClaimsPrincipal user) => user.FindFirstValue(GatehouseClaims.Role) switch
    {
        "owner" => AdminRole.Owner,
        "admin" => AdminRole.Admin,
        _ => AdminRole.Viewer,
    };
}
