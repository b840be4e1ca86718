using Gatehouse.Core.Decisions;
using Gatehouse.Server.Data;
using Gatehouse.Server.Features.CloudKeys;
using Gatehouse.Server.Features.Credentials;
using Gatehouse.Server.Features.Decisions;
using Gatehouse.Server.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace Gatehouse.Server.Features.Decisions;

/// <summary>A credential and its holder, with what the door would decide for it.</summary>
internal sealed record ExplainedCredential(
    Guid UserId, string UserName, CredentialDto Credential, AccessDecisionDto Decision, string? AccessGroupName);

/// <summary>A door a user reaches through one of their access groups, and what it decides at the instant asked.</summary>
internal sealed record ReachableDoor(
    Guid DoorId, string DoorName, string SiteName, string TimeZone, Guid AccessGroupId, string AccessGroupName,
    Guid ScheduleId, string ScheduleName, AccessDecisionDto? Decision);

/// <summary>
/// The admin console's "why" questions: who can open a door, where a user can go, what a card does at each
/// door. Every answer comes from the organization's access snapshot, the one the API's decisions and the
/// doors use, and a Cloud Key that is revoked, locked or used is refused as its unlock refuses it, so the
/// explorer cannot disagree with them.
/// </summary>
internal sealed class AccessExplorer(
    GatehouseDbContext db, AccessSnapshotCache snapshots, CurrentOrganization organization, AccessDecisionService decisions)
{
    /// <summary>Every credential of the organization with the decision at <paramref name="doorId"/> at <paramref name="at"/>.</summary>
    public async Task<Result<List<ExplainedCredential>>> WhoCanOpenAsync(Guid doorId, DateTimeOffset at, CancellationToken ct)
    {
        // The store is read before the snapshot is asked for, so the snapshot is at least as new as what is listed.
        var users = await db.Users.AsNoTracking().Select(u => new { u.Id, u.FirstName, u.LastName }).ToDictionaryAsync(u => u.Id, ct);
        var credentials = await db.Credentials.AsNoTracking().ToListAsync(ct);
        var groupNames = await GroupNamesAsync(ct);
        var snapshot = await snapshots.GetAsync(organization.RequiredId, ct);
        if (!snapshot.ContainsDoor(doorId))
        {
            return new ApiError.NotFound("The door");
        }

        return credentials
            .Where(c => users.ContainsKey(c.UserId))
            .Select(c =>
            {
                var user = users[c.UserId];
                var decision = AccessDecisionDto.From(Decide(snapshot, c, doorId, at));
                return new ExplainedCredential(
                    c.UserId, $"{user.FirstName} {user.LastName}", c.ToDto(at), decision, GroupName(groupNames, decision.AccessGroupId));
            })
            .OrderByDescending(e => e.Decision.Granted)
            .ThenBy(e => users[e.UserId].LastName, StringComparer.CurrentCultureIgnoreCase)
            .ThenBy(e => users[e.UserId].FirstName, StringComparer.CurrentCultureIgnoreCase)
            .ThenBy(e => e.Credential.Id)
            .ToList();
    }

    /// <summary>
    /// The doors of the user's access groups, one entry per door and group, each with the decision at
    /// <paramref name="at"/> for <paramref name="credentialId"/> (one of the user's credentials), when given.
    /// </summary>
    public async Task<Result<List<ReachableDoor>>> WhereCanGoAsync(Guid userId, Guid? credentialId, DateTimeOffset at, CancellationToken ct)
    {
        var groupIds = await db.UserAccessGroups.AsNoTracking().Where(m => m.UserId == userId).Select(m => m.AccessGroupId).ToListAsync(ct);
        var rows = await (
            from g in db.AccessGroups.AsNoTracking()
            where groupIds.Contains(g.Id)
            join gd in db.AccessGroupDoors.AsNoTracking() on g.Id equals gd.AccessGroupId
            join d in db.Doors.AsNoTracking() on gd.DoorId equals d.Id
            join s in db.Sites.AsNoTracking() on d.SiteId equals s.Id
            join sc in db.Schedules.AsNoTracking() on g.ScheduleId equals sc.Id
            select new
            {
                DoorId = d.Id,
                DoorName = d.Name,
                SiteName = s.Name,
                s.TimeZone,
                GroupId = g.Id,
                GroupName = g.Name,
                ScheduleId = sc.Id,
                ScheduleName = sc.Name,
            }).ToListAsync(ct);

        // The credential is read before the snapshot, as above; one of another user is decided as the door would (not theirs).
        var credential = credentialId is { } id ? await db.Credentials.AsNoTracking().SingleOrDefaultAsync(c => c.Id == id, ct) : null;
        AccessSnapshot? snapshot = credentialId is null ? null : await snapshots.GetAsync(organization.RequiredId, ct);
        return rows
            .Select(r => new ReachableDoor(
                r.DoorId, r.DoorName, r.SiteName, r.TimeZone, r.GroupId, r.GroupName, r.ScheduleId, r.ScheduleName,
                snapshot is null ? null : AccessDecisionDto.From(credential is null
                    ? snapshot.DecideCredential(credentialId!.Value, r.DoorId, at)
                    : Decide(snapshot, credential, r.DoorId, at))))
            .OrderBy(r => r.SiteName, StringComparer.CurrentCultureIgnoreCase)
            .ThenBy(r => r.DoorName, StringComparer.CurrentCultureIgnoreCase)
            .ThenBy(r => r.AccessGroupName, StringComparer.CurrentCultureIgnoreCase)
            .ToList();
    }

    /// <summary>
    /// What each door decides for a presented card, through the same service as <c>POST /access/decisions</c>.
    /// A card the fields do not make is an <see cref="ApiError.Invalid"/> naming <c>card.facilityCode</c> and so on.
    /// </summary>
    public async Task<Result<List<(Guid DoorId, AccessDecisionDto Decision)>>> DecideCardAsync(
        PresentedCardRequest card, IReadOnlyList<Guid> doorIds, DateTimeOffset at, CancellationToken ct)
    {
        var results = new List<(Guid DoorId, AccessDecisionDto Decision)>(doorIds.Count);
        foreach (var doorId in doorIds)
        {
            var decided = await decisions.DecideAsync(new AccessDecisionRequest(doorId, at, card), ct);
            if (decided.Error is ApiError.Invalid error)
            {
                return error;
            }

            // A door deleted since the list was read is left out rather than failing the whole answer.
            if (decided.Value is { } decision)
            {
                results.Add((doorId, decision));
            }
        }

        return results;
    }

    /// <summary>The door's answer for a credential: a Cloud Key by the rule of its unlock, any other by the engine.</summary>
    private static AccessDecision Decide(AccessSnapshot snapshot, Credential credential, Guid doorId, DateTimeOffset at) =>
        credential is CloudKeyCredential key ? key.Decide(snapshot, doorId, at) : snapshot.DecideCredential(credential.Id, doorId, at);

    public async Task<Dictionary<Guid, string>> GroupNamesAsync(CancellationToken ct) =>
        await db.AccessGroups.AsNoTracking().ToDictionaryAsync(g => g.Id, g => g.Name, ct);

    private static string? GroupName(Dictionary<Guid, string> names, Guid? id) =>
        id is { } groupId ? names.GetValueOrDefault(groupId) : null;
}
