using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using Gatehouse.Server.Data;
using Gatehouse.Server.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Caching.Memory;
using Microsoft.Extensions.Options;

namespace Gatehouse.Server.Features.Accounts;

/// <summary>A session as its admin sees it in the list of their sessions.</summary>
internal sealed record SessionDto(
    Guid Id, SessionKind Kind, DateTimeOffset CreatedAt, DateTimeOffset LastSeenAt, DateTimeOffset ExpiresAt,
    string? ClientAddress, string Client, bool Current);

/// <summary>
/// Remembers validated sessions for at most <see cref="CacheFor"/>, so a busy client does not read the
/// store on every request. The store is the truth: a session ended on another server is refused here
/// once the entry is that old. Ending sessions on this server also drops its entries at once, through a
/// per-admin generation (an optimisation for this server only, not what makes revocation work).
/// </summary>
internal sealed class SessionCache(IMemoryCache cache, TimeProvider clock)
{
    /// <summary>The longest a server goes on accepting a session that another server ended. Documented in docs/security.md.</summary>
    public static readonly TimeSpan CacheFor = TimeSpan.FromSeconds(5);

    private readonly ConcurrentDictionary<Guid, int> _generations = new();

    public static byte[] Hash(string token) => SHA256.HashData(Encoding.UTF8.GetBytes(token));

    public static string Key(byte[] hash) => "session:" + Convert.ToBase64String(hash);

    /// <summary>Drops this server's entries of an admin, or of every admin of an organization (renamed).</summary>
    public void Evict(Guid adminOrOrganizationId) => _generations.AddOrUpdate(adminOrOrganizationId, 1, (_, g) => g + 1);

    public bool TryGet(string key, out CachedSession session)
    {
        // The entry's own age is also checked on the injected clock, so tests can step past it.
        if (cache.TryGetValue(key, out CachedSession? found) && found is not null
            && clock.GetUtcNow() - found.CachedAt < CacheFor
            && found.Generation == Generation(found.AdminId, found.OrganizationId))
        {
            session = found;
            return true;
        }

        session = null!;
        return false;
    }

    public CachedSession Remember(string key, AdminSession session, Admin admin, string organizationName)
    {
        var cached = new CachedSession(
            session.Id, session.Kind, admin.Id, admin.OrganizationId, organizationName, admin.Email, admin.Role,
            admin.IsSystemAdministrator, session.LastSeenAt, session.ExpiresAt,
            Generation(admin.Id, admin.OrganizationId), clock.GetUtcNow());
        cache.Set(key, cached, CacheFor);
        return cached;
    }

    public void Forget(string key) => cache.Remove(key);

    private (int Admin, int Organization) Generation(Guid adminId, Guid organizationId) =>
        (_generations.GetValueOrDefault(adminId), _generations.GetValueOrDefault(organizationId));
}

/// <summary>A validated session with the admin it belongs to, as read from the store.</summary>
internal sealed record CachedSession(
    Guid SessionId, SessionKind Kind, Guid AdminId, Guid OrganizationId, string OrganizationName, string Email,
    AdminRole Role, bool SystemAdministrator, DateTimeOffset LastSeenAt, DateTimeOffset ExpiresAt, (int Admin, int Organization) Generation,
    DateTimeOffset CachedAt);

/// <summary>
/// Starts, checks and ends administrators' sessions (API tokens and console sign-ins). A session lives
/// until its absolute end; a console session also ends after <see cref="AccountOptions.ConsoleIdleTimeout"/>
/// without a request.
/// </summary>
internal sealed class SessionService(GatehouseDbContext db, SessionCache cache, TimeProvider clock, IOptions<AccountOptions> options)
{
    // The last-seen time is written at most this often per session: a session list needs minutes, not requests.
    private static readonly TimeSpan TouchEvery = TimeSpan.FromMinutes(1);

    private static readonly ApiError NotFound = new ApiError.NotFound("The session");

    /// <summary>Starts a session; the returned secret is shown once (API) or sealed in the cookie (console).</summary>
    public async Task<(string Token, AdminSession Session)> StartAsync(
        Admin admin, SessionKind kind, string? clientAddress, string? userAgent, CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        var token = Base64Url(RandomNumberGenerator.GetBytes(32));
        var session = new AdminSession
        {
            TokenHash = SessionCache.Hash(token),
            AdminId = admin.Id,
            Kind = kind,
            CreatedAt = now,
            LastSeenAt = now,
            ExpiresAt = now + (kind == SessionKind.Api ? options.Value.TokenLifetime : options.Value.ConsoleLifetime),
            ClientAddress = Truncate(clientAddress, AdminSession.ClientAddressMaxLength),
            UserAgent = Truncate(userAgent, AdminSession.UserAgentMaxLength),
        };

        // Ended sessions are not kept: sweep this admin's before adding one.
        var idleSince = now - options.Value.ConsoleIdleTimeout;
        await db.AdminSessions
            .Where(s => s.AdminId == admin.Id && (s.ExpiresAt <= now || (s.Kind == SessionKind.Console && s.LastSeenAt <= idleSince)))
            .ExecuteDeleteAsync(ct);
        db.AdminSessions.Add(session);
        await db.SaveChangesAsync(ct);
        return (token, session);
    }

    /// <summary>The live session of this secret and kind with its admin, or null when unknown, ended or expired.</summary>
    public async Task<CachedSession?> ValidateAsync(string token, SessionKind kind, CancellationToken ct)
    {
        var hash = SessionCache.Hash(token);
        var key = SessionCache.Key(hash);
        var now = clock.GetUtcNow();
        if (cache.TryGet(key, out var cached))
        {
            return cached.Kind == kind && IsLive(cached.Kind, cached.LastSeenAt, cached.ExpiresAt, now) ? cached : null;
        }

        var found = await db.AdminSessions.AsNoTracking()
            .Where(s => s.TokenHash == hash && s.Kind == kind)
            .Join(db.Admins.IgnoreQueryFilters(), s => s.AdminId, a => a.Id, (s, a) => new { Session = s, Admin = a })
            .Join(db.Organizations.IgnoreQueryFilters(), x => x.Admin.OrganizationId, o => o.Id,
                (x, o) => new { x.Session, x.Admin, OrganizationName = o.Name })
            .SingleOrDefaultAsync(ct);
        if (found is null || !IsLive(found.Session.Kind, found.Session.LastSeenAt, found.Session.ExpiresAt, now))
        {
            cache.Forget(key);
            return null;
        }

        if (now - found.Session.LastSeenAt >= TouchEvery)
        {
            await db.AdminSessions.Where(s => s.Id == found.Session.Id).ExecuteUpdateAsync(u => u.SetProperty(s => s.LastSeenAt, now), ct);
            found.Session.LastSeenAt = now;
        }

        return cache.Remember(key, found.Session, found.Admin, found.OrganizationName);
    }

    /// <summary>Ends the session of this secret (signing out).</summary>
    public async Task EndAsync(string token, CancellationToken ct)
    {
        var hash = SessionCache.Hash(token);
        var adminId = await db.AdminSessions.Where(s => s.TokenHash == hash).Select(s => (Guid?)s.AdminId).SingleOrDefaultAsync(ct);
        await db.AdminSessions.Where(s => s.TokenHash == hash).ExecuteDeleteAsync(ct);
        cache.Forget(SessionCache.Key(hash));
        if (adminId is { } id)
        {
            cache.Evict(id);
        }
    }

    /// <summary>The admin's live sessions, newest first; <paramref name="currentId"/> is marked.</summary>
    public async Task<IReadOnlyList<SessionDto>> ListAsync(Guid adminId, Guid? currentId, CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        var sessions = await db.AdminSessions.AsNoTracking()
            .Where(s => s.AdminId == adminId)
            .ToListAsync(ct);
        return sessions
            .Where(s => IsLive(s.Kind, s.LastSeenAt, s.ExpiresAt, now))
            .OrderByDescending(s => s.Id == currentId).ThenByDescending(s => s.LastSeenAt).ThenByDescending(s => s.Id)
            .Select(s => new SessionDto(s.Id, s.Kind, s.CreatedAt, s.LastSeenAt, s.ExpiresAt, s.ClientAddress,
                UserAgentSummary.Of(s.UserAgent), s.Id == currentId))
            .ToList();
    }

    /// <summary>Ends one of the admin's own sessions; another admin's answers not found.</summary>
    public async Task<ApiError?> EndAsync(Guid adminId, Guid sessionId, CancellationToken ct)
    {
        var ended = await db.AdminSessions.Where(s => s.Id == sessionId && s.AdminId == adminId).ExecuteDeleteAsync(ct);
        cache.Evict(adminId);
        return ended == 0 ? NotFound : null;
    }

    /// <summary>Ends all the admin's sessions but <paramref name="currentId"/>; returns how many ended.</summary>
    public async Task<int> EndOthersAsync(Guid adminId, Guid? currentId, CancellationToken ct)
    {
        var ended = await db.AdminSessions.Where(s => s.AdminId == adminId && s.Id != currentId).ExecuteDeleteAsync(ct);
        cache.Evict(adminId);
        return ended;
    }

    /// <summary>
    /// Ends every session of an admin (deleted, role or password changed). Inside a transaction, call
    /// <see cref="Forget"/> again after the commit: until then another request could read the old session and cache it anew.
    /// </summary>
    public async Task EndAllAsync(Guid adminId, CancellationToken ct)
    {
        await db.AdminSessions.Where(s => s.AdminId == adminId).ExecuteDeleteAsync(ct);
        cache.Evict(adminId);
    }

    /// <summary>Drops this server's cached sessions of an admin (or of an organization's admins) so their next request reads the store afresh.</summary>
    public void Forget(Guid adminOrOrganizationId) => cache.Evict(adminOrOrganizationId);

    private bool IsLive(SessionKind kind, DateTimeOffset lastSeenAt, DateTimeOffset expiresAt, DateTimeOffset now) =>
        expiresAt > now && (kind != SessionKind.Console || lastSeenAt + options.Value.ConsoleIdleTimeout > now);

    private static string? Truncate(string? text, int max) =>
        string.IsNullOrWhiteSpace(text) ? null : text.Length <= max ? text : text[..max];

    private static string Base64Url(byte[] bytes) =>
        Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
