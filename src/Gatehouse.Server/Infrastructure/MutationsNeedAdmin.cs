using Microsoft.AspNetCore.Authorization;

namespace Gatehouse.Server.Infrastructure;

/// <summary>
/// Non-GET API calls need the admin role unless the endpoint is anonymous or names its own policy.
/// </summary>
internal static class MutationsNeedAdmin
{
    public static async ValueTask<object?> Filter(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var http = context.HttpContext;
        if (HttpMethods.IsGet(http.Request.Method) || HttpMethods.IsHead(http.Request.Method))
        {
            return await next(context);
        }

        var endpoint = http.GetEndpoint();
        var ownPolicy = endpoint?.Metadata.GetOrderedMetadata<IAuthorizeData>().Any(a => a.Policy is not null and not Policies.Viewer) ?? false;
        if (ownPolicy || endpoint?.Metadata.GetMetadata<IAllowAnonymous>() is not null)
        {
            return await next(context);
        }

        var authorization = http.RequestServices.GetRequiredService<IAuthorizationService>();
        var allowed = await authorization.AuthorizeAsync(http.User, Policies.Admin);
        return allowed.Succeeded ? await next(context) : TypedResults.Problem(statusCode: StatusCodes.Status403Forbidden, title: "Forbidden",
            detail: "Your role may read but not change this organization.");
    }
}
