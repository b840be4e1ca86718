using Gatehouse.Core.Schedules;
using Gatehouse.Server.Data;
using Gatehouse.Server.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace Gatehouse.Server.Features.Schedules;

/// <summary>A window as the API shows it: <c>{days: ["Monday", …], start: "08:00", end: "18:00"}</c>.</summary>
internal sealed record ScheduleWindowDto(IReadOnlyList<string> Days, string Start, string End);

internal sealed record ScheduleHolidayDto(string Date, string? Name);

internal sealed record ScheduleDto(
    Guid Id, string Name, IReadOnlyList<ScheduleWindowDto> Windows, IReadOnlyList<ScheduleHolidayDto> Holidays, DateTimeOffset CreatedAt);

/// <param name="Windows">Required; an empty list is a schedule that never opens.</param>
/// <param name="Holidays">Optional; absent or null is none.</param>
internal sealed record CreateScheduleRequest(
    string? Name, IReadOnlyList<ScheduleWindowInput?>? Windows, IReadOnlyList<ScheduleHolidayInput?>? Holidays);

/// <summary>Windows and holidays, when present, replace the whole list.</summary>
internal sealed record UpdateScheduleRequest
{
    public Optional<string?> Name { get; init; }

    public Optional<IReadOnlyList<ScheduleWindowInput?>?> Windows { get; init; }

    public Optional<IReadOnlyList<ScheduleHolidayInput?>?> Holidays { get; init; }
}

internal static class ScheduleMapping
{
    public static ScheduleDto ToDto(this Schedule schedule) => new(
        schedule.Id,
        schedule.Name,
        [.. schedule.Windows.Select(w => new ScheduleWindowDto(
            [.. w.Days.Select(ScheduleRules.FormatDay)], ScheduleRules.FormatTime(w.Start), ScheduleRules.FormatTime(w.End)))],
        [.. schedule.Holidays.Select(h => new ScheduleHolidayDto(ScheduleRules.FormatDate(h.Date), h.Name))],
        schedule.CreatedAt);
}

/// <summary>Schedules of the current organization. Shared by the API and the admin console.</summary>
internal sealed class ScheduleService(GatehouseDbContext db, TimeProvider clock)
{
    private static readonly UniqueName<Schedule> Names = new(name => $"A schedule named \"{name}\" already exists.");

    public async Task<Result<PagedList<ScheduleDto>>> ListAsync(int? page, int? pageSize, CancellationToken ct)
    {
        if (Paging.Check(page, pageSize) is { } error)
        {
            return error;
        }

        return await db.Schedules.AsNoTracking().OrderBy(s => s.Name).ThenBy(s => s.Id)
            .ToPageAsync(page, pageSize, s => s.ToDto(), ct);
    }

    public async Task<Result<ScheduleDto>> GetAsync(Guid id, CancellationToken ct) =>
        await db.Schedules.AsNoTracking().SingleOrDefaultAsync(s => s.Id == id, ct) is { } schedule
            ? schedule.ToDto()
            : new ApiError.NotFound("The schedule");

    public async Task<Result<ScheduleDto>> CreateAsync(CreateScheduleRequest request, CancellationToken ct)
    {
        var v = new Validation().Text("name", request.Name, Schedule.NameMaxLength);
        var windows = ParseWindows(v, request.Windows);
        var holidays = ParseHolidays(v, request.Holidays);
        if (!v.IsValid)
        {
            return v.ToError();
        }

        var name = request.Name!.Trim();
        if (await Names.CheckAsync(db.Schedules, name, null, ct) is { } taken)
        {
            return taken;
        }

        var schedule = new Schedule { Name = name, Windows = windows, Holidays = holidays, CreatedAt = clock.GetUtcNow() };
        db.Schedules.Add(schedule);
        if (await Names.SaveAsync(db, db.Schedules, schedule, ct) is { } conflict)
        {
            return conflict;
        }

        return schedule.ToDto();
    }

    public async Task<Result<ScheduleDto>> UpdateAsync(Guid id, UpdateScheduleRequest request, CancellationToken ct)
    {
        var schedule = await db.Schedules.SingleOrDefaultAsync(s => s.Id == id, ct);
        if (schedule is null)
        {
            return new ApiError.NotFound("The schedule");
        }

        var v = new Validation();
        if (request.Name.HasValue)
        {
            v.Text("name", request.Name.Value, Schedule.NameMaxLength);
        }

        var windows = request.Windows.HasValue ? ParseWindows(v, request.Windows.Value) : schedule.Windows;
        var holidays = request.Holidays.HasValue ? ParseHolidays(v, request.Holidays.Value) : schedule.Holidays;
        if (!v.IsValid)
        {
            return v.ToError();
        }

        if (await Names.RenameAsync(db.Schedules, schedule, request.Name, ct) is { } taken)
        {
            return taken;
        }

        schedule.Windows = windows;
        schedule.Holidays = holidays;
        if (await Names.SaveAsync(db, db.Schedules, schedule, ct) is { } conflict)
        {
            return conflict;
        }

        return schedule.ToDto();
    }

    /// <summary>Deletes a schedule no access group uses; one in use is a 409 naming the groups.</summary>
    public async Task<ApiError?> DeleteAsync(Guid id, CancellationToken ct)
    {
        var schedule = await db.Schedules.SingleOrDefaultAsync(s => s.Id == id, ct);
        if (schedule is null)
        {
            return new ApiError.NotFound("The schedule");
        }

        if (await InUseAsync(id, ct) is { } inUse)
        {
            return inUse;
        }

        db.Schedules.Remove(schedule);

        // An access group given this schedule meanwhile: the foreign key refused the delete.
        return await db.SaveOrExplainAsync(c => InUseAsync(id, c), ct);
    }

    private async Task<ApiError?> InUseAsync(Guid id, CancellationToken ct)
    {
        var groups = await db.AccessGroups.Where(g => g.ScheduleId == id).OrderBy(g => g.Name).Select(g => g.Name).Take(4).ToListAsync(ct);
        if (groups.Count == 0)
        {
            return null;
        }

        var names = string.Join(", ", groups.Take(3).Select(n => $"\"{n}\"")) + (groups.Count > 3 ? " and others" : "");
        return new ApiError.Conflict($"The schedule is used by the access group(s) {names}. Give them another schedule first.");
    }

    /// <summary>
    /// Checks windows with the core's rules (the same ones a door applies) and keeps them as written. A bad
    /// day is reported on <c>windows[i].days</c>, the field the administrator filled in.
    /// </summary>
    private static List<ScheduleWindow> ParseWindows(Validation v, IReadOnlyList<ScheduleWindowInput?>? windows)
    {
        if (!v.Within("windows", windows?.Count, Schedule.MaxWindows))
        {
            return [];
        }

        var daysOk = true;
        for (var i = 0; i < (windows?.Count ?? 0); i++)
        {
            daysOk &= v.Within($"windows[{i}].days", windows![i]?.Days?.Count, Schedule.MaxDaysPerWindow);
        }

        if (!daysOk)
        {
            return [];
        }

        var parsed = ScheduleRules.Parse(windows, holidays: null);
        foreach (var error in parsed.Errors)
        {
            v.Add(DayListField(error.Field), error.Message);
        }

        if (!parsed.IsValid)
        {
            return [];
        }

        return [.. windows!.Select(w => new ScheduleWindow(
            [.. w!.Days!.Select(d => ScheduleRules.TryParseDay(d, out var day) ? day : throw new InvalidOperationException("Checked above."))],
            Time(w.Start, allowEndOfDay: false),
            Time(w.End, allowEndOfDay: true)))];

        static TimeOnly Time(string? text, bool allowEndOfDay) =>
            ScheduleRules.TryParseTime(text, allowEndOfDay, out var time) ? time : throw new InvalidOperationException("Checked above.");
    }

    private static List<ScheduleHoliday> ParseHolidays(Validation v, IReadOnlyList<ScheduleHolidayInput?>? holidays)
    {
        if (!v.Within("holidays", holidays?.Count, Schedule.MaxHolidays))
        {
            return [];
        }

        var parsed = ScheduleRules.Parse([], holidays);
        foreach (var error in parsed.Errors)
        {
            v.Add(error.Field, error.Message);
        }

        for (var i = 0; i < (holidays?.Count ?? 0); i++)
        {
            v.Text($"holidays[{i}].name", holidays![i]?.Name, Schedule.HolidayNameMaxLength, required: false);
        }

        // Nothing is kept from a request with any bad field, so the windows' errors end this too.
        if (!v.IsValid || holidays is null)
        {
            return [];
        }

        return [.. holidays.Select(h => new ScheduleHoliday(
            ScheduleRules.TryParseDate(h!.Date, out var date) ? date : throw new InvalidOperationException("Checked above."),
            string.IsNullOrWhiteSpace(h.Name) ? null : h.Name.Trim()))];
    }

    /// <summary><c>windows[0].days[2]</c> → <c>windows[0].days</c>; other fields unchanged.</summary>
    private static string DayListField(string field)
    {
        var at = field.IndexOf(".days[", StringComparison.Ordinal);
        return at < 0 ? field : field[..(at + ".days".Length)];
    }
}
