using Gatehouse.Core.DeviceProtocol;

namespace Gatehouse.Device.Tests;

/// <summary>
/// A small organization as sync sends it: one door in Berlin, a weekday 08:00–18:00 schedule, a group, and
/// users with cards, with fixed readable IDs.
/// </summary>
internal static class TestStore
{
    public static readonly Guid FrontDoor = Id(1);
    public static readonly Guid BackDoor = Id(2);
    public static readonly Guid OfficeHours = Id(10);
    public static readonly Guid Staff = Id(20);
    public static readonly Guid Alice = Id(30);
    public static readonly Guid Bob = Id(31);
    public static readonly Guid AliceCard = Id(40);
    public static readonly Guid BobCard = Id(41);

    public const string AliceCardText = "H10301:1:11572";
    public const string BobCardText = "CSN:04A224B2C15E80";
    public const string UnknownCardText = "H10301:1:999";

    public static SyncData Data(params SyncCredential[] extraCredentials) => new(
        Device: new SyncDevice("Front desk", "H10301"),
        Doors: [new SyncDoor(FrontDoor, "Front door", "Europe/Berlin"), new SyncDoor(BackDoor, "Back door", "Europe/Berlin")],
        Schedules: [new SyncSchedule(OfficeHours, [.. Weekdays("08:00", "18:00")], [])],
        AccessGroups: [new SyncAccessGroup(Staff, OfficeHours, [FrontDoor])],
        Users: [new SyncUser(Alice, false, [Staff]), new SyncUser(Bob, false, [Staff])],
        Credentials: [
            new SyncCredential(AliceCard, Alice, "card", false, Card: AliceCardText),
            new SyncCredential(BobCard, Bob, "card", false, Card: BobCardText),
            .. extraCredentials,
        ]);

    /// <summary>The same store with a schedule open all week, for tests on the real clock.</summary>
    public static SyncData AlwaysOpen() =>
        Data() with { Schedules = [new SyncSchedule(OfficeHours, [.. Enum.GetValues<DayOfWeek>().Select(d => new SyncWindow(d, "00:00", "24:00"))], [])] };

    public static IEnumerable<SyncWindow> Weekdays(string start, string end) =>
        new[] { DayOfWeek.Monday, DayOfWeek.Tuesday, DayOfWeek.Wednesday, DayOfWeek.Thursday, DayOfWeek.Friday }
            .Select(d => new SyncWindow(d, start, end));

    public static Guid Id(int n) => Guid.Parse($"00000000-0000-4000-8000-{n:D12}");
}
