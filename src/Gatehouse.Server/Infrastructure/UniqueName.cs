using Microsoft.EntityFrameworkCore;

namespace Gatehouse.Server.Infrastructure;

/// <summary>An entity whose name is unique within a scope of its organization (a site's, a schedule's…).</summary>
internal interface INamedEntity
{
    Guid Id { get; }

    string Name { get; set; }
}

/// <summary>
/// The rule "no two of these share a name" for one kind of entity, and the 409 it answers with. The
/// scope passed in is the set the name must be unique in: the query filter already narrows every set to
/// the current organization, and a caller narrows it further where the rule is narrower (a door's name
/// within its site). The store's unique index is the last word; <see cref="SaveAsync"/> turns its refusal
/// of a name a concurrent request took in the meantime into the same 409.
/// </summary>
/// <param name="conflict">The 409's detail for a taken name.</param>
internal sealed class UniqueName<T>(Func<string, string> conflict)
    where T : class, INamedEntity
{
    /// <summary>The 409 for <paramref name="name"/> when another entity of the scope has it; null when it is free.</summary>
    public async Task<ApiError?> CheckAsync(IQueryable<T> scope, string name, Guid? except, CancellationToken ct) =>
        await scope.AnyAsync(e => e.Name == name && e.Id != except, ct) ? new ApiError.Conflict(conflict(name)) : null;

    /// <summary>
    /// Applies a PATCH's <c>name</c> (already validated) to <paramref name="entity"/>: trimmed, and only when
    /// no other entity of the scope has it. Absent, nothing changes.
    /// </summary>
    public async Task<ApiError?> RenameAsync(IQueryable<T> scope, T entity, Optional<string?> name, CancellationToken ct)
    {
        if (!name.HasValue)
        {
            return null;
        }

        var trimmed = name.Value!.Trim();
        if (await CheckAsync(scope, trimmed, entity.Id, ct) is { } taken)
        {
            return taken;
        }

        entity.Name = trimmed;
        return null;
    }

    /// <summary>Saves; a name of <paramref name="entity"/> taken by a concurrent request in the meantime is the same 409.</summary>
    public Task<ApiError?> SaveAsync(DbContext db, IQueryable<T> scope, T entity, CancellationToken ct) =>
        db.SaveOrExplainAsync(c => CheckAsync(scope, entity.Name, entity.Id, c), ct);
}
