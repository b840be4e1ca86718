using System.Security.Claims;
using Gatehouse.Server.Data;
using Gatehouse.Server.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace Gatehouse.Server.Features.Accounts;

internal sealed record CreateAdminRequest(string? Email, string? Password, AdminRole? Role);

/// <summary>A partial update: absent fields stay as they are. None of them can be cleared.</summary>
internal sealed record UpdateAdminRequest(Optional<string?> Email, Optional<string?> Password, Optional<AdminRole?> Role);

/// <summary>An administrator as the API shows it; never the password hash.</summary>
internal sealed record AdminDto(Guid Id, string Email, AdminRole Role, bool IsSystemAdministrator, DateTimeOffset CreatedAt, DateTimeOffset? LockedUntil);

/// <summary>Who is asking, in the current organization.</summary>
internal sealed record AdminCaller(Guid Id, AdminRole Role)
{
    public static AdminCaller From(ClaimsPrincipal user) => new(
        Guid.Parse(user.FindFirstValue(GatehouseClaims.AdminId)!),
        Enum.Parse<AdminRole>(user.FindFirstValue(GatehouseClaims.Role)!, ignoreCase: true));
}

internal static class AdminMapping
{
    /// <summary><c>lockedUntil</c> only while the lockout lasts.</summary>
    public static AdminDto ToDto(this Admin a, DateTimeOffset now) =>
        new(a.Id, a.Email, a.Role, a.IsSystemAdministrator, a.CreatedAt, a.LockedUntil > now ? a.LockedUntil : null);
}

/// <summary>
/// The administrators of the current organization (API and admin console). Owners manage everyone;
/// admins manage admins and viewers but never owners; an organization always keeps an owner.
/// </summary>
internal sealed class AdminService(GatehouseDbContext db, AccountService accounts, CurrentOrganization current, TimeProvider clock)
{
    private static readonly ApiError NotFound = new ApiError.NotFound("The administrator");
    private static readonly ApiError OnlyOwners = new ApiError.Forbidden("Only an owner may create, change or delete owners, or make someone an owner.");
    private static readonly ApiError Duplicate = new ApiError.Conflict("This organization already has an administrator with this email.");
    private static readonly ApiError LastOwner = new ApiError.Conflict("This is the organization's last owner: make someone else an owner first.");
    private static readonly ApiError SystemAdministrator = new ApiError.Conflict("The system administrator remains an owner and cannot be deleted.");

    public async Task<Result<PagedList<AdminDto>>> ListAsync(int? page, int? pageSize, CancellationToken ct)
    {
        if (Paging.Check(page, pageSize) is { } error)
        {
            return error;
        }

        var now = clock.GetUtcNow();
        return await db.Admins.AsNoTracking().OrderBy(a => a.Email).ToPageAsync(page, pageSize, a => a.ToDto(now), ct);
    }

    public async Task<Result<AdminDto>> GetAsync(Guid id, CancellationToken ct)
    {
        var admin = await db.Admins.AsNoTracking().SingleOrDefaultAsync(a => a.Id == id, ct);
        return admin is null ? NotFound : admin.ToDto(clock.GetUtcNow());
    }

    public async Task<Result<AdminDto>> CreateAsync(AdminCaller caller, CreateAdminRequest request, CancellationToken ct)
    {
        var v = new Validation();
        Admin.CheckEmail(v, "email", request.Email);
        if (accounts.CheckPasswordPolicy(request.Password) is { } passwordProblem)
        {
            v.Add("password", passwordProblem);
        }

        if (request.Role is null)
        {
            v.Add("role", "This field is required.");
        }

        if (!v.IsValid)
        {
            return v.ToError();
        }

        if (request.Role == AdminRole.Owner && caller.Role != AdminRole.Owner)
        {
            return OnlyOwners;
        }

        var email = Admin.Normalize(request.Email!);
        if (await EmailTakenAsync(email, except: null, ct))
        {
            return Duplicate;
        }

        var now = clock.GetUtcNow();
        var admin = new Admin { Email = email, Role = request.Role!.Value, CreatedAt = now };
        admin.PasswordHash = accounts.HashPassword(admin, request.Password!);
        db.Admins.Add(admin);
        try
        {
            await db.SaveChangesAsync(ct);
        }
        catch (DbUpdateException e) when (e.IsUniqueViolation())
        {
            return Duplicate;
        }

        return admin.ToDto(now);
    }

    public async Task<Result<AdminDto>> UpdateAsync(AdminCaller caller, Guid id, UpdateAdminRequest request, CancellationToken ct)
    {
        var v = new Validation();
        if (request.Email.HasValue)
        {
            Admin.CheckEmail(v, "email", request.Email.Value);
        }

        if (request.Password.HasValue && accounts.CheckPasswordPolicy(request.Password.Value) is { } passwordProblem)
        {
            v.Add("password", passwordProblem);
        }

        if (request.Role is { HasValue: true, Value: null })
        {
            v.Add("role", "This field is required.");
        }

        if (!v.IsValid)
        {
            return v.ToError();
        }

        // The organization's lock makes "is this the last owner?" and the change one step: two owners
        // demoting each other at the same moment cannot leave the organization without one.
        await using var transaction = await db.Database.BeginTransactionAsync(ct);
        await db.LockOrganizationAsync(current.RequiredId, ct);
        var admin = await db.Admins.SingleOrDefaultAsync(a => a.Id == id, ct);
        if (admin is null)
        {
            return NotFound;
        }

        var role = request.Role.HasValue ? request.Role.Value!.Value : admin.Role;
        if (caller.Role != AdminRole.Owner && (admin.Role == AdminRole.Owner || role == AdminRole.Owner))
        {
            return OnlyOwners;
        }

        if (admin.Role == AdminRole.Owner && role != AdminRole.Owner)
        {
            if (admin.IsSystemAdministrator)
            {
                return SystemAdministrator;
            }

            if (await IsLastOwnerAsync(ct))
            {
                return LastOwner;
            }
        }

        if (request.Email.HasValue)
        {
            var email = Admin.Normalize(request.Email.Value!);
            if (email != admin.Email && await EmailTakenAsync(email, except: admin.Id, ct))
            {
                return Duplicate;
            }

            admin.Email = email;
        }

        var endSessions = role != admin.Role;
        admin.Role = role;
        if (request.Password.HasValue)
        {
            admin.PasswordHash = accounts.HashPassword(admin, request.Password.Value!);
            admin.FailedSignIns = 0;
            admin.LockedUntil = null;
            endSessions = true;
        }

        try
        {
            await db.SaveChangesAsync(ct);
            if (endSessions)
            {
                await accounts.RevokeSessionsAsync(admin.Id, ct);
            }

            await transaction.CommitAsync(ct);
        }
        catch (DbUpdateException e) when (e.IsUniqueViolation())
        {
            return Duplicate;
        }

        // Also for an email change: the cached sessions carry the old address.
        accounts.ForgetCachedSessions(admin.Id);
        return admin.ToDto(clock.GetUtcNow());
    }

    public async Task<ApiError?> DeleteAsync(AdminCaller caller, Guid id, CancellationToken ct)
    {
        await using var transaction = await db.Database.BeginTransactionAsync(ct);
        await db.LockOrganizationAsync(current.RequiredId, ct);
        var admin = await db.Admins.SingleOrDefaultAsync(a => a.Id == id, ct);
        if (admin is null)
        {
            return NotFound;
        }

        if (admin.Role == AdminRole.Owner && caller.Role != AdminRole.Owner)
        {
            return OnlyOwners;
        }

        if (admin.IsSystemAdministrator)
        {
            return SystemAdministrator;
        }

        if (admin.Role == AdminRole.Owner && await IsLastOwnerAsync(ct))
        {
            return LastOwner;
        }

        await accounts.RevokeSessionsAsync(admin.Id, ct);
        db.Admins.Remove(admin);
        await db.SaveChangesAsync(ct);
        await transaction.CommitAsync(ct);
        accounts.ForgetCachedSessions(admin.Id);
        return null;
    }

    // Within the organization only (the query filter): other organizations' admins are none of its business.
    private Task<bool> EmailTakenAsync(string email, Guid? except, CancellationToken ct) =>
        db.Admins.AnyAsync(a => a.Email == email && a.Id != except, ct);

    private async Task<bool> IsLastOwnerAsync(CancellationToken ct) =>
        await db.Admins.CountAsync(a => a.Role == AdminRole.Owner, ct) <= 1;
}
