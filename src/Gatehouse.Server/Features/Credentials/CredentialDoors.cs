using Gatehouse.Core.Decisions;
using Gatehouse.Server.Data;
using Microsoft.EntityFrameworkCore;

namespace Gatehouse.Server.Features.Credentials;

/// <summary>A door a credential's holder sees: whether it opens now, and if not when it next does (within a week).</summary>
internal sealed record CredentialDoorDto(Guid Id, string Name, string SiteName, string TimeZone, bool OpenNow, DateTimeOffset? NextOpenAt);

/// <summary>
/// The doors of a user's access groups as the holder of one of their credentials is shown them (a Cloud Key's page,
/// the phone app): by site and name, each decided for that credential by the organization's decision snapshot.
/// </summary>
internal static class CredentialDoors
{
    /// <summary>How far ahead a closed door's next opening is looked for.</summary>
    private static readonly TimeSpan NextOpenHorizon = TimeSpan.FromDays(7);

    /// <param name="usable">False when the credential opens nothing whatever the schedule (revoked, used): every door is closed, with no next opening.</param>
    public static async Task<IReadOnlyList<CredentialDoorDto>> ListAsync(
        GatehouseDbContext db, AccessSnapshot snapshot, Guid userId, Guid credentialId, bool usable, DateTimeOffset now, CancellationToken ct)
    {
        var doors = await (
                from m in db.UserAccessGroups.AsNoTracking()
                where m.UserId == userId
                join gd in db.AccessGroupDoors on m.AccessGroupId equals gd.AccessGroupId
                join d in db.Doors on gd.DoorId equals d.Id
                join s in db.Sites on d.SiteId equals s.Id
                select new { d.Id, d.Name, SiteName = s.Name, s.TimeZone })
            .Distinct()
            .ToListAsync(ct);

        return [.. doors
            .OrderBy(d => d.SiteName, StringComparer.CurrentCultureIgnoreCase)
            .ThenBy(d => d.Name, StringComparer.CurrentCultureIgnoreCase)
            .Select(d =>
            {
                var openNow = usable && snapshot.DecideCredential(credentialId, d.Id, now).Granted;
                var next = usable && !openNow ? snapshot.NextGrant(credentialId, d.Id, now, NextOpenHorizon) : null;
                return new CredentialDoorDto(d.Id, d.Name, d.SiteName, d.TimeZone, openNow, next);
            })];
    }
}
