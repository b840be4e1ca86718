using Gatehouse.Server.Data;
using Gatehouse.Server.Features.CloudKeys;
using Gatehouse.Server.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace Gatehouse.Server.Features.Demo;

/// <summary>
/// Fills the bootstrap organization with something to click through (<c>Gatehouse:Demo=true</c>): two
/// sites in different time zones, doors, schedules, access groups, twelve users with cards, and a week
/// of access events whose outcomes the decision engine computed, and a Cloud Key for the first user,
/// whose email waits in the Dev mailbox (when there is an address for its link: see <see cref="PublicLinks"/>),
/// and, when the face models are there, a face and a selfie invitation (<see cref="DemoFaces"/>), and two mobile
/// credentials, one pending with its welcome email in the Dev mailbox and one active (<see cref="DemoPhones"/>).
/// Everything goes through the same
/// services as the API, so it is validated and audited like any other change (with no signed-in actor).
/// Runs only while the organization is still empty, so a restart seeds nothing again, and in one
/// transaction, so an interrupted seed leaves nothing half done.
/// </summary>
internal sealed partial class DemoSeeder(
    GatehouseDbContext db,
    CurrentOrganization current,
    DemoWorld world,
    DemoHistory history,
    CloudKeyService cloudKeys,
    DemoFaces faces,
    DemoPhones phones,
    PublicLinks links,
    TimeProvider clock,
    ILogger<DemoSeeder> logger)
{
    /// <summary>Seeds the bootstrap organization unless it already has sites, schedules, groups or users; true when it seeded.</summary>
    public async Task<bool> SeedAsync(CancellationToken ct)
    {
        var owner = await db.Admins.IgnoreQueryFilters()
            .Where(a => a.IsSystemAdministrator)
            .OrderBy(a => a.CreatedAt)
            .Select(a => new { a.Id, a.OrganizationId })
            .FirstOrDefaultAsync(ct);
        if (owner is null)
        {
            return false;
        }

        var id = owner.OrganizationId;

        current.Set(id);
        if (await db.Sites.AnyAsync(ct) || await db.Schedules.AnyAsync(ct) || await db.AccessGroups.AnyAsync(ct) || await db.Users.AnyAsync(ct))
        {
            LogAlreadyInUse(logger, id);
            return false;
        }

        await using var transaction = await db.Database.BeginTransactionAsync(ct);
        var now = clock.GetUtcNow();
        var created = await world.CreateAsync(now, ct);
        var events = await history.WriteAsync(created, now, ct);
        if (links.TryGetBase(out _))
        {
            var key = await cloudKeys.CreateAsync(
                created.Holders[0].UserId, new CreateCloudKeyRequest(SendEmail: true, ValidUntil: now.AddDays(30)), ct);
            if (key.Error is { } error)
            {
                throw new InvalidOperationException($"The demo's Cloud Key was refused: {error}.");
            }
        }
        else
        {
            LogNoCloudKey(logger);
        }

        await faces.SeedAsync(created, owner.Id, now, ct);
        await phones.SeedAsync(created, now, ct);
        await transaction.CommitAsync(ct);

        LogSeeded(logger, id, created.Doors.Count, created.Holders.Count, events);
        return true;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Seeded the demo into organization {OrganizationId}: {Doors} doors, {Users} users with cards, {Events} access events")]
    private static partial void LogSeeded(ILogger logger, Guid organizationId, int doors, int users, int events);

    [LoggerMessage(Level = LogLevel.Warning, Message = "The demo's Cloud Key was not sent: its link would have no address to point at (set Gatehouse__PublicBaseUrl, or run the demo on a loopback address only)")]
    private static partial void LogNoCloudKey(ILogger logger);

    [LoggerMessage(Level = LogLevel.Information, Message = "Demo not seeded: organization {OrganizationId} already has data")]
    private static partial void LogAlreadyInUse(ILogger logger, Guid organizationId);
}
