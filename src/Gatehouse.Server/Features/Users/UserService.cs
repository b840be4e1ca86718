using System.Text.RegularExpressions;
using Gatehouse.Server.Data;
using Gatehouse.Server.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace Gatehouse.Server.Features.Users;

internal sealed record UserDto(
    Guid Id,
    string FirstName,
    string LastName,
    string? Email,
    string? Phone,
    UserStatus Status,
    DateTimeOffset? ValidFrom,
    DateTimeOffset? ValidUntil,
    IReadOnlyList<Guid> AccessGroupIds,
    DateTimeOffset CreatedAt);

/// <param name="Status">Absent is active.</param>
internal sealed record CreateUserRequest(
    string? FirstName,
    string? LastName,
    string? Email,
    string? Phone,
    UserStatus? Status,
    DateTimeOffset? ValidFrom,
    DateTimeOffset? ValidUntil,
    IReadOnlyList<Guid>? AccessGroupIds);

/// <summary>A partial update; <c>null</c> clears email, phone, validFrom and validUntil. accessGroupIds replaces the set.</summary>
internal sealed record UpdateUserRequest
{
    public Optional<string?> FirstName { get; init; }

    public Optional<string?> LastName { get; init; }

    public Optional<string?> Email { get; init; }

    public Optional<string?> Phone { get; init; }

    public Optional<UserStatus?> Status { get; init; }

    public Optional<DateTimeOffset?> ValidFrom { get; init; }

    public Optional<DateTimeOffset?> ValidUntil { get; init; }

    public Optional<IReadOnlyList<Guid>?> AccessGroupIds { get; init; }
}

internal static class UserMapping
{
    public static UserDto ToDto(this User user) => new(
        user.Id,
        user.FirstName,
        user.LastName,
        user.Email,
        user.Phone,
        user.Status,
        user.ValidFrom,
        user.ValidUntil,
        [.. user.AccessGroups.Select(m => m.AccessGroupId).Order()],
        user.CreatedAt);
}

/// <summary>The people of the current organization who open doors. Shared by the API and the admin console.</summary>
internal sealed partial class UserService(GatehouseDbContext db, TimeProvider clock)
{
    public const int SearchMaxLength = 200;

    private const string GroupNotFound = "The access group was not found.";

    /// <summary>The most users one import may create.</summary>
    public const int MaxImportRows = 5000;

    /// <summary>
    /// A page of users ordered by last name, first name and ID. <paramref name="search"/> matches any part of
    /// the first name, last name or email, ignoring case.
    /// </summary>
    public async Task<Result<PagedList<UserDto>>> ListAsync(string? search, int? page, int? pageSize, CancellationToken ct)
    {
        if (Paging.Check(page, pageSize) is { } error)
        {
            return error;
        }

        if (search is { Length: > SearchMaxLength })
        {
            return ApiError.Invalid.Field("search", $"Must be at most {SearchMaxLength} characters.");
        }

        var users = db.Users.AsNoTracking().Include(u => u.AccessGroups).AsQueryable();
        if (!string.IsNullOrWhiteSpace(search))
        {
            var term = User.Fold(search.Trim());
            users = users.Where(u => u.SearchText.Contains(term));
        }

        return await users.OrderBy(u => u.LastName).ThenBy(u => u.FirstName).ThenBy(u => u.Id)
            .ToPageAsync(page, pageSize, u => u.ToDto(), ct);
    }

    public async Task<Result<UserDto>> GetAsync(Guid id, CancellationToken ct) =>
        await db.Users.AsNoTracking().Include(u => u.AccessGroups).SingleOrDefaultAsync(u => u.Id == id, ct) is { } user
            ? user.ToDto()
            : new ApiError.NotFound("The user");

    public async Task<Result<UserDto>> CreateAsync(CreateUserRequest request, CancellationToken ct)
    {
        var v = new Validation();
        CheckNew(v, "", request);
        var groupIds = await CheckAccessGroupsAsync(v, request.AccessGroupIds ?? [], ct);
        if (!v.IsValid)
        {
            return v.ToError();
        }

        var user = NewUser(request, groupIds);
        db.Users.Add(user);
        await db.SaveChangesAsync(ct);
        return user.ToDto();
    }

    /// <summary>
    /// Checks users to import (from the console's CSV upload) by the same rules as <see cref="CreateAsync"/>.
    /// Field paths name the row: <c>rows[2].email</c> is the third user's email.
    /// </summary>
    public async Task<ApiError?> CheckImportAsync(IReadOnlyList<CreateUserRequest> rows, CancellationToken ct)
    {
        var v = await CheckImportRowsAsync(rows, ct);
        return v.IsValid ? null : v.ToError();
    }

    /// <summary>
    /// Creates all of <paramref name="rows"/> or, when any row is invalid, none of them: they are saved
    /// together, so a failure part-way leaves the store as it was.
    /// </summary>
    public async Task<Result<int>> ImportAsync(IReadOnlyList<CreateUserRequest> rows, CancellationToken ct)
    {
        var v = await CheckImportRowsAsync(rows, ct);
        if (!v.IsValid)
        {
            return v.ToError();
        }

        db.Users.AddRange(rows.Select(r => NewUser(r, [.. (r.AccessGroupIds ?? []).Distinct()])));
        await db.SaveChangesAsync(ct);
        return rows.Count;
    }

    private async Task<Validation> CheckImportRowsAsync(IReadOnlyList<CreateUserRequest> rows, CancellationToken ct)
    {
        var v = new Validation();
        if (rows.Count is 0 or > MaxImportRows)
        {
            return v.Add("rows", $"Import between 1 and {MaxImportRows} users at a time.");
        }

        // One read of the organization's groups serves every row.
        var known = (await db.AccessGroups.Select(g => g.Id).ToListAsync(ct)).ToHashSet();
        for (var i = 0; i < rows.Count; i++)
        {
            var prefix = $"rows[{i}].";
            CheckNew(v, prefix, rows[i]);
            if (v.Within($"{prefix}accessGroupIds", rows[i].AccessGroupIds?.Count, User.MaxAccessGroups))
            {
                v.KnownIds($"{prefix}accessGroupIds", rows[i].AccessGroupIds ?? [], known, GroupNotFound);
            }
        }

        return v;
    }

    /// <summary>The checks of a new user that need no store; <paramref name="prefix"/> goes before each field's name.</summary>
    private static void CheckNew(Validation v, string prefix, CreateUserRequest request)
    {
        v.Text(prefix + "firstName", request.FirstName, User.NameMaxLength)
            .Text(prefix + "lastName", request.LastName, User.NameMaxLength)
            .Period(prefix + "validUntil", request.ValidFrom, request.ValidUntil);
        CheckEmail(v, request.Email, prefix + "email");
        CheckPhone(v, request.Phone, prefix + "phone");
    }

    private User NewUser(CreateUserRequest request, IReadOnlyList<Guid> groupIds)
    {
        var user = new User
        {
            FirstName = request.FirstName!.Trim(),
            LastName = request.LastName!.Trim(),
            Email = Clean(request.Email),
            Phone = Clean(request.Phone),
            Status = request.Status ?? UserStatus.Active,
            ValidFrom = request.ValidFrom?.ToUniversalTime(),
            ValidUntil = request.ValidUntil?.ToUniversalTime(),
            CreatedAt = clock.GetUtcNow(),
        };
        user.AccessGroups.AddRange(groupIds.Select(g => new UserAccessGroup { UserId = user.Id, AccessGroupId = g }));
        return user;
    }

    public async Task<Result<UserDto>> UpdateAsync(Guid id, UpdateUserRequest request, CancellationToken ct)
    {
        var user = await db.Users.Include(u => u.AccessGroups).SingleOrDefaultAsync(u => u.Id == id, ct);
        if (user is null)
        {
            return new ApiError.NotFound("The user");
        }

        var v = new Validation();
        if (request.FirstName.HasValue)
        {
            v.Text("firstName", request.FirstName.Value, User.NameMaxLength);
        }

        if (request.LastName.HasValue)
        {
            v.Text("lastName", request.LastName.Value, User.NameMaxLength);
        }

        if (request.Email.HasValue)
        {
            CheckEmail(v, request.Email.Value);
        }

        if (request.Phone.HasValue)
        {
            CheckPhone(v, request.Phone.Value);
        }

        if (request.Status is { HasValue: true, Value: null })
        {
            v.Add("status", "Must be \"active\" or \"suspended\".");
        }

        // The period is checked as it will be after the change, so moving only one end is checked too.
        var validFrom = request.ValidFrom.Or(user.ValidFrom);
        var validUntil = request.ValidUntil.Or(user.ValidUntil);
        v.Period("validUntil", validFrom, validUntil);

        List<Guid>? groupIds = null;
        if (request.AccessGroupIds.HasValue)
        {
            if (request.AccessGroupIds.Value is { } ids)
            {
                groupIds = await CheckAccessGroupsAsync(v, ids, ct);
            }
            else
            {
                v.Add("accessGroupIds", "Send [] to remove every access group.");
            }
        }

        if (!v.IsValid)
        {
            return v.ToError();
        }

        user.FirstName = request.FirstName.HasValue ? request.FirstName.Value!.Trim() : user.FirstName;
        user.LastName = request.LastName.HasValue ? request.LastName.Value!.Trim() : user.LastName;
        user.Email = request.Email.HasValue ? Clean(request.Email.Value) : user.Email;
        user.Phone = request.Phone.HasValue ? Clean(request.Phone.Value) : user.Phone;
        user.Status = request.Status.Or(user.Status)!.Value;
        user.ValidFrom = validFrom?.ToUniversalTime();
        user.ValidUntil = validUntil?.ToUniversalTime();
        if (groupIds is not null)
        {
            // Change only what differs, so the audit log shows the groups joined and left.
            user.AccessGroups.RemoveAll(m => !groupIds.Contains(m.AccessGroupId));
            user.AccessGroups.AddRange(groupIds.Where(g => user.AccessGroups.All(m => m.AccessGroupId != g))
                .Select(g => new UserAccessGroup { UserId = user.Id, AccessGroupId = g }));
        }

        await db.SaveChangesAsync(ct);
        return user.ToDto();
    }

    /// <summary>
    /// Deletes a user with their memberships and credentials, so a deleted person's card opens nothing. The
    /// database cascades to credentials anyway; loading them first puts each one in the audit log.
    /// </summary>
    public async Task<ApiError?> DeleteAsync(Guid id, CancellationToken ct)
    {
        var user = await db.Users.Include(u => u.AccessGroups).SingleOrDefaultAsync(u => u.Id == id, ct);
        if (user is null)
        {
            return new ApiError.NotFound("The user");
        }

        db.Credentials.RemoveRange(await db.Credentials.Where(c => c.UserId == id).ToListAsync(ct));
        db.UserAccessGroups.RemoveRange(user.AccessGroups);
        db.Users.Remove(user);
        await db.SaveChangesAsync(ct);
        return null;
    }

    private static void CheckEmail(Validation v, string? email, string field = "email")
    {
        if (string.IsNullOrWhiteSpace(email))
        {
            return;
        }

        if (email.Length > User.EmailMaxLength || !EmailAddress.IsValid(email))
        {
            v.Add(field, "Must be an email address such as ana@example.com.");
        }
    }

    private static void CheckPhone(Validation v, string? phone, string field = "phone")
    {
        if (!string.IsNullOrWhiteSpace(phone) && !E164().IsMatch(phone.Trim()))
        {
            v.Add(field, "Must be an E.164 number: \"+\" and 8 to 15 digits, such as +4930123456.");
        }
    }

    /// <summary>Names each access group ID the organization does not have; one listed twice counts once.</summary>
    private async Task<List<Guid>> CheckAccessGroupsAsync(Validation v, IReadOnlyList<Guid> groupIds, CancellationToken ct)
    {
        if (!v.Within("accessGroupIds", groupIds.Count, User.MaxAccessGroups))
        {
            return [];
        }

        var distinct = groupIds.Distinct().ToList();
        var known = await db.AccessGroups.Where(g => distinct.Contains(g.Id)).Select(g => g.Id).ToListAsync(ct);
        v.KnownIds("accessGroupIds", groupIds, known, GroupNotFound);
        return distinct;
    }

    /// <summary>Optional text: trimmed, and blank is the same as absent.</summary>
    private static string? Clean(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();

    [GeneratedRegex(@"^\+[0-9]{8,15}$", RegexOptions.CultureInvariant)]
    private static partial Regex E164();
}
