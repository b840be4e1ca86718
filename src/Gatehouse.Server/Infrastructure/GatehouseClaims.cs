namespace Gatehouse.Server.Infrastructure;

/// <summary>Claim types of a signed-in administrator.</summary>
internal static class GatehouseClaims
{
    public const string AdminId = "sub";
    public const string OrganizationId = "org";
    public const string Role = "role";
    public const string Email = "email";
    public const string SystemAdministrator = "sysadmin";
}

/// <summary>Authorization policies. Roles nest: an owner is also an admin, an admin also a viewer.</summary>
internal static class Policies
{
    public const string Viewer = "viewer";
    public const string Admin = "admin";
    public const string Owner = "owner";
    public const string SystemAdministrator = "sysadmin";
}
