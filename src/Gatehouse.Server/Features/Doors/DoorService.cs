using Gatehouse.Server.Data;
using Gatehouse.Server.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace Gatehouse.Server.Features.Doors;

internal sealed record DoorDto(Guid Id, Guid SiteId, string Name, DateTimeOffset CreatedAt);

internal sealed record CreateDoorRequest(Guid? SiteId, string? Name);

internal sealed record UpdateDoorRequest
{
    public Optional<Guid?> SiteId { get; init; }

    public Optional<string?> Name { get; init; }
}

internal static class DoorMapping
{
    public static DoorDto ToDto(this Door door) => new(door.Id, door.SiteId, door.Name, door.CreatedAt);
}

/// <summary>Doors of the current organization's sites. Shared by the API and the admin console.</summary>
internal sealed class DoorService(GatehouseDbContext db, TimeProvider clock)
{
    private static readonly UniqueName<Door> Names = new(name => $"The site already has a door named \"{name}\".");

    /// <param name="siteId">Only the doors of this site; a site the caller cannot see simply has none.</param>
    public async Task<Result<PagedList<DoorDto>>> ListAsync(Guid? siteId, int? page, int? pageSize, CancellationToken ct)
    {
        if (Paging.Check(page, pageSize) is { } error)
        {
            return error;
        }

        var doors = db.Doors.AsNoTracking();
        if (siteId is { } site)
        {
            doors = doors.Where(d => d.SiteId == site);
        }

        return await doors.OrderBy(d => d.Name).ThenBy(d => d.Id).ToPageAsync(page, pageSize, d => d.ToDto(), ct);
    }

    public async Task<Result<DoorDto>> GetAsync(Guid id, CancellationToken ct) =>
        await db.Doors.AsNoTracking().SingleOrDefaultAsync(d => d.Id == id, ct) is { } door
            ? door.ToDto()
            : new ApiError.NotFound("The door");

    public async Task<Result<DoorDto>> CreateAsync(CreateDoorRequest request, CancellationToken ct)
    {
        var v = new Validation().Text("name", request.Name, Door.NameMaxLength);
        await CheckSiteAsync(v, request.SiteId, ct);
        if (!v.IsValid)
        {
            return v.ToError();
        }

        var name = request.Name!.Trim();
        var siteId = request.SiteId!.Value;
        if (await Names.CheckAsync(AtSite(siteId), name, null, ct) is { } taken)
        {
            return taken;
        }

        var door = new Door { SiteId = siteId, Name = name, CreatedAt = clock.GetUtcNow() };
        db.Doors.Add(door);
        if (await Names.SaveAsync(db, AtSite(door.SiteId), door, ct) is { } conflict)
        {
            return conflict;
        }

        return door.ToDto();
    }

    /// <summary>Renames a door or moves it to another site (whose time zone its schedules are then read in).</summary>
    public async Task<Result<DoorDto>> UpdateAsync(Guid id, UpdateDoorRequest request, CancellationToken ct)
    {
        var door = await db.Doors.SingleOrDefaultAsync(d => d.Id == id, ct);
        if (door is null)
        {
            return new ApiError.NotFound("The door");
        }

        var v = new Validation();
        if (request.Name.HasValue)
        {
            v.Text("name", request.Name.Value, Door.NameMaxLength);
        }

        if (request.SiteId.HasValue)
        {
            await CheckSiteAsync(v, request.SiteId.Value, ct);
        }

        if (!v.IsValid)
        {
            return v.ToError();
        }

        var name = request.Name.HasValue ? request.Name.Value!.Trim() : door.Name;
        var siteId = request.SiteId.Or(door.SiteId)!.Value;
        if (await Names.CheckAsync(AtSite(siteId), name, id, ct) is { } taken)
        {
            return taken;
        }

        // A device belongs to one site and reads that site's time zone: its doors stay at its site.
        if (siteId != door.SiteId
            && await db.DeviceDoors.Where(dd => dd.DoorId == id).Join(db.Devices, dd => dd.DeviceId, d => d.Id, (_, d) => d.Name)
                .FirstOrDefaultAsync(ct) is { } deviceName)
        {
            return new ApiError.Conflict($"The door is controlled by the device “{deviceName}” of its site: take it off that device before moving it to another site.");
        }

        door.Name = name;
        door.SiteId = siteId;
        if (await Names.SaveAsync(db, AtSite(door.SiteId), door, ct) is { } conflict)
        {
            return conflict;
        }

        return door.ToDto();
    }

    /// <summary>
    /// Deletes a door and takes it out of every access group, in one save so the audit log shows each
    /// removal. When door devices arrive, a device keeps running and simply stops serving the deleted door
    /// (its door list loses it, as access groups do); deleting hardware is a separate, explicit act.
    /// </summary>
    public async Task<ApiError?> DeleteAsync(Guid id, CancellationToken ct)
    {
        var door = await db.Doors.SingleOrDefaultAsync(d => d.Id == id, ct);
        if (door is null)
        {
            return new ApiError.NotFound("The door");
        }

        db.AccessGroupDoors.RemoveRange(await db.AccessGroupDoors.Where(g => g.DoorId == id).ToListAsync(ct));
        db.Doors.Remove(door);
        await db.SaveChangesAsync(ct);
        return null;
    }

    private async Task CheckSiteAsync(Validation v, Guid? siteId, CancellationToken ct)
    {
        if (siteId is not { } id)
        {
            v.Add("siteId", "This field is required.");
        }
        else if (!await db.Sites.AnyAsync(s => s.Id == id, ct))
        {
            v.Add("siteId", "The site was not found.");
        }
    }

    /// <summary>The doors a door's name must differ from: those of its site.</summary>
    private IQueryable<Door> AtSite(Guid siteId) => db.Doors.Where(d => d.SiteId == siteId);
}
