using Gatehouse.Core.Decisions;

namespace Gatehouse.Core.Tests.Decisions;

public class AccessSnapshotNextGrantTests
{
    private static readonly DateTimeOffset MondayNoon = new(2026, 3, 9, 12, 15, 0, TimeSpan.Zero);
    private static readonly TimeSpan Week = TimeSpan.FromDays(7);

    private readonly SourceBuilder _source = new();

    [Fact]
    public void NextGrant_InsideAnOpenWindow_IsTheStart()
    {
        var (credential, door) = KeyAt("UTC", SourceBuilder.AllWeek("08:00", "18:00"));

        Assert.Equal(MondayNoon, _source.Build().NextGrant(credential, door, MondayNoon, Week));
    }

    [Fact]
    public void NextGrant_AfterTheWindowClosed_IsTomorrowsOpening()
    {
        var (credential, door) = KeyAt("UTC", SourceBuilder.AllWeek("08:00", "10:00"));

        Assert.Equal(new DateTimeOffset(2026, 3, 10, 8, 0, 0, TimeSpan.Zero), _source.Build().NextGrant(credential, door, MondayNoon, Week));
    }

    [Fact]
    public void NextGrant_WindowInTheSitesZone_IsTheLocalOpeningInUtc()
    {
        // 08:00 in New York on Tuesday 10 March 2026 (daylight time since the 8th) is 12:00 UTC.
        var (credential, door) = KeyAt("America/New_York", [SourceBuilder.Window(DayOfWeek.Tuesday, "08:00", "09:00")]);

        Assert.Equal(new DateTimeOffset(2026, 3, 10, 12, 0, 0, TimeSpan.Zero), _source.Build().NextGrant(credential, door, MondayNoon, Week));
    }

    [Fact]
    public void NextGrant_TomorrowIsAHoliday_SkipsToTheDayAfter()
    {
        var (credential, door) = KeyAt("UTC", SourceBuilder.AllWeek("08:00", "10:00"), new DateOnly(2026, 3, 10));

        Assert.Equal(new DateTimeOffset(2026, 3, 11, 8, 0, 0, TimeSpan.Zero), _source.Build().NextGrant(credential, door, MondayNoon, Week));
    }

    [Fact]
    public void NextGrant_CredentialValidFromInsideAWindow_IsTheValidFrom()
    {
        var validFrom = new DateTimeOffset(2026, 3, 10, 9, 30, 0, TimeSpan.Zero);
        var (credential, door) = KeyAt("UTC", SourceBuilder.AllWeek("08:00", "18:00"), validFrom: validFrom);

        Assert.Equal(validFrom, _source.Build().NextGrant(credential, door, MondayNoon, Week));
    }

    [Fact]
    public void NextGrant_ExpiresBeforeTheNextWindow_IsNull()
    {
        var (credential, door) = KeyAt("UTC", SourceBuilder.AllWeek("08:00", "10:00"), validUntil: MondayNoon.AddHours(6));

        Assert.Null(_source.Build().NextGrant(credential, door, MondayNoon, Week));
    }

    [Fact]
    public void NextGrant_WindowBeyondTheHorizon_IsNull()
    {
        var (credential, door) = KeyAt("UTC", [SourceBuilder.Window(DayOfWeek.Sunday, "08:00", "09:00")]);

        Assert.Null(_source.Build().NextGrant(credential, door, MondayNoon, TimeSpan.FromDays(3)));
        Assert.Equal(new DateTimeOffset(2026, 3, 15, 8, 0, 0, TimeSpan.Zero), _source.Build().NextGrant(credential, door, MondayNoon, Week));
    }

    [Fact]
    public void NextGrant_SuspendedCredential_IsNull()
    {
        var door = _source.Door();
        var group = _source.Group(_source.Schedule(SourceBuilder.AllWeek("08:00", "18:00")), door);
        var credential = _source.Credential(_source.User(group), key: null, suspended: true);

        Assert.Null(_source.Build().NextGrant(credential, door, MondayNoon, Week));
    }

    [Fact]
    public void NextGrant_DoorOfNoGroupOfTheUser_IsNull()
    {
        var (credential, _) = KeyAt("UTC", SourceBuilder.AllWeek("08:00", "18:00"));
        var otherDoor = _source.Door();

        Assert.Null(_source.Build().NextGrant(credential, otherDoor, MondayNoon, Week));
    }

    [Fact]
    public void NextGrant_TwoGroups_IsTheEarlierOpening()
    {
        var door = _source.Door();
        var late = _source.Group(_source.Schedule([SourceBuilder.Window(DayOfWeek.Tuesday, "15:00", "16:00")]), door);
        var early = _source.Group(_source.Schedule([SourceBuilder.Window(DayOfWeek.Tuesday, "07:00", "08:00")]), door);
        var credential = _source.Credential(_source.User(late, early), key: null);

        Assert.Equal(new DateTimeOffset(2026, 3, 10, 7, 0, 0, TimeSpan.Zero), _source.Build().NextGrant(credential, door, MondayNoon, Week));
    }

    private (Guid Credential, Guid Door) KeyAt(
        string zone, IEnumerable<Core.Schedules.WeeklyWindow> windows, DateOnly? holiday = null,
        DateTimeOffset? validFrom = null, DateTimeOffset? validUntil = null)
    {
        var door = _source.Door(zone);
        var schedule = holiday is { } h ? _source.Schedule(windows, h) : _source.Schedule(windows);
        var group = _source.Group(schedule, door);
        return (_source.Credential(_source.User(group), key: null, validFrom: validFrom, validUntil: validUntil), door);
    }
}
