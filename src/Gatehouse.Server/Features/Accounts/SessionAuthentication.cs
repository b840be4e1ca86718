using System.Collections.Concurrent;
using System.Security.Claims;
using System.Security.Cryptography;
using System.Text;
using System.Text.Encodings.Web;
using Gatehouse.Server.Data;
using Gatehouse.Server.Infrastructure;
using Microsoft.AspNetCore.Authentication;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Caching.Memory;
using Microsoft.Extensions.Options;

namespace Gatehouse.Server.Features.Accounts;

/// <summary>
/// Remembers validated tokens for a minute so the API does not read the store on every call. Changing
/// or deleting an admin bumps the admin's generation, which invalidates every cached token of theirs at once.
/// </summary>
internal sealed class SessionCache(IMemoryCache cache)
{
    private static readonly TimeSpan CacheFor = TimeSpan.FromMinutes(1);
    private readonly ConcurrentDictionary<Guid, int> _generations = new();

    public static byte[] Hash(string token) => SHA256.HashData(Encoding.UTF8.GetBytes(token));

    public void Evict(Guid adminId) => _generations.AddOrUpdate(adminId, 1, (_, g) => g + 1);

    public bool TryGet(string key, DateTimeOffset now, out CachedSession session)
    {
        if (cache.TryGetValue(key, out CachedSession? found) && found is not null
            && found.ExpiresAt > now && found.Generation == _generations.GetValueOrDefault(found.AdminId))
        {
            session = found;
            return true;
        }

        session = null!;
        return false;
    }

    public CachedSession Remember(string key, Admin admin, DateTimeOffset expiresAt)
    {
        var session = new CachedSession(admin.Id, admin.OrganizationId, admin.Email, admin.Role, admin.IsSystemAdministrator,
            expiresAt, _generations.GetValueOrDefault(admin.Id));
        cache.Set(key, session, CacheFor);
        return session;
    }

    internal sealed record CachedSession(
        Guid AdminId, Guid OrganizationId, string Email, AdminRole Role, bool SystemAdministrator, DateTimeOffset ExpiresAt, int Generation);
}

/// <summary>Authenticates <c>Authorization: Bearer &lt;token&gt;</c> against the stored token hashes.</summary>
internal sealed class SessionAuthenticationHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options,
    ILoggerFactory logger,
    UrlEncoder encoder,
    SessionCache cache,
    TimeProvider clock,
    GatehouseDbContext db) : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
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

        var hash = SessionCache.Hash(token);
        var key = Convert.ToBase64String(hash);
        var now = clock.GetUtcNow();
        if (!cache.TryGet(key, now, out var session))
        {
            var found = await db.ApiSessions.AsNoTracking()
                .Where(s => s.TokenHash == hash)
                .Join(db.Admins.IgnoreQueryFilters(), s => s.AdminId, a => a.Id, (s, a) => new { s.ExpiresAt, Admin = a })
                .SingleOrDefaultAsync(Context.RequestAborted);
            if (found is null || found.ExpiresAt <= now)
            {
                return AuthenticateResult.Fail("Unknown or expired token.");
            }

            session = cache.Remember(key, found.Admin, found.ExpiresAt);
        }

        return AuthenticateResult.Success(new AuthenticationTicket(ToPrincipal(session, SchemeName), SchemeName));
    }

    // RFC 6750: a 401 names the scheme the client should use.
    protected override Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        Response.StatusCode = StatusCodes.Status401Unauthorized;
        Response.Headers.WWWAuthenticate = "Bearer";
        return Task.CompletedTask;
    }

    public static ClaimsPrincipal ToPrincipal(SessionCache.CachedSession session, string scheme)
    {
        List<Claim> claims =
        [
            new(GatehouseClaims.AdminId, session.AdminId.ToString()),
            new(GatehouseClaims.OrganizationId, session.OrganizationId.ToString()),
            new(GatehouseClaims.Email, session.Email),
            new(GatehouseClaims.Role, session.Role.ToString().ToLowerInvariant()),
        ];
        if (session.SystemAdministrator)
        {
            claims.Add(new Claim(GatehouseClaims.SystemAdministrator, "true"));
        }

        return new ClaimsPrincipal(new ClaimsIdentity(claims, scheme, GatehouseClaims.Email, GatehouseClaims.Role));
    }
}
