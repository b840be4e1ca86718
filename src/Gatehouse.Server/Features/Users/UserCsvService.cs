using System.Globalization;
using System.Runtime.CompilerServices;
using Gatehouse.Server.Data;
using Gatehouse.Server.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace Gatehouse.Server.Features.Users;

/// <summary>
/// The users CSV, for the console and the API alike. The import reads the file, checks every row by the rules
/// of <see cref="UserService"/> and creates all users or none; the export writes the columns the import reads.
/// </summary>
internal sealed class UserCsvService(GatehouseDbContext db, UserService users)
{
    /// <summary>Null when <paramref name="search"/> can be exported, else why not (as the list answers it).</summary>
    public async Task<ApiError?> CheckExportAsync(string? search, CancellationToken ct) =>
        (await users.ListAsync(search, 1, 1, ct)).Error;

    /// <summary>Every user (or those matching <paramref name="search"/>), ordered as the list is.</summary>
    public async Task WriteExportAsync(Stream body, string? search, CancellationToken ct)
    {
        var groupNames = await db.AccessGroups.AsNoTracking().ToDictionaryAsync(g => g.Id, g => g.Name, ct);
        await UserCsv.WriteAsync(body, AllAsync(search, ct), groupNames, ct);
    }

    private async IAsyncEnumerable<UserDto> AllAsync(string? search, [EnumeratorCancellation] CancellationToken ct)
    {
        for (var page = 1; ; page++)
        {
            var list = (await users.ListAsync(search, page, Paging.MaxPageSize, ct)).Value!;
            foreach (var user in list.Items)
            {
                yield return user;
            }

            if (list.Page * list.PageSize >= list.Total)
            {
                yield break;
            }
        }
    }

    /// <summary>The file with every row's problems, its own and the service's; nothing is saved.</summary>
    public async Task<ImportFile> CheckAsync(string text, TimeZoneInfo zone, CancellationToken ct)
    {
        var file = await ReadAsync(text, zone, ct);
        return file.Problem is null && await users.CheckImportAsync(Requests(file), ct) is { } error ? WithServiceErrors(file, error) : file;
    }

    /// <summary>
    /// Creates every user of the file, or none when the file or any row has a problem (then in the file).
    /// Checked again at once before saving: the store may have changed since a preview.
    /// </summary>
    public async Task<(ImportFile File, int Imported)> ImportAsync(string text, TimeZoneInfo zone, CancellationToken ct)
    {
        var file = await CheckAsync(text, zone, ct);
        if (file.Problem is not null || file.HasRowErrors)
        {
            return (file, 0);
        }

        var result = await users.ImportAsync(Requests(file), ct);
        return result.Error is { } error ? (WithServiceErrors(file, error), 0) : (file, result.Value);
    }

    private async Task<ImportFile> ReadAsync(string text, TimeZoneInfo zone, CancellationToken ct)
    {
        var groups = await db.AccessGroups.AsNoTracking().Select(g => new { g.Name, g.Id }).ToListAsync(ct);

        // Names are unique in an organization; should two ever match exactly, the older wins.
        var groupIds = new Dictionary<string, Guid>(StringComparer.Ordinal);
        foreach (var group in groups.OrderBy(g => g.Id))
        {
            groupIds.TryAdd(group.Name, group.Id);
        }

        return UserCsv.Parse(text, groupIds, zone);
    }

    private static List<CreateUserRequest> Requests(ImportFile file) => [.. file.Rows.Select(r => r.Request)];

    /// <summary>Puts the service's <c>rows[3].email</c> on the fourth row's <c>email</c>; anything else is the file's problem.</summary>
    private static ImportFile WithServiceErrors(ImportFile file, ApiError error)
    {
        if (error is not ApiError.Invalid invalid)
        {
            return file with { Problem = error.ToProblem().ProblemDetails.Detail ?? "The users could not be imported." };
        }

        string? problem = null;
        foreach (var (key, messages) in invalid.Errors)
        {
            var close = key.IndexOf(']', StringComparison.Ordinal);
            if (key.StartsWith("rows[", StringComparison.Ordinal) && close > 5 && key.Length > close + 2
                && int.TryParse(key.AsSpan(5, close - 5), CultureInfo.InvariantCulture, out var i) && i < file.Rows.Count)
            {
                // A row that could not be read has no cells for the service to judge.
                if (!file.Rows[i].Errors.ContainsKey(UserCsv.LineField))
                {
                    file.Rows[i].AddServiceError(key[(close + 2)..], messages);
                }
            }
            else
            {
                problem = string.Join(" ", messages);
            }
        }

        return problem is null ? file : file with { Problem = problem };
    }
}
