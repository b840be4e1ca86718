using System.Globalization;
using Gatehouse.Server.Components.Shared;
using Gatehouse.Server.Infrastructure;

namespace Gatehouse.Server.Features.Users;

/// <summary>
/// The users CSV of the console: <c>firstName,lastName,email,phone,status,validFrom,validUntil,accessGroups</c>,
/// access groups by name separated by <c>;</c>. Export writes it, import reads it back, so an exported file
/// imports as it is. The rules of a user are the service's; this only turns text into requests. The console
/// and the API (<c>/api/v1/users/import</c>, <c>/api/v1/users/export.csv</c>) share it.
/// </summary>
internal static class UserCsv
{
    public const long MaxFileBytes = 1024 * 1024;

    public static readonly string[] Columns = ["firstName", "lastName", "email", "phone", "status", "validFrom", "validUntil", "accessGroups"];

    /// <summary>The key of a problem with a row as a whole rather than one of its cells.</summary>
    public const string LineField = "line";

    private const string QuoteHelp =
        "A value in quotes must start and end with a quote, and a quote inside it is written twice (\"\").";

    private const string TimeHelp = "Must be a date (2026-03-09), a local time (2026-03-09 08:00) or an instant (2026-03-09T08:00:00Z).";

    /// <summary>Writes the header, then a line per user.</summary>
    public static async Task WriteAsync(Stream body, IAsyncEnumerable<UserDto> users, IReadOnlyDictionary<Guid, string> groupNames, CancellationToken ct)
    {
        await using var csv = CsvExport.To(body);
        await csv.WriteRowAsync(Columns);
        await foreach (var user in users.WithCancellation(ct))
        {
            await csv.WriteRowAsync(Cells(user, groupNames));
        }
    }

    /// <summary>The cells of one user, in the order of <see cref="Columns"/>.</summary>
    public static string?[] Cells(UserDto user, IReadOnlyDictionary<Guid, string> groupNames) =>
        [
            user.FirstName,
            user.LastName,
            user.Email,
            user.Phone,
            user.Status == UserStatus.Suspended ? "suspended" : "active",
            Instant(user.ValidFrom),
            Instant(user.ValidUntil),
            string.Join(';', user.AccessGroupIds.Select(id => groupNames.GetValueOrDefault(id)).OfType<string>().Order(StringComparer.OrdinalIgnoreCase)),
        ];

    /// <summary>
    /// Reads an uploaded file. A problem with the file as a whole (no header, missing columns, too many rows)
    /// is <see cref="ImportFile.Problem"/>; a problem with a row (a broken quote, a bad cell) stays with the
    /// row, and the row is kept so the report can show every row.
    /// </summary>
    /// <param name="text">The file's text.</param>
    /// <param name="groupIds">The organization's access groups by name.</param>
    /// <param name="zone">The zone that dates and local times without an offset are read in.</param>
    public static ImportFile Parse(string text, IReadOnlyDictionary<string, Guid> groupIds, TimeZoneInfo zone)
    {
        var nonEmpty = CsvImport.Read(text).Where(r => r.Cells.Any(c => c.Length > 0)).ToList();
        if (nonEmpty.Count == 0)
        {
            return ImportFile.Fail("The file is empty. It needs a header line, then one line per user.");
        }

        if (nonEmpty[0].Malformed)
        {
            return ImportFile.Fail($"Line {nonEmpty[0].Line}: the header has a quote out of place. {QuoteHelp}");
        }

        var header = nonEmpty[0].Cells.Select(c => c.Trim()).ToList();
        var index = new Dictionary<string, int>(StringComparer.OrdinalIgnoreCase);
        var ignored = new List<string>();
        for (var i = 0; i < header.Count; i++)
        {
            var known = Columns.FirstOrDefault(c => string.Equals(c, header[i], StringComparison.OrdinalIgnoreCase));
            if (known is null)
            {
                if (header[i].Length > 0)
                {
                    ignored.Add(header[i]);
                }
            }
            else if (!index.TryAdd(known, i))
            {
                return ImportFile.Fail($"The column “{known}” appears twice in the header.");
            }
        }

        var missing = new[] { "firstName", "lastName" }.Where(c => !index.ContainsKey(c)).ToList();
        if (missing.Count > 0)
        {
            return ImportFile.Fail(
                $"The header has no {string.Join(" or ", missing.Select(m => $"“{m}”"))} column. The first line must name the columns: {string.Join(",", Columns)}.");
        }

        var rows = nonEmpty.Skip(1).ToList();
        if (rows.Count == 0)
        {
            return ImportFile.Fail("The file has a header but no users.");
        }

        if (rows.Count > UserService.MaxImportRows)
        {
            return ImportFile.Fail($"The file has {rows.Count:N0} users; import at most {UserService.MaxImportRows:N0} at a time.");
        }

        var parsed = rows.Select(r => ParseRow(r, index, groupIds, zone)).ToList();
        return new ImportFile(null, parsed, ignored);
    }

    private static ImportRow ParseRow(CsvRecord record, Dictionary<string, int> index, IReadOnlyDictionary<string, Guid> groupIds, TimeZoneInfo zone)
    {
        var errors = new Dictionary<string, List<string>>(StringComparer.Ordinal);
        void Add(string field, string message)
        {
            if (!errors.TryGetValue(field, out var list))
            {
                errors[field] = list = [];
            }

            list.Add(message);
        }

        if (record.Malformed)
        {
            // An unclosed quote runs to the end of the file: its cells are not what the admin meant.
            Add(LineField, $"A quote is out of place, so this row cannot be read. {QuoteHelp}");
            return new ImportRow(record.Line, new CreateUserRequest("", "", null, null, UserStatus.Active, null, null, []), errors);
        }

        string Cell(string column) =>
            index.TryGetValue(column, out var i) && i < record.Cells.Count ? Undefuse(record.Cells[i].Trim()) : "";

        UserStatus? status = Cell("status").ToLowerInvariant() switch
        {
            "" or "active" => UserStatus.Active,
            "suspended" => UserStatus.Suspended,
            _ => null,
        };
        if (status is null)
        {
            Add("status", "Must be active or suspended (or empty for active).");
        }

        var from = ReadTime(Cell("validFrom"), zone, endOfDay: false, out var fromOk);
        if (!fromOk)
        {
            Add("validFrom", TimeHelp);
        }

        var until = ReadTime(Cell("validUntil"), zone, endOfDay: true, out var untilOk);
        if (!untilOk)
        {
            Add("validUntil", TimeHelp);
        }

        var groups = new List<Guid>();
        foreach (var name in Cell("accessGroups").Split(';', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            if (FindGroup(groupIds, name) is { } id)
            {
                groups.Add(id);
            }
            else
            {
                Add("accessGroups", $"No access group is named “{name}”.");
            }
        }

        var request = new CreateUserRequest(
            Cell("firstName"), Cell("lastName"), Blank(Cell("email")), Blank(Cell("phone")), status, from, until, groups);
        return new ImportRow(record.Line, request, errors);
    }

    /// <summary>The exact name, else the one name that differs only in case.</summary>
    private static Guid? FindGroup(IReadOnlyDictionary<string, Guid> groupIds, string name)
    {
        if (groupIds.TryGetValue(name, out var exact))
        {
            return exact;
        }

        var matches = groupIds.Where(g => string.Equals(g.Key, name, StringComparison.OrdinalIgnoreCase)).Take(2).ToList();
        return matches.Count == 1 ? matches[0].Value : null;
    }

    /// <summary>
    /// An instant with an offset as written; a local time, or a date alone, in the admin's zone. A date
    /// alone means the whole day: from its start, or until its end.
    /// </summary>
    private static DateTimeOffset? ReadTime(string text, TimeZoneInfo zone, bool endOfDay, out bool ok)
    {
        ok = true;
        if (text.Length == 0)
        {
            return null;
        }

        if (DateOnly.TryParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var date))
        {
            var local = date.ToDateTime(TimeOnly.MinValue);
            return ViewerTime.FromLocal(endOfDay ? local.AddDays(1) : local, zone);
        }

        var iso = text.Replace(' ', 'T');
        if (DateTime.TryParseExact(iso, ["yyyy-MM-dd'T'HH:mm", "yyyy-MM-dd'T'HH:mm:ss"], CultureInfo.InvariantCulture, DateTimeStyles.None, out var localTime))
        {
            return ViewerTime.FromLocal(localTime, zone);
        }

        if (iso.Length > 16 && (iso.EndsWith('Z') || iso[^6] is '+' or '-')
            && DateTimeOffset.TryParse(iso, CultureInfo.InvariantCulture, DateTimeStyles.None, out var instant))
        {
            return instant.ToUniversalTime();
        }

        ok = false;
        return null;
    }

    /// <summary>Takes off the quote the export puts before a value a spreadsheet would run as a formula (a phone's "+").</summary>
    private static string Undefuse(string cell) =>
        cell.Length > 1 && cell[0] == '\'' && cell[1] is '=' or '+' or '-' or '@' ? cell[1..] : cell;

    private static string? Blank(string value) => value.Length == 0 ? null : value;

    private static string? Instant(DateTimeOffset? at) =>
        at?.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);
}

/// <summary>A read file: a problem of the whole file, or its rows (each with its own errors).</summary>
internal sealed record ImportFile(string? Problem, IReadOnlyList<ImportRow> Rows, IReadOnlyList<string> IgnoredColumns)
{
    public static ImportFile Fail(string problem) => new(problem, [], []);

    public bool HasRowErrors => Rows.Any(r => r.Errors.Count > 0);
}

/// <summary>A row of the file: its line number, the user it describes, and what is wrong with it, by column.</summary>
internal sealed record ImportRow(int Line, CreateUserRequest Request, Dictionary<string, List<string>> Errors)
{
    /// <summary>Adds the service's errors of this row; field names become the file's column names.</summary>
    public void AddServiceError(string field, IEnumerable<string> messages)
    {
        var column = field.StartsWith("accessGroupIds", StringComparison.Ordinal) ? "accessGroups" : field;
        if (!Errors.TryGetValue(column, out var list))
        {
            Errors[column] = list = [];
        }

        list.AddRange(messages.Except(list));
    }
}
