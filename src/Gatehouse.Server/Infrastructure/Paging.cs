using Microsoft.EntityFrameworkCore;

namespace Gatehouse.Server.Infrastructure;

/// <summary>One page of a list: <c>{items, page, pageSize, total}</c>.</summary>
internal sealed record PagedList<T>(IReadOnlyList<T> Items, int Page, int PageSize, int Total);

internal static class Paging
{
    public const int DefaultPageSize = 50;
    public const int MaxPageSize = 500;

    /// <summary>The last page number asked for: far past any list, and (page − 1) × pageSize stays an int.</summary>
    public const int MaxPage = 1_000_000;

    /// <summary>Checks <c>?page=&amp;pageSize=</c>, naming the bad one.</summary>
    public static ApiError? Check(int? page, int? pageSize)
    {
        var v = new Validation();
        if (page is < 1 or > MaxPage)
        {
            v.Add("page", $"Must be between 1 and {MaxPage}.");
        }

        if (pageSize is < 1 or > MaxPageSize)
        {
            v.Add("pageSize", $"Must be between 1 and {MaxPageSize}.");
        }

        return v.IsValid ? null : v.ToError();
    }

    /// <summary>Counts and reads one page of an ordered query, mapping each row.</summary>
    public static async Task<PagedList<TDto>> ToPageAsync<TEntity, TDto>(
        this IQueryable<TEntity> ordered, int? page, int? pageSize, Func<TEntity, TDto> map, CancellationToken ct)
    {
        var p = page ?? 1;
        var size = pageSize ?? DefaultPageSize;
        var total = await ordered.CountAsync(ct);
        // Checked bounds keep this within an int; clamped as well, so a caller that skipped Check reads an empty page, never the first.
        var skip = (int)Math.Min(((long)p - 1) * size, int.MaxValue);
        var rows = await ordered.Skip(skip).Take(size).ToListAsync(ct);
        return new PagedList<TDto>(rows.Select(map).ToList(), p, size, total);
    }
}
