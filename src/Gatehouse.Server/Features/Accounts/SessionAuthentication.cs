using System.Security.Claims;
using System.Text.Encodings.Web;
using Gatehouse.Server.Infrastructure;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;

namespace Gatehouse.Server.Features.Accounts;

/// <summary>Authenticates <c>Authorization: Bearer &lt;token&gt;</c> against the stored sessions.</summary>
internal sealed class SessionAuthenticationHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options,
    ILoggerFactory logger,
    UrlEncoder encoder,
    SessionService sessions) : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    public const string SchemeName = "Bearer";

    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        string? header = Request.Headers.Authorization;
        if (header is null || !header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
        {
            return AuthenticateResult.NoResult();
        }

        var token = header["Bearer ".Length..].Trim();
        if (token.Length is 0 or > 100)
        {
            return AuthenticateResult.Fail("Malformed token.");
        }

        var session = await sessions.ValidateAsync(token, SessionKind.Api, Context.RequestAborted);
        return session is null
            ? AuthenticateResult.Fail("Unknown or expired token.")
            : AuthenticateResult.Success(new AuthenticationTicket(ToPrincipal(session, SchemeName), SchemeName));
    }

    // RFC 6750: a 401 names the scheme the client should use.
    protected override Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        Response.StatusCode = StatusCodes.Status401Unauthorized;
        Response.Headers.WWWAuthenticate = "Bearer";
        return Task.CompletedTask;
    }

    /// <summary>The claims of a signed-in admin, the same for an API token and the console's cookie.</summary>
    public static ClaimsPrincipal ToPrincipal(CachedSession session, string scheme, string? sessionToken = null)
    {
        List<Claim> claims =
        [
            new(GatehouseClaims.AdminId, session.AdminId.ToString()),
            new(GatehouseClaims.OrganizationId, session.OrganizationId.ToString()),
            new(GatehouseClaims.Email, session.Email),
            new(GatehouseClaims.Role, session.Role.ToString().ToLowerInvariant()),
            new(GatehouseClaims.SessionId, session.SessionId.ToString()),
        ];
        if (session.SystemAdministrator)
        {
            claims.Add(new Claim(GatehouseClaims.SystemAdministrator, "true"));
        }

        if (sessionToken is not null)
        {
            claims.Add(new Claim(GatehouseClaims.SessionToken, sessionToken));
        }

        return new ClaimsPrincipal(new ClaimsIdentity(claims, scheme, GatehouseClaims.Email, GatehouseClaims.Role));
    }
}
