using System.Globalization;
using System.Security.Claims;
using Gatehouse.Server.Features.Accounts;
using Gatehouse.Server.Infrastructure;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.DataProtection;

namespace Gatehouse.Server.Features.AdminConsole;

/// <summary>
/// Console sign-in and sign-out over server-side sessions: the cookie carries a random session secret
/// (encrypted), the store keeps its hash, and each request checks the session there (cached for a few
/// seconds, see <see cref="SessionCache.CacheFor"/>). Ending the row ends the cookie on every server.
/// </summary>
internal sealed class ConsoleSignIn(SessionService sessions, IDataProtectionProvider protection, TimeProvider clock)
{
    // A person whose password fits accounts in several organizations picks one within this time.
    private static readonly TimeSpan ChoiceLifetime = TimeSpan.FromMinutes(5);

    private IDataProtector Choices => protection.CreateProtector("Gatehouse.Console.OrganizationChoice");

    public async Task SignInAsync(HttpContext http, Admin admin)
    {
        var (token, session) = await sessions.StartAsync(
            admin, SessionKind.Console, http.Connection.RemoteIpAddress?.ToString(), http.Request.Headers.UserAgent, http.RequestAborted);
        // The organization's name is not kept in the cookie: each request reads it with the session.
        var cached = new CachedSession(session.Id, SessionKind.Console, admin.Id, admin.OrganizationId, "", admin.Email,
            admin.Role, admin.IsSystemAdministrator, session.LastSeenAt, session.ExpiresAt, default, session.CreatedAt);
        await http.SignInAsync(AdminConsoleRegistration.Scheme, SessionAuthenticationHandler.ToPrincipal(cached, AdminConsoleRegistration.Scheme, token));
    }

    /// <summary>Ends the signed-in console session in the store, then drops the cookie.</summary>
    public async Task SignOutAsync(HttpContext http)
    {
        if (http.User.FindFirstValue(GatehouseClaims.SessionToken) is { } token)
        {
            await sessions.EndAsync(token, http.RequestAborted);
        }

        await http.SignOutAsync(AdminConsoleRegistration.Scheme);
    }

    /// <summary>A sealed, short-lived note of the accounts the password proved right for, to carry to the choice.</summary>
    public string ProtectChoices(IEnumerable<OrganizationChoice> choices)
    {
        var expires = (clock.GetUtcNow() + ChoiceLifetime).UtcTicks.ToString(CultureInfo.InvariantCulture);
        return Choices.Protect(expires + "|" + string.Join(',', choices.Select(c => c.AdminId)));
    }

    /// <summary>The accounts of a note from <see cref="ProtectChoices"/>; empty when forged or expired.</summary>
    public IReadOnlyList<Guid> ReadChoices(string? ticket)
    {
        if (string.IsNullOrEmpty(ticket))
        {
            return [];
        }

        string text;
        try
        {
            text = Choices.Unprotect(ticket);
        }
        catch (System.Security.Cryptography.CryptographicException)
        {
            return [];
        }

        var parts = text.Split('|');
        if (parts.Length != 2 || !long.TryParse(parts[0], CultureInfo.InvariantCulture, out var ticks)
            || new DateTimeOffset(ticks, TimeSpan.Zero) <= clock.GetUtcNow())
        {
            return [];
        }

        return parts[1].Split(',').Select(p => Guid.TryParse(p, out var id) ? id : Guid.Empty).Where(id => id != Guid.Empty).ToList();
    }
}

/// <summary>
/// Checks the console cookie's session in the store on each request (through the short cache), so a
/// session ended anywhere (sign-out, new password, new role, deletion, "sign out other sessions") is refused.
/// The claims are rebuilt from the store each time: a new email shows at once.
/// </summary>
internal sealed class ConsoleCookieEvents(SessionService sessions) : CookieAuthenticationEvents
{
    public override async Task ValidatePrincipal(CookieValidatePrincipalContext context)
    {
        var token = context.Principal?.FindFirstValue(GatehouseClaims.SessionToken);
        var session = token is null ? null : await sessions.ValidateAsync(token, SessionKind.Console, context.HttpContext.RequestAborted);
        if (session is null)
        {
            context.RejectPrincipal();
            await context.HttpContext.SignOutAsync(AdminConsoleRegistration.Scheme);
            return;
        }

        // The layout shows the organization's name on every page; it is read here, with the session.
        ConsoleUser.SetOrganizationName(context.HttpContext, session.OrganizationName);
        context.ReplacePrincipal(SessionAuthenticationHandler.ToPrincipal(session, AdminConsoleRegistration.Scheme, token));
    }
}
