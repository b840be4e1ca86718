using System.Globalization;
using System.Runtime.CompilerServices;
using Gatehouse.Server.Data;
using Gatehouse.Server.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace Gatehouse.Server.Features.Events;

/// <summary>Which events to show: each filter is optional; <see cref="From"/> is inclusive, <see cref="To"/> exclusive.</summary>
internal sealed record AccessEventFilter(
    Guid? DoorId = null, Guid? UserId = null, DateTimeOffset? From = null, DateTimeOffset? To = null, bool? Granted = null)
{
    /// <summary>Reads the query string of <c>GET /events</c>, naming each bad parameter.</summary>
    public static Result<AccessEventFilter> Parse(string? doorId, string? userId, string? from, string? to, string? result)
    {
        var v = new Validation();
        var door = ParseId(v, "doorId", doorId);
        var user = ParseId(v, "userId", userId);
        var start = ParseInstant(v, "from", from);
        var end = ParseInstant(v, "to", to);
        if (start is { } s && end is { } e && e < s)
        {
            v.Add("to", "Must not be before from.");
        }

        bool? granted = null;
        if (!string.IsNullOrEmpty(result))
        {
            granted = result switch
            {
                "granted" => true,
                "denied" => false,
                _ => null,
            };
            if (granted is null)
            {
                v.Add("result", "Must be granted or denied.");
            }
        }

        return v.IsValid ? new AccessEventFilter(door, user, start, end, granted) : v.ToError();
    }

    private static Guid? ParseId(Validation v, string field, string? text)
    {
        if (string.IsNullOrEmpty(text))
        {
            return null;
        }

        if (Guid.TryParse(text, out var id))
        {
            return id;
        }

        v.Add(field, "Must be an ID.");
        return null;
    }

    private static DateTimeOffset? ParseInstant(Validation v, string field, string? text)
    {
        if (string.IsNullOrEmpty(text))
        {
            return null;
        }

        // An unescaped '+' of an offset arrives as a space.
        var candidate = text.Replace(' ', '+');
        if (candidate.Contains('T', StringComparison.Ordinal)
            && DateTimeOffset.TryParse(candidate, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var instant))
        {
            return instant.ToUniversalTime();
        }

        v.Add(field, "Must be an ISO-8601 instant such as 2026-03-09T12:15:00Z.");
        return null;
    }
}

/// <summary>Reads the access history (API and admin console).</summary>
internal sealed class AccessEventService(GatehouseDbContext db)
{
    /// <summary>One page of the events that pass <paramref name="filter"/>, newest first.</summary>
    public async Task<Result<PagedList<AccessEventDto>>> ListAsync(AccessEventFilter filter, int? page, int? pageSize, CancellationToken ct)
    {
        if (Paging.Check(page, pageSize) is { } error)
        {
            return error;
        }

        return await Query(filter).ToPageAsync(page, pageSize, e => e.ToDto(), ct);
    }

    /// <summary>Every event that passes <paramref name="filter"/>, newest first, read as the caller goes (for exports).</summary>
    public async IAsyncEnumerable<AccessEventDto> StreamAsync(AccessEventFilter filter, [EnumeratorCancellation] CancellationToken ct)
    {
        await foreach (var e in Query(filter).AsAsyncEnumerable().WithCancellation(ct))
        {
            yield return e.ToDto();
        }
    }

    private IQueryable<AccessEvent> Query(AccessEventFilter filter)
    {
        var query = db.AccessEvents.AsNoTracking();
        if (filter.DoorId is { } doorId)
        {
            query = query.Where(e => e.DoorId == doorId);
        }

        if (filter.UserId is { } userId)
        {
            query = query.Where(e => e.UserId == userId);
        }

        if (filter.From is { } from)
        {
            query = query.Where(e => e.OccurredAt >= from);
        }

        if (filter.To is { } to)
        {
            query = query.Where(e => e.OccurredAt < to);
        }

        if (filter.Granted is { } granted)
        {
            query = query.Where(e => e.Granted == granted);
        }

        return query.OrderByDescending(e => e.OccurredAt).ThenByDescending(e => e.Id);
    }
}
