using System.Security.Claims;
using Gatehouse.Server.Components;
using Gatehouse.Server.Data;
using Gatehouse.Server.Features.Accounts;
using Gatehouse.Server.Infrastructure;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Components.Endpoints;
using Microsoft.AspNetCore.Hosting.StaticWebAssets;
using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Gatehouse.Server.Features.AdminConsole;

/// <summary>
/// The admin console: Blazor pages served at <c>/</c> with their own cookie sign-in. The API keeps its
/// bearer scheme as the default, so the console's cookie never authenticates a call to <c>/api/v1</c>.
/// </summary>
internal static class AdminConsoleRegistration
{
    public const string Scheme = "Console";
    public const string Policy = "console";
    public const string SignInPath = "/account/sign-in";
    public const string SignOutPath = "/account/sign-out";

    private const string ContentSecurityPolicy =
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; " +
        "frame-ancestors 'none'; form-action 'self'; base-uri 'none'";

    public static IServiceCollection AddAdminConsole(this IServiceCollection services)
    {
        services.AddRazorComponents();
        services.AddScoped<ConsoleUser>();
        services.AddScoped<Flash>();
        services.AddScoped<ConsoleSignIn>();
        services.AddScoped<ConsoleCookieEvents>();

        services.AddAuthentication()
            .AddCookie(Scheme, o =>
            {
                o.Cookie.Name = "gatehouse.console";
                o.Cookie.HttpOnly = true;
                o.Cookie.SameSite = SameSiteMode.Strict;
                o.Cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
                o.LoginPath = SignInPath;
                o.LogoutPath = SignOutPath;
                o.AccessDeniedPath = SignInPath;
                o.ReturnUrlParameter = "returnUrl";
                o.SlidingExpiration = true;
                o.EventsType = typeof(ConsoleCookieEvents);
            });
        // The cookie's sliding expiry is the session's idle timeout; the store also enforces it and the absolute lifetime.
        services.AddOptions<CookieAuthenticationOptions>(Scheme).Configure<IOptions<AccountOptions>, TimeProvider>((o, accounts, clock) =>
        {
            o.ExpireTimeSpan = accounts.Value.ConsoleIdleTimeout;
            o.TimeProvider = clock;
        });
        services.AddAuthorizationBuilder()
            .AddPolicy(Policy, p => p.AddAuthenticationSchemes(Scheme).RequireClaim(GatehouseClaims.Role, "viewer", "admin", "owner"));

        services.AddAntiforgery(o =>
        {
            o.Cookie.Name = "gatehouse.antiforgery";
            o.Cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
        });
        return services;
    }

    public static WebApplication MapAdminConsole(this WebApplication app)
    {
        app.Use(SecurityHeaders);
        app.Use(ViewersMayNotPost);
        app.UseAntiforgery();

        // Run from a build rather than a publish (the README's `dotnet run`), the framework's files such as
        // blazor.web.js are found through the build's manifest; Development does this on its own.
        if (!app.Environment.IsDevelopment())
        {
            StaticWebAssetsLoader.UseStaticWebAssets(app.Environment, app.Configuration);
        }

        app.MapStaticAssets();
        // The policy authenticates the cookie (the antiforgery token is bound to the signed-in admin);
        // anonymous is allowed so an expired session can still sign out cleanly.
        app.MapPost(SignOutPath, SignOut).RequireAuthorization(Policy).AllowAnonymous().ExcludeFromDescription();
        app.MapRazorComponents<App>().RequireAuthorization(Policy);
        return app;
    }

    private static bool IsConsolePage(HttpContext context) =>
        context.GetEndpoint()?.Metadata.GetMetadata<ComponentTypeMetadata>() is not null;

    private static Task SecurityHeaders(HttpContext context, RequestDelegate next)
    {
        // The API (and its reference at /api, which brings its own scripts) and the phone app have policies of their
        // own (Infrastructure.SecurityHeaders); the console's pages get the strict one.
        if (!Infrastructure.SecurityHeaders.HasOwnPolicy(context.Request.Path))
        {
            var headers = context.Response.Headers;
            headers.ContentSecurityPolicy = ContentSecurityPolicy;
            headers.XContentTypeOptions = "nosniff";
            headers.XFrameOptions = "DENY";
            headers["Referrer-Policy"] = "same-origin";
        }

        return next(context);
    }

    /// <summary>
    /// Every form of a console page changes something, so a viewer's post is refused here, before any
    /// page handler runs: hiding the buttons is not the protection, this is. Pages whose forms only read
    /// opt out with <see cref="ViewerMayPostAttribute"/>.
    /// </summary>
    private static Task ViewersMayNotPost(HttpContext context, RequestDelegate next)
    {
        if (HttpMethods.IsPost(context.Request.Method) && IsConsolePage(context))
        {
            var metadata = context.GetEndpoint()!.Metadata;
            var exempt = metadata.GetMetadata<IAllowAnonymous>() is not null || metadata.GetMetadata<ViewerMayPostAttribute>() is not null;
            if (!exempt && !ConsoleUser.MayChange(context.User))
            {
                context.Response.StatusCode = StatusCodes.Status403Forbidden;
                context.Response.ContentType = "text/plain; charset=utf-8";
                return context.Response.WriteAsync("Your role may read but not change this organization.");
            }
        }

        return next(context);
    }

    private static async Task<IResult> SignOut(HttpContext context, ConsoleSignIn signIn, [FromForm] string? returnUrl)
    {
        await signIn.SignOutAsync(context);
        return TypedResults.LocalRedirect(SignInPath);
    }
}

/// <summary>Marks a console page whose forms change nothing (a search, a what-if), so viewers may post them.</summary>
[AttributeUsage(AttributeTargets.Class)]
internal sealed class ViewerMayPostAttribute : Attribute;
