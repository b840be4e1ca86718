using Gatehouse.Core;
using Gatehouse.Core.Cards;
using Gatehouse.Core.Decisions;
using Gatehouse.Server.Data;
using Gatehouse.Server.Features.Credentials;
using Gatehouse.Server.Features.Users;
using Microsoft.EntityFrameworkCore;

namespace Gatehouse.Server.Features.Decisions;

/// <summary>
/// Reads what access decisions depend on for the current organization: one query per table, untracked
/// and projected to the columns needed, so a rebuild stays cheap for large organizations.
/// </summary>
internal sealed class SnapshotSourceLoader(GatehouseDbContext db)
{
    public async Task<SnapshotSource> LoadAsync(CancellationToken ct)
    {
        var zones = await db.Sites.AsNoTracking().Select(s => new { s.Id, s.TimeZone }).ToDictionaryAsync(s => s.Id, s => s.TimeZone, ct);
        var doors = await db.Doors.AsNoTracking().Select(d => new { d.Id, d.SiteId }).ToListAsync(ct);

        // Whole rows, so the schedule expands its own windows; the columns this adds are only a name and a date.
        var schedules = await db.Schedules.AsNoTracking().ToListAsync(ct);
        var groups = await db.AccessGroups.AsNoTracking().Select(g => new { g.Id, g.ScheduleId }).ToListAsync(ct);
        var groupDoors = await db.AccessGroupDoors.AsNoTracking().Select(d => new { d.AccessGroupId, d.DoorId }).ToListAsync(ct);
        var users = await db.Users.AsNoTracking().Select(u => new { u.Id, u.Status, u.ValidFrom, u.ValidUntil }).ToListAsync(ct);
        var memberships = await db.UserAccessGroups.AsNoTracking().Select(m => new { m.UserId, m.AccessGroupId }).ToListAsync(ct);
        var credentials = await db.Credentials.AsNoTracking()
            .Select(c => new
            {
                c.Id,
                c.UserId,
                c.Status,
                c.ValidFrom,
                c.ValidUntil,
                CardIdentity = c is CardCredential ? ((CardCredential)c).Identity : null,
            })
            .ToListAsync(ct);

        var doorsOfGroup = groupDoors.ToLookup(d => d.AccessGroupId, d => d.DoorId);
        var groupsOfUser = memberships.ToLookup(m => m.UserId, m => m.AccessGroupId);

        // The engine names the first granting group in source order; creation order (IDs are version 7) keeps that stable.
        groups.Sort((a, b) => a.Id.CompareTo(b.Id));

        return new SnapshotSource(
            [.. doors.Select(d => new DoorEntry(d.Id, zones[d.SiteId]))],
            [.. schedules.Select(s => new ScheduleEntry(s.Id, s.ToWeeklyWindows(), s.HolidayDates()))],
            [.. groups.Select(g => new AccessGroupEntry(g.Id, g.ScheduleId, [.. doorsOfGroup[g.Id]]))],
            [.. users.Select(u => new UserEntry(u.Id, u.Status == UserStatus.Suspended, u.ValidFrom, u.ValidUntil, [.. groupsOfUser[u.Id]]))],
            [.. credentials.Select(c => new CredentialEntry(
                c.Id, c.UserId, KeyOf(c.CardIdentity), c.Status == CredentialStatus.Suspended, c.ValidFrom, c.ValidUntil))]);
    }

    private static CredentialKey? KeyOf(string? cardIdentity) =>
        cardIdentity is null ? null : CardIdentity.Parse(cardIdentity).ToKey();
}
