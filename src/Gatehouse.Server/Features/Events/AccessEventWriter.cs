using Gatehouse.Server.Data;
using Gatehouse.Server.Features.Credentials;
using Gatehouse.Server.Features.Mobile;
using Gatehouse.Server.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace Gatehouse.Server.Features.Events;

/// <summary>
/// Stores access events for the current organization. Devices resend what they are not sure arrived,
/// so an event is keyed by its <see cref="AccessEvent.Id"/> and a resent one is stored only once.
/// </summary>
internal sealed partial class AccessEventWriter(GatehouseDbContext db, TimeProvider clock, ILogger<AccessEventWriter> logger)
{
    /// <summary>Stores <paramref name="accessEvent"/>; false when an event with its ID is already stored.</summary>
    public async Task<bool> AppendAsync(AccessEvent accessEvent, CancellationToken ct) =>
        await AppendAsync([accessEvent], ct) == 1;

    /// <summary>Stores those of <paramref name="events"/> not already stored, in one save; returns how many were new.</summary>
    public async Task<int> AppendAsync(IReadOnlyCollection<AccessEvent> events, CancellationToken ct)
    {
        var ids = events.Select(e => e.Id).ToList();

        // IDs are unique across organizations (the primary key), so look past the tenant filter.
        var stored = await db.AccessEvents.IgnoreQueryFilters().Where(e => ids.Contains(e.Id)).Select(e => e.Id).ToListAsync(ct);
        var seen = new HashSet<Guid>(stored);
        var fresh = events.Where(e => seen.Add(e.Id)).ToList();
        if (fresh.Count == 0)
        {
            return 0;
        }

        var now = clock.GetUtcNow();
        foreach (var e in fresh)
        {
            if (e.ReceivedAt == default)
            {
                e.ReceivedAt = now;
            }
        }

        db.AccessEvents.AddRange(fresh);
        try
        {
            await db.SaveChangesAsync(ct);
            await NoteMobileUseAsync(fresh, ct);
            return fresh.Count;
        }
        catch (DbUpdateException ex) when (ex.IsUniqueViolation())
        {
            // The same events arrived twice at once and the other request stored them first: store one at a time.
            foreach (var e in fresh)
            {
                db.Entry(e).State = EntityState.Detached;
            }

            LogConcurrentResend(logger, fresh.Count);
            var written = 0;
            foreach (var e in fresh)
            {
                written += await AppendOneAsync(e, ct) ? 1 : 0;
            }

            return written;
        }
    }

    /// <summary>
    /// A phone's "last used", as its credential shows it: the latest door it opened, online (through the server) or
    /// offline (its QR token at a device, reported later). Never moved back by an event that arrives late.
    /// </summary>
    private async Task NoteMobileUseAsync(List<AccessEvent> stored, CancellationToken ct)
    {
        foreach (var use in stored
                     .Where(e => e.Granted && e.CredentialType == CredentialType.Mobile && e.CredentialId is not null)
                     .GroupBy(e => e.CredentialId!.Value, (id, uses) => (Id: id, At: uses.Max(e => e.OccurredAt))))
        {
            await db.Credentials.OfType<MobileCredential>()
                .Where(c => c.Id == use.Id && (c.LastUsedAt == null || c.LastUsedAt < use.At))
                .ExecuteUpdateAsync(s => s.SetProperty(c => c.LastUsedAt, use.At), ct);
        }
    }

    private async Task<bool> AppendOneAsync(AccessEvent accessEvent, CancellationToken ct)
    {
        if (await db.AccessEvents.IgnoreQueryFilters().AnyAsync(e => e.Id == accessEvent.Id, ct))
        {
            return false;
        }

        db.AccessEvents.Add(accessEvent);
        try
        {
            await db.SaveChangesAsync(ct);
            await NoteMobileUseAsync([accessEvent], ct);
            return true;
        }
        catch (DbUpdateException ex) when (ex.IsUniqueViolation())
        {
            db.Entry(accessEvent).State = EntityState.Detached;
            return false;
        }
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "A batch of {Count} access events raced with a resend; storing them one by one")]
    private static partial void LogConcurrentResend(ILogger logger, int count);
}
