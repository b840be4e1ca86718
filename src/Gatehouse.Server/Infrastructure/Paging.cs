using Microsoft.EntityFrameworkCore;

namespace Gatehouse.Server.Infrastructure;

/// <summary>One page of a list: <c>{items, page, pageSize, total}</c>.</summary>
internal sealed record PagedList<T>(IReadOnlyList<T> Items, int Page, int PageSize, int Total);

internal static class Paging
{
    public const int DefaultPageSize = 50;
    public const int MaxPageSize = 500;

    /// <summary>Checks <c>?page=&amp;pageSize=</c>, naming the bad one.</summary>
    public static ApiError? Check(int? page, int? pageSize)
    {
        var v = new Validation();
        if (page is < 1)
        {
            v.Add("page", "Must be 1 or more.");
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
        var rows = await ordered.Skip((p - 1) * size).Take(size).ToListAsync(ct);
        return new PagedList<TDto>(rows.Select(map).ToList(), p, size, total);
    }
}
