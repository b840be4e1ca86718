using Microsoft.EntityFrameworkCore;

namespace Gatehouse.Server.Infrastructure;

internal static class SaveOrExplainExtensions
{
    /// <summary>
    /// Saves. Services check for conflicts before saving, but a concurrent request can slip in between
    /// (taking the same name, or adding a door to a site being deleted); the store's unique index or
    /// foreign key then refuses the save. <paramref name="explain"/> re-checks and names that conflict,
    /// so the caller gets the same 409 as without the race; a refusal it cannot explain is a bug and is rethrown.
    /// </summary>
    public static async Task<ApiError?> SaveOrExplainAsync(
        this DbContext db, Func<CancellationToken, Task<ApiError?>> explain, CancellationToken ct)
    {
        try
        {
            await db.SaveChangesAsync(ct);
            return null;
        }
        catch (DbUpdateException)
        {
            if (await explain(ct) is { } conflict)
            {
                return conflict;
            }

            throw;
        }
    }
}
