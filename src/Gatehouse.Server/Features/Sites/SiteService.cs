using Gatehouse.Core.Schedules;
using Gatehouse.Server.Data;
using Gatehouse.Server.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace Gatehouse.Server.Features.Sites;

internal sealed record SiteDto(Guid Id, string Name, string TimeZone, DateTimeOffset CreatedAt);

internal sealed record CreateSiteRequest(string? Name, string? TimeZone);

internal sealed record UpdateSiteRequest
{
    public Optional<string?> Name { get; init; }

    public Optional<string?> TimeZone { get; init; }
}

internal static class SiteMapping
{
    public static SiteDto ToDto(this Site site) => new(site.Id, site.Name, site.TimeZone, site.CreatedAt);
}

/// <summary>Sites of the current organization. Shared by the API and the admin console.</summary>
internal sealed class SiteService(GatehouseDbContext db, TimeProvider clock)
{
    private static readonly UniqueName<Site> Names = new(name => $"A site named \"{name}\" already exists.");

    public async Task<Result<PagedList<SiteDto>>> ListAsync(int? page, int? pageSize, CancellationToken ct)
    {
        if (Paging.Check(page, pageSize) is { } error)
        {
            return error;
        }

        return await db.Sites.AsNoTracking().OrderBy(s => s.Name).ThenBy(s => s.Id)
            .ToPageAsync(page, pageSize, s => s.ToDto(), ct);
    }

    public async Task<Result<SiteDto>> GetAsync(Guid id, CancellationToken ct) =>
        await db.Sites.AsNoTracking().SingleOrDefaultAsync(s => s.Id == id, ct) is { } site
            ? site.ToDto()
            : new ApiError.NotFound("The site");

    public async Task<Result<SiteDto>> CreateAsync(CreateSiteRequest request, CancellationToken ct)
    {
        var v = new Validation();
        CheckName(v, request.Name);
        CheckTimeZone(v, request.TimeZone);
        if (!v.IsValid)
        {
            return v.ToError();
        }

        var name = request.Name!.Trim();
        if (await Names.CheckAsync(db.Sites, name, null, ct) is { } taken)
        {
            return taken;
        }

        var site = new Site { Name = name, TimeZone = request.TimeZone!, CreatedAt = clock.GetUtcNow() };
        db.Sites.Add(site);
        if (await Names.SaveAsync(db, db.Sites, site, ct) is { } conflict)
        {
            return conflict;
        }

        return site.ToDto();
    }

    public async Task<Result<SiteDto>> UpdateAsync(Guid id, UpdateSiteRequest request, CancellationToken ct)
    {
        var site = await db.Sites.SingleOrDefaultAsync(s => s.Id == id, ct);
        if (site is null)
        {
            return new ApiError.NotFound("The site");
        }

        var v = new Validation();
        if (request.Name.HasValue)
        {
            CheckName(v, request.Name.Value);
        }

        if (request.TimeZone.HasValue)
        {
            CheckTimeZone(v, request.TimeZone.Value);
        }

        if (!v.IsValid)
        {
            return v.ToError();
        }

        if (await Names.RenameAsync(db.Sites, site, request.Name, ct) is { } taken)
        {
            return taken;
        }

        site.TimeZone = request.TimeZone.Or(site.TimeZone)!;
        if (await Names.SaveAsync(db, db.Sites, site, ct) is { } conflict)
        {
            return conflict;
        }

        return site.ToDto();
    }

    /// <summary>Deletes a site without doors; a site with doors is a 409, so no door is left without a time zone.</summary>
    public async Task<ApiError?> DeleteAsync(Guid id, CancellationToken ct)
    {
        var site = await db.Sites.SingleOrDefaultAsync(s => s.Id == id, ct);
        if (site is null)
        {
            return new ApiError.NotFound("The site");
        }

        if (await DoorsRemainAsync(id, ct) is { } inUse)
        {
            return inUse;
        }

        db.Sites.Remove(site);

        // A door added meanwhile: the foreign key refused the delete.
        return await db.SaveOrExplainAsync(c => DoorsRemainAsync(id, c), ct);
    }

    private async Task<ApiError?> DoorsRemainAsync(Guid id, CancellationToken ct)
    {
        var doors = await db.Doors.CountAsync(d => d.SiteId == id, ct);
        return doors == 0
            ? null
            : new ApiError.Conflict($"The site still has {doors} door{(doors == 1 ? "" : "s")}. Delete the doors or move them to another site first.");
    }

    private static void CheckName(Validation v, string? name) => v.Text("name", name, Site.NameMaxLength);

    private static void CheckTimeZone(Validation v, string? timeZone)
    {
        if (string.IsNullOrWhiteSpace(timeZone))
        {
            v.Add("timeZone", "This field is required.");
        }
        else if (!TimeZones.IsValid(timeZone))
        {
            v.Add("timeZone", "Must be an IANA time zone such as \"Europe/Berlin\" or \"America/New_York\".");
        }
    }
}
