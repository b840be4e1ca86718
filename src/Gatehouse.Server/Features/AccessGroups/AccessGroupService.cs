using Gatehouse.Server.Data;
using Gatehouse.Server.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace Gatehouse.Server.Features.AccessGroups;

internal sealed record AccessGroupDto(Guid Id, string Name, Guid ScheduleId, IReadOnlyList<Guid> DoorIds, DateTimeOffset CreatedAt);

internal sealed record CreateAccessGroupRequest(string? Name, Guid? ScheduleId, IReadOnlyList<Guid>? DoorIds);

/// <summary><c>doorIds</c>, when present, replaces the group's doors.</summary>
internal sealed record UpdateAccessGroupRequest
{
    public Optional<string?> Name { get; init; }

    public Optional<Guid?> ScheduleId { get; init; }

    public Optional<IReadOnlyList<Guid>?> DoorIds { get; init; }
}

internal static class AccessGroupMapping
{
    public static AccessGroupDto ToDto(this AccessGroup group) =>
        new(group.Id, group.Name, group.ScheduleId, [.. group.Doors.Select(d => d.DoorId).Order()], group.CreatedAt);
}

/// <summary>Access groups of the current organization. Shared by the API and the admin console.</summary>
internal sealed class AccessGroupService(GatehouseDbContext db, TimeProvider clock)
{
    private static readonly UniqueName<AccessGroup> Names = new(name => $"An access group named \"{name}\" already exists.");

    public async Task<Result<PagedList<AccessGroupDto>>> ListAsync(int? page, int? pageSize, CancellationToken ct)
    {
        if (Paging.Check(page, pageSize) is { } error)
        {
            return error;
        }

        return await db.AccessGroups.AsNoTracking().Include(g => g.Doors).OrderBy(g => g.Name).ThenBy(g => g.Id)
            .ToPageAsync(page, pageSize, g => g.ToDto(), ct);
    }

    public async Task<Result<AccessGroupDto>> GetAsync(Guid id, CancellationToken ct) =>
        await db.AccessGroups.AsNoTracking().Include(g => g.Doors).SingleOrDefaultAsync(g => g.Id == id, ct) is { } group
            ? group.ToDto()
            : new ApiError.NotFound("The access group");

    public async Task<Result<AccessGroupDto>> CreateAsync(CreateAccessGroupRequest request, CancellationToken ct)
    {
        var v = new Validation().Text("name", request.Name, AccessGroup.NameMaxLength);
        await CheckScheduleAsync(v, request.ScheduleId, ct);
        var doorIds = await CheckDoorsAsync(v, request.DoorIds ?? [], ct);
        if (!v.IsValid)
        {
            return v.ToError();
        }

        var name = request.Name!.Trim();
        if (await Names.CheckAsync(db.AccessGroups, name, null, ct) is { } taken)
        {
            return taken;
        }

        var group = new AccessGroup { Name = name, ScheduleId = request.ScheduleId!.Value, CreatedAt = clock.GetUtcNow() };
        group.Doors.AddRange(doorIds.Select(d => new AccessGroupDoor { AccessGroupId = group.Id, DoorId = d }));
        db.AccessGroups.Add(group);
        if (await Names.SaveAsync(db, db.AccessGroups, group, ct) is { } conflict)
        {
            return conflict;
        }

        return group.ToDto();
    }

    public async Task<Result<AccessGroupDto>> UpdateAsync(Guid id, UpdateAccessGroupRequest request, CancellationToken ct)
    {
        var group = await db.AccessGroups.Include(g => g.Doors).SingleOrDefaultAsync(g => g.Id == id, ct);
        if (group is null)
        {
            return new ApiError.NotFound("The access group");
        }

        var v = new Validation();
        if (request.Name.HasValue)
        {
            v.Text("name", request.Name.Value, AccessGroup.NameMaxLength);
        }

        if (request.ScheduleId.HasValue)
        {
            await CheckScheduleAsync(v, request.ScheduleId.Value, ct);
        }

        List<Guid>? doorIds = null;
        if (request.DoorIds.HasValue)
        {
            if (request.DoorIds.Value is { } ids)
            {
                doorIds = await CheckDoorsAsync(v, ids, ct);
            }
            else
            {
                v.Add("doorIds", "Send [] to remove every door.");
            }
        }

        if (!v.IsValid)
        {
            return v.ToError();
        }

        if (await Names.RenameAsync(db.AccessGroups, group, request.Name, ct) is { } taken)
        {
            return taken;
        }

        group.ScheduleId = request.ScheduleId.Or(group.ScheduleId)!.Value;
        if (doorIds is not null)
        {
            // Change only what differs, so the audit log shows the doors added and removed.
            group.Doors.RemoveAll(d => !doorIds.Contains(d.DoorId));
            group.Doors.AddRange(doorIds.Where(d => group.Doors.All(existing => existing.DoorId != d))
                .Select(d => new AccessGroupDoor { AccessGroupId = group.Id, DoorId = d }));
        }

        if (await Names.SaveAsync(db, db.AccessGroups, group, ct) is { } conflict)
        {
            return conflict;
        }

        return group.ToDto();
    }

    /// <summary>Deletes a group; its doors and members are released in the same save, so the audit log shows them.</summary>
    public async Task<ApiError?> DeleteAsync(Guid id, CancellationToken ct)
    {
        var group = await db.AccessGroups.Include(g => g.Doors).SingleOrDefaultAsync(g => g.Id == id, ct);
        if (group is null)
        {
            return new ApiError.NotFound("The access group");
        }

        db.UserAccessGroups.RemoveRange(await db.UserAccessGroups.Where(m => m.AccessGroupId == id).ToListAsync(ct));
        db.AccessGroupDoors.RemoveRange(group.Doors);
        db.AccessGroups.Remove(group);
        await db.SaveChangesAsync(ct);
        return null;
    }

    private async Task CheckScheduleAsync(Validation v, Guid? scheduleId, CancellationToken ct)
    {
        if (scheduleId is not { } id)
        {
            v.Add("scheduleId", "This field is required.");
        }
        else if (!await db.Schedules.AnyAsync(s => s.Id == id, ct))
        {
            v.Add("scheduleId", "The schedule was not found.");
        }
    }

    /// <summary>Names each door ID the organization does not have; a door listed twice counts once.</summary>
    private async Task<List<Guid>> CheckDoorsAsync(Validation v, IReadOnlyList<Guid> doorIds, CancellationToken ct)
    {
        if (!v.Within("doorIds", doorIds.Count, AccessGroup.MaxDoors))
        {
            return [];
        }

        var distinct = doorIds.Distinct().ToList();
        var known = await db.Doors.Where(d => distinct.Contains(d.Id)).Select(d => d.Id).ToListAsync(ct);
        v.KnownIds("doorIds", doorIds, known, "The door was not found.");
        return distinct;
    }
}
