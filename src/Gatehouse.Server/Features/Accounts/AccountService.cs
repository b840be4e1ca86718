using Gatehouse.Server.Data;
using Gatehouse.Server.Features.Audit;
using Gatehouse.Server.Infrastructure;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Gatehouse.Server.Features.Accounts;

/// <summary>An organization whose administrator the email and password proved to be.</summary>
internal sealed record OrganizationChoice(Guid OrganizationId, string Name, Guid AdminId);

/// <summary>The outcome of checking an email and password.</summary>
internal abstract record SignInOutcome
{
    /// <summary>Wrong email or password, or the account is locked; never says which.</summary>
    public sealed record Failed : SignInOutcome;

    public sealed record SignedIn(Admin Admin) : SignInOutcome;

    /// <summary>The password is right for accounts in several organizations: the caller must pick one.</summary>
    public sealed record ChooseOrganization(IReadOnlyList<OrganizationChoice> Choices) : SignInOutcome;
}

/// <summary>Passwords, sign-in with lockout, and API tokens. Shared by the API and the admin console.</summary>
internal sealed partial class AccountService(
    GatehouseDbContext db,
    IPasswordHasher<Admin> hasher,
    SessionService sessions,
    TimeProvider clock,
    IOptions<AccountOptions> options,
    ILogger<AccountService> logger)
{
    // Verified against when the email is unknown, so every outcome costs a hash verification.
    private static readonly string UnknownUserHash = new PasswordHasher<Admin>().HashPassword(null!, "not-a-password-" + Guid.NewGuid());

    private static readonly SignInOutcome Failed = new SignInOutcome.Failed();

    /// <summary>
    /// Checks an email and password against every account with that email (one per organization), or only
    /// the one in <paramref name="organizationId"/>. Each outcome (unknown email, wrong password, locked
    /// account, success) verifies at least one password hash, so none answers faster than the others.
    /// Lockout is per account: wrong passwords count against the unlocked accounts only when no account matched.
    /// </summary>
    public async Task<SignInOutcome> SignInAsync(string email, string password, Guid? organizationId, CancellationToken ct)
    {
        var normalized = Admin.Normalize(email);
        var accounts = await db.Admins.IgnoreQueryFilters()
            .Where(a => a.Email == normalized && (organizationId == null || a.OrganizationId == organizationId))
            .OrderBy(a => a.CreatedAt).ThenBy(a => a.Id)
            .ToListAsync(ct);
        if (accounts.Count == 0)
        {
            hasher.VerifyHashedPassword(null!, UnknownUserHash, password);
            return Failed;
        }

        var now = clock.GetUtcNow();
        var matches = new List<(Admin Admin, bool Rehash)>();
        foreach (var admin in accounts)
        {
            // Verified even while locked: a locked account answers after the same work as any other.
            var verdict = hasher.VerifyHashedPassword(admin, admin.PasswordHash, password);
            if (!IsLocked(admin, now) && verdict != PasswordVerificationResult.Failed)
            {
                matches.Add((admin, verdict == PasswordVerificationResult.SuccessRehashNeeded));
            }
        }

        if (matches.Count == 0)
        {
            foreach (var admin in accounts.Where(a => !IsLocked(a, now)))
            {
                CountFailure(admin, now);
            }

            await db.SaveChangesAsync(ct);
            return Failed;
        }

        if (matches.Count > 1)
        {
            var ids = matches.Select(m => m.Admin.OrganizationId).ToList();
            var names = await db.Organizations.IgnoreQueryFilters().Where(o => ids.Contains(o.Id)).ToDictionaryAsync(o => o.Id, o => o.Name, ct);
            return new SignInOutcome.ChooseOrganization(matches
                .Select(m => new OrganizationChoice(m.Admin.OrganizationId, names.GetValueOrDefault(m.Admin.OrganizationId, ""), m.Admin.Id))
                .OrderBy(c => c.Name, StringComparer.OrdinalIgnoreCase)
                .ToList());
        }

        var (signedIn, rehash) = matches[0];
        if (rehash)
        {
            signedIn.PasswordHash = hasher.HashPassword(signedIn, password);
        }

        signedIn.FailedSignIns = 0;
        signedIn.LockedUntil = null;
        await db.SaveChangesAsync(ct);
        return new SignInOutcome.SignedIn(signedIn);
    }

    /// <summary>
    /// The account a person chose after their password proved right for several (see
    /// <see cref="SignInOutcome.ChooseOrganization"/>); null when it is gone or has been locked since.
    /// </summary>
    public async Task<Admin?> ChosenAccountAsync(Guid adminId, CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        return await db.Admins.IgnoreQueryFilters()
            .SingleOrDefaultAsync(a => a.Id == adminId && (a.LockedUntil == null || a.LockedUntil <= now), ct);
    }

    /// <summary>Issues an API token; only its hash is stored.</summary>
    public async Task<(string Token, DateTimeOffset ExpiresAt)> IssueTokenAsync(
        Admin admin, string? clientAddress, string? userAgent, CancellationToken ct)
    {
        var (token, session) = await sessions.StartAsync(admin, SessionKind.Api, clientAddress, userAgent, ct);
        return (token, session.ExpiresAt);
    }

    /// <summary>Checks a new password against the policy; null when acceptable.</summary>
    public string? CheckPasswordPolicy(string? password)
    {
        var min = options.Value.MinPasswordLength;
        if (string.IsNullOrEmpty(password) || password.Length < min)
        {
            return $"Must be at least {min} characters.";
        }

        return password.Length > 256 ? "Must be at most 256 characters." : null;
    }

    public string HashPassword(Admin admin, string password) => hasher.HashPassword(admin, password);

    /// <summary>
    /// Ends every session of an admin, API and console, on every server (deleted, role changed, password
    /// changed). Inside a transaction, call <see cref="ForgetCachedSessions"/> again after the commit:
    /// until then another request could still read the old session and cache it anew.
    /// </summary>
    public Task RevokeSessionsAsync(Guid adminId, CancellationToken ct) => sessions.EndAllAsync(adminId, ct);

    /// <summary>
    /// Drops this server's cached sessions of an admin, or of all admins of an organization, so their next
    /// request reads their account afresh; other servers do within <see cref="SessionCache.CacheFor"/>.
    /// </summary>
    public void ForgetCachedSessions(Guid adminOrOrganizationId) => sessions.Forget(adminOrOrganizationId);

    private static bool IsLocked(Admin admin, DateTimeOffset now) => admin.LockedUntil > now;

    private void CountFailure(Admin admin, DateTimeOffset now)
    {
        admin.FailedSignIns++;
        if (admin.FailedSignIns >= options.Value.MaxFailedSignIns)
        {
            admin.LockedUntil = now + options.Value.LockoutDuration;
            admin.FailedSignIns = 0;
            db.PendingAuditNotes.Add(new AuditNote(admin.OrganizationId, "admin", admin.Id.ToString(), "lockedOut",
                new Dictionary<string, object?> { ["lockedUntil"] = admin.LockedUntil }));
            LogLockedOut(logger, admin.Id, admin.LockedUntil.Value);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Administrator {AdminId} is locked out until {LockedUntil} after too many wrong passwords")]
    private static partial void LogLockedOut(ILogger logger, Guid adminId, DateTimeOffset lockedUntil);
}
