using Microsoft.AspNetCore.Authorization;

namespace Gatehouse.Server.Infrastructure;

/// <summary>
/// Part of the viewer policy that guards <c>/api/v1</c>: a call that is not a read needs the admin role
/// unless the endpoint names a policy of its own or is marked <see cref="ReadsOnlyMetadata"/>. It is an authorization requirement rather than an
/// endpoint filter so a viewer is refused before the body is even read (403, never a 400 about the body).
/// </summary>
internal sealed class MutationsNeedAdmin : AuthorizationHandler<MutationsNeedAdmin>, IAuthorizationRequirement
{
    public const string Refusal = "Your role may read but not change this organization.";

    protected override Task HandleRequirementAsync(AuthorizationHandlerContext context, MutationsNeedAdmin requirement)
    {
        // Without a request (the admin console asking "may this user see the page?") the policy means "may read".
        if (context.Resource is not HttpContext http || IsRead(http) || HasOwnPolicy(http) || IsAdmin(context))
        {
            context.Succeed(requirement);
        }
        else
        {
            context.Fail(new AuthorizationFailureReason(this, Refusal));
        }

        return Task.CompletedTask;
    }

    private static bool IsRead(HttpContext http) =>
        HttpMethods.IsGet(http.Request.Method) || HttpMethods.IsHead(http.Request.Method) || HttpMethods.IsOptions(http.Request.Method)
        || http.GetEndpoint()?.Metadata.GetMetadata<ReadsOnlyMetadata>() is not null;

    private static bool HasOwnPolicy(HttpContext http) =>
        http.GetEndpoint()?.Metadata.GetOrderedMetadata<IAuthorizeData>().Any(a => a.Policy is not null and not Policies.Viewer) ?? false;

    private static bool IsAdmin(AuthorizationHandlerContext context) =>
        context.User.HasClaim(GatehouseClaims.Role, "admin") || context.User.HasClaim(GatehouseClaims.Role, "owner");
}
