using Gatehouse.Core.Cards;
using Gatehouse.Core.Schedules;
using Gatehouse.Server.Features.AccessGroups;
using Gatehouse.Server.Features.Credentials;
using Gatehouse.Server.Features.Devices;
using Gatehouse.Server.Features.Doors;
using Gatehouse.Server.Features.Schedules;
using Gatehouse.Server.Features.Sites;
using Gatehouse.Server.Features.Users;
using Gatehouse.Server.Infrastructure;

namespace Gatehouse.Server.Features.Demo;

/// <summary>A user of the demo, the card they hold and the doors their groups open.</summary>
internal sealed record DemoHolder(Guid UserId, string Name, bool Suspended, Guid CredentialId, CardIdentity Card, IReadOnlyList<Guid> DoorIds);

/// <summary>
/// What the demo created: its doors (with their sites' time zones), its card holders, the office's day off,
/// and the device at the main entrance.
/// </summary>
internal sealed record DemoWorldCreated(
    IReadOnlyList<DoorDto> Doors, IReadOnlyDictionary<Guid, TimeZoneInfo> SiteZones, IReadOnlyList<DemoHolder> Holders, DateOnly DayOff, Guid DeviceId);

/// <summary>Creates the demo's sites, doors, schedules, access groups, users, cards and device through their services.</summary>
internal sealed class DemoWorld(
    SiteService sites,
    DoorService doors,
    ScheduleService schedules,
    AccessGroupService groups,
    UserService users,
    CredentialService credentials,
    DeviceService devices)
{
    /// <summary>The demo's F3D100 at the main entrance, which the README's demo claims (with a claim code it issues then).</summary>
    public const string DeviceName = "Front entrance reader";

    /// <summary>The facility code of the demo's H10301 cards.</summary>
    public const int FacilityCode = 42;

    private static readonly string[] Weekdays = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday"];
    private static readonly string[] EveryDay = [.. Weekdays, "Saturday", "Sunday"];

    public async Task<DemoWorldCreated> CreateAsync(DateTimeOffset now, CancellationToken ct)
    {
        var london = Must(await sites.CreateAsync(new CreateSiteRequest("London HQ", "Europe/London"), ct));
        var newYork = Must(await sites.CreateAsync(new CreateSiteRequest("New York Office", "America/New_York"), ct));

        var mainEntrance = await DoorAsync(london, "Main Entrance", ct);
        var serverRoom = await DoorAsync(london, "Server Room", ct);
        var loadingBay = await DoorAsync(london, "Loading Bay", ct);
        var lobby = await DoorAsync(newYork, "Lobby", ct);
        var officeSuite = await DoorAsync(newYork, "Office Suite", ct);
        var storage = await DoorAsync(newYork, "Storage Room", ct);

        // A day off inside the week of events, so the history shows holiday denials, and the next Christmas.
        var today = DateOnly.FromDateTime(now.UtcDateTime);
        var dayOff = Enumerable.Range(2, DemoHistory.Days - 2).Select(d => today.AddDays(-d))
            .First(d => d.DayOfWeek is >= DayOfWeek.Monday and <= DayOfWeek.Friday);
        var christmas = new DateOnly(now.Month == 12 && now.Day > 25 ? now.Year + 1 : now.Year, 12, 25);
        var officeHours = Must(await schedules.CreateAsync(new CreateScheduleRequest(
            "Office hours",
            [new ScheduleWindowInput(Weekdays, "08:00", "18:00")],
            [
                new ScheduleHolidayInput(ScheduleRules.FormatDate(dayOff), "Founders' Day"),
                new ScheduleHolidayInput(ScheduleRules.FormatDate(christmas), "Christmas Day"),
            ]), ct));
        var allHours = Must(await schedules.CreateAsync(new CreateScheduleRequest(
            "24/7", [new ScheduleWindowInput(EveryDay, "00:00", "24:00")], []), ct));
        var weekends = Must(await schedules.CreateAsync(new CreateScheduleRequest(
            "Weekends", [new ScheduleWindowInput(["Saturday", "Sunday"], "09:00", "17:00")], []), ct));

        var staff = await GroupAsync("All staff", officeHours, [mainEntrance, lobby, officeSuite], ct);
        var it = await GroupAsync("IT", allHours, [mainEntrance, serverRoom, lobby], ct);
        var facilities = await GroupAsync("Facilities", officeHours, [mainEntrance, loadingBay, storage], ct);
        var weekendCrew = await GroupAsync("Weekend crew", weekends, [mainEntrance, lobby], ct);

        Person[] people =
        [
            new("Olivia", "Bennett", [staff, it], Csn: "04A224B2C15E80"),
            new("James", "Whitaker", [staff], CardNumber: 10231),
            new("Amelia", "Clarke", [staff], CardNumber: 10232),
            new("Harry", "Patel", [staff, facilities], CardNumber: 10233),
            new("Sophie", "Turner", [staff, weekendCrew], Csn: "04B7D91A2C3F80"),
            new("Daniel", "O'Connor", [it], CardNumber: 10235, Suspended: true),
            new("Grace", "Kim", [staff], CardNumber: 20101),
            new("Marcus", "Johnson", [staff, facilities], CardNumber: 20102),
            new("Isabella", "Rossi", [staff], Csn: "1C9E0F42"),
            new("Ethan", "Goldberg", [staff, it], CardNumber: 20104),
            new("Chloe", "Martinez", [facilities, weekendCrew], CardNumber: 20105),
            new("Noah", "Williams", [staff], CardNumber: 20106, CardExpiredDaysAgo: 3),
        ];

        var holders = new List<DemoHolder>(people.Length);
        foreach (var person in people)
        {
            holders.Add(await HolderAsync(person, now, ct));
        }

        // Unclaimed: the code issued with it is not kept, so nobody knows it; the README's demo issues a fresh one
        // (POST /devices/{id}/claim-code). Its reader decodes the demo's H10301 cards.
        var device = Must(await devices.CreateAsync(
            new CreateDeviceRequest(DeviceName, nameof(DeviceModel.F3D100), london.Id, [mainEntrance.Id], CardFormat.H10301.ToApiName()), ct));

        return new DemoWorldCreated(
            [mainEntrance, serverRoom, loadingBay, lobby, officeSuite, storage],
            new Dictionary<Guid, TimeZoneInfo> { [london.Id] = Zone(london.TimeZone), [newYork.Id] = Zone(newYork.TimeZone) },
            holders,
            dayOff,
            device.Id);
    }

    private async Task<DemoHolder> HolderAsync(Person person, DateTimeOffset now, CancellationToken ct)
    {
        var login = $"{person.FirstName}.{person.LastName.Replace("'", "", StringComparison.Ordinal)}".ToLowerInvariant();
        var user = Must(await users.CreateAsync(new CreateUserRequest(
            person.FirstName,
            person.LastName,
            $"{login}@example.com",
            null,
            person.Suspended ? UserStatus.Suspended : UserStatus.Active,
            null,
            null,
            [.. person.Groups.Select(g => g.Id)]), ct));

        var request = person.Csn is { } csn
            ? new CreateCardCredentialRequest(CardFormat.Csn.ToApiName(), null, null, csn, null, null)
            : new CreateCardCredentialRequest(CardFormat.H10301.ToApiName(), FacilityCode, person.CardNumber, null, null,
                person.CardExpiredDaysAgo is { } days ? now.AddDays(-days) : null);
        var credential = Must(await credentials.AddCardAsync(user.Id, request, ct));
        if (!CardIdentity.TryCreate(credential.Format, credential.FacilityCode, credential.CardNumber, credential.Csn, out var card, out _))
        {
            throw new InvalidOperationException($"The demo card of {person.FirstName} {person.LastName} does not read back.");
        }

        return new DemoHolder(user.Id, $"{user.FirstName} {user.LastName}", person.Suspended, credential.Id, card,
            [.. person.Groups.SelectMany(g => g.DoorIds).Distinct()]);
    }

    private async Task<DoorDto> DoorAsync(SiteDto site, string name, CancellationToken ct) =>
        Must(await doors.CreateAsync(new CreateDoorRequest(site.Id, name), ct));

    private async Task<AccessGroupDto> GroupAsync(string name, ScheduleDto schedule, DoorDto[] groupDoors, CancellationToken ct) =>
        Must(await groups.CreateAsync(new CreateAccessGroupRequest(name, schedule.Id, [.. groupDoors.Select(d => d.Id)]), ct));

    private static TimeZoneInfo Zone(string id) =>
        TimeZones.TryFind(id, out var zone) ? zone : throw new InvalidOperationException($"The demo's time zone {id} is not known here.");

    /// <summary>The demo's data is fixed and valid; a refusal is a bug in it or in a service.</summary>
    private static T Must<T>(Result<T> result) =>
        result.Error is { } error ? throw new InvalidOperationException($"The demo seed was refused: {error}") : result.Value!;

    private sealed record Person(
        string FirstName,
        string LastName,
        AccessGroupDto[] Groups,
        long? CardNumber = null,
        string? Csn = null,
        bool Suspended = false,
        int? CardExpiredDaysAgo = null);
}
