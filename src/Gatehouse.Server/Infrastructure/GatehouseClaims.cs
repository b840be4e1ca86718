namespace Gatehouse.Server.Infrastructure;

/// <summary>Claim types of a signed-in administrator.</summary>
internal static class GatehouseClaims
{
    public const string AdminId = "sub";
    public const string OrganizationId = "org";
    public const string Role = "role";
    public const string Email = "email";
    public const string SystemAdministrator = "sysadmin";

    /// <summary>The ID of the signed-in session (its row, not its secret), to mark "this session".</summary>
    public const string SessionId = "sid";

    /// <summary>The console session's secret, kept only inside the encrypted console cookie.</summary>
    public const string SessionToken = "gatehouse.session";
}

/// <summary>Authorization policies. Roles nest: an owner is also an admin, an admin also a viewer.</summary>
internal static class Policies
{
    public const string Viewer = "viewer";
    public const string Admin = "admin";
    public const string Owner = "owner";
    public const string SystemAdministrator = "sysadmin";

    /// <summary>Signed in with any role; for the caller's own account, which every role may manage.</summary>
    public const string Account = "account";
}
