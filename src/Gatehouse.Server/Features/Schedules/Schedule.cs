using System.Text.Json;
using System.Text.Json.Serialization;
using Gatehouse.Core.Schedules;
using Gatehouse.Server.Features.Organizations;
using Gatehouse.Server.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.ChangeTracking;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Gatehouse.Server.Features.Schedules;

/// <summary>
/// When access groups open their doors: weekly windows of local time (read in the time zone of the
/// door's site) and holidays on which nothing opens.
/// </summary>
internal sealed class Schedule : ITenantOwned, INamedEntity
{
    public const int NameMaxLength = 200;

    /// <summary>The most windows one schedule holds; a real week needs a handful.</summary>
    public const int MaxWindows = 100;

    /// <summary>The most days one window names: each day of the week once.</summary>
    public const int MaxDaysPerWindow = 7;

    /// <summary>The most holidays one schedule holds: decades of public holidays.</summary>
    public const int MaxHolidays = 1000;

    public const int HolidayNameMaxLength = 200;

    public Guid Id { get; set; } = Guid.CreateVersion7();

    public Guid OrganizationId { get; set; }

    public required string Name { get; set; }

    /// <summary>
    /// The windows as the administrator wrote them (one window may name several days), so the API gives
    /// back what it was sent. <see cref="ToWeeklyWindows"/> expands them to one window per day.
    /// </summary>
    public List<ScheduleWindow> Windows { get; set; } = [];

    public List<ScheduleHoliday> Holidays { get; set; } = [];

    public DateTimeOffset CreatedAt { get; set; }

    /// <summary>One <see cref="WeeklyWindow"/> per day of each window: the shape the decision engine reads.</summary>
    public IReadOnlyList<WeeklyWindow> ToWeeklyWindows() =>
        [.. Windows.SelectMany(w => w.Days.Select(day => new WeeklyWindow(day, w.Start, w.End)))];

    public IReadOnlyList<DateOnly> HolidayDates() => [.. Holidays.Select(h => h.Date)];
}

/// <summary>
/// <c>[Start, End)</c> of local time on each of <see cref="Days"/>. An <see cref="End"/> of
/// <see cref="WeeklyWindow.EndOfDay"/> runs to midnight (<c>"24:00"</c> in the API).
/// </summary>
internal sealed record ScheduleWindow(IReadOnlyList<DayOfWeek> Days, TimeOnly Start, TimeOnly End);

/// <summary>A local date on which the schedule opens nothing.</summary>
internal sealed record ScheduleHoliday(DateOnly Date, string? Name);

internal sealed class ScheduleConfiguration : IEntityTypeConfiguration<Schedule>
{
    // Windows and holidays are only ever read and written with their schedule, so they are JSON text
    // columns: identical on SQLite and PostgreSQL, and one row per schedule in the audit log.
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        Converters = { new JsonStringEnumConverter() },
    };

    public void Configure(EntityTypeBuilder<Schedule> builder)
    {
        builder.Property(s => s.Name).HasMaxLength(Schedule.NameMaxLength);
        builder.HasIndex(s => new { s.OrganizationId, s.Name }).IsUnique();
        builder.HasOne<Organization>().WithMany().HasForeignKey(s => s.OrganizationId).OnDelete(DeleteBehavior.Cascade);

        builder.Property(s => s.Windows)
            .HasConversion(v => Write(v), v => Read<ScheduleWindow>(v), JsonComparer<ScheduleWindow>())
            .IsRequired();
        builder.Property(s => s.Holidays)
            .HasConversion(v => Write(v), v => Read<ScheduleHoliday>(v), JsonComparer<ScheduleHoliday>())
            .IsRequired();
    }

    private static string Write<T>(List<T> value) => JsonSerializer.Serialize(value, Json);

    private static List<T> Read<T>(string value) => JsonSerializer.Deserialize<List<T>>(value, Json) ?? [];

    private static ValueComparer<List<T>> JsonComparer<T>() => new(
        (a, b) => Write(a!) == Write(b!),
        v => Write(v).GetHashCode(StringComparison.Ordinal),
        v => Read<T>(Write(v)));
}
