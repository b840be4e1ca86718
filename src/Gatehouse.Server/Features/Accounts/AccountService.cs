using System.Security.Cryptography;
using Gatehouse.Server.Data;
using Gatehouse.Server.Features.Audit;
using Gatehouse.Server.Infrastructure;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Gatehouse.Server.Features.Accounts;

/// <summary>Passwords, sign-in with lockout, and API tokens. Shared by the API and the admin console.</summary>
internal sealed partial class AccountService(
    GatehouseDbContext db,
    IPasswordHasher<Admin> hasher,
    SessionCache sessions,
    TimeProvider clock,
    IOptions<AccountOptions> options,
    ILogger<AccountService> logger)
{
    // Verified against when the email is unknown, so both paths cost the same.
    private static readonly string UnknownUserHash = new PasswordHasher<Admin>().HashPassword(null!, "not-a-password-" + Guid.NewGuid());

    public async Task<Admin?> CheckPasswordAsync(string email, string password, CancellationToken ct)
    {
        var normalized = Admin.Normalize(email);
        var admin = await db.Admins.IgnoreQueryFilters().SingleOrDefaultAsync(a => a.Email == normalized, ct);
        if (admin is null)
        {
            hasher.VerifyHashedPassword(null!, UnknownUserHash, password);
            return null;
        }

        var now = clock.GetUtcNow();
        if (admin.LockedUntil > now)
        {
            return null;
        }

        var verdict = hasher.VerifyHashedPassword(admin, admin.PasswordHash, password);
        if (verdict == PasswordVerificationResult.Failed)
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

            await db.SaveChangesAsync(ct);
            return null;
        }

        if (verdict == PasswordVerificationResult.SuccessRehashNeeded)
        {
            admin.PasswordHash = hasher.HashPassword(admin, password);
        }

        admin.FailedSignIns = 0;
        admin.LockedUntil = null;
        await db.SaveChangesAsync(ct);
        return admin;
    }

    /// <summary>Issues an API token; only its hash is stored.</summary>
    public async Task<(string Token, DateTimeOffset ExpiresAt)> IssueTokenAsync(Admin admin, CancellationToken ct)
    {
        var token = Base64UrlToken(RandomNumberGenerator.GetBytes(32));
        var now = clock.GetUtcNow();
        var session = new ApiSession
        {
            TokenHash = SessionCache.Hash(token),
            AdminId = admin.Id,
            CreatedAt = now,
            ExpiresAt = now + options.Value.TokenLifetime,
        };
        db.ApiSessions.Add(session);
        await db.SaveChangesAsync(ct);
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
    /// Ends every session of an admin at once (deleted, role changed, password changed). Inside a
    /// transaction, call <see cref="ForgetCachedSessions"/> again after the commit: until then another
    /// request could still read the old session and cache it anew.
    /// </summary>
    public async Task RevokeSessionsAsync(Guid adminId, CancellationToken ct)
    {
        await db.ApiSessions.Where(s => s.AdminId == adminId).ExecuteDeleteAsync(ct);
        sessions.Evict(adminId);
    }

    /// <summary>Drops the cached sessions of an admin so their next call reads their account afresh.</summary>
    public void ForgetCachedSessions(Guid adminId) => sessions.Evict(adminId);

    private static string Base64UrlToken(byte[] bytes) =>
        Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    [LoggerMessage(Level = LogLevel.Warning, Message = "Administrator {AdminId} is locked out until {LockedUntil} after too many wrong passwords")]
    private static partial void LogLockedOut(ILogger logger, Guid adminId, DateTimeOffset lockedUntil);
}
