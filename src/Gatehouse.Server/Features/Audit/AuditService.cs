using System.Security.Cryptography;
using Gatehouse.Server.Data;
using Gatehouse.Server.Features.Accounts;
using Gatehouse.Server.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace Gatehouse.Server.Features.Audit;

/// <summary>Reads and verifies the current organization's audit log (API and admin console). Nothing here writes it.</summary>
internal sealed class AuditService(GatehouseDbContext db)
{
    /// <summary>Newest first; <paramref name="actor"/> is an administrator's id or email, or <c>system</c>.</summary>
    public async Task<Result<PagedList<AuditEntryDto>>> ListAsync(
        string? entityType, string? entityId, string? actor, int? page, int? pageSize, CancellationToken ct)
    {
        if (Paging.Check(page, pageSize) is { } error)
        {
            return error;
        }

        var query = db.AuditEntries.AsNoTracking();
        if (!string.IsNullOrWhiteSpace(entityType))
        {
            query = query.Where(e => e.EntityType == entityType.Trim());
        }

        if (!string.IsNullOrWhiteSpace(entityId))
        {
            query = query.Where(e => e.EntityId == entityId.Trim());
        }

        if (!string.IsNullOrWhiteSpace(actor))
        {
            if (Guid.TryParse(actor, out var actorId))
            {
                query = query.Where(e => e.ActorId == actorId);
            }
            else
            {
                var name = Admin.Normalize(actor);
                query = query.Where(e => e.Actor == name);
            }
        }

        return await query.OrderByDescending(e => e.Sequence).ToPageAsync(page, pageSize, e => e.ToDto(), ct);
    }

    /// <summary>
    /// Recomputes the chain from the first entry. A missing entry breaks it at the missing sequence number;
    /// an edited one at itself (its hash no longer matches what it says).
    /// </summary>
    public async Task<AuditVerification> VerifyAsync(CancellationToken ct)
    {
        var previous = AuditChain.Genesis.ToArray();
        long expected = 1;
        long entries = 0;
        long? brokenAt = null;
        await foreach (var entry in db.AuditEntries.AsNoTracking().OrderBy(e => e.Sequence).AsAsyncEnumerable().WithCancellation(ct))
        {
            entries++;
            if (brokenAt is null)
            {
                if (entry.Sequence != expected)
                {
                    brokenAt = expected;
                }
                else if (!CryptographicOperations.FixedTimeEquals(AuditChain.Compute(previous, entry), entry.Hash))
                {
                    brokenAt = entry.Sequence;
                }
            }

            previous = entry.Hash;
            expected = entry.Sequence + 1;
        }

        return new AuditVerification(brokenAt is null, entries, brokenAt);
    }
}
