using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace Gatehouse.Server.Infrastructure;

/// <summary>The OpenAPI document at <c>/openapi/v1.json</c>: every call that needs a token says so.</summary>
internal static class OpenApiSetup
{
    public const string BearerScheme = "bearer";

    public static IServiceCollection AddGatehouseOpenApi(this IServiceCollection services) => services.AddOpenApi("v1", o =>
    {
        o.AddDocumentTransformer((document, _, _) =>
        {
            document.Info.Title = "Gatehouse API";
            document.Info.Description = "Sign in with POST /api/v1/auth/token, then send `Authorization: Bearer {accessToken}`. "
                + "Errors are RFC 9457 problem documents; validation errors name each bad field.";
            document.Components ??= new OpenApiComponents();
            document.Components.SecuritySchemes ??= new Dictionary<string, IOpenApiSecurityScheme>();
            document.Components.SecuritySchemes[BearerScheme] = new OpenApiSecurityScheme
            {
                Type = SecuritySchemeType.Http,
                Scheme = "bearer",
                Description = "The accessToken from POST /api/v1/auth/token.",
            };
            return Task.CompletedTask;
        });
        o.AddOperationTransformer((operation, context, _) =>
        {
            var metadata = context.Description.ActionDescriptor.EndpointMetadata;
            if (!metadata.OfType<IAllowAnonymous>().Any())
            {
                operation.Security ??= [];
                operation.Security.Add(new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference(BearerScheme, context.Document)] = [] });
            }

            return Task.CompletedTask;
        });
    });
}
