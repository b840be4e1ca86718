using System.Globalization;
using Gatehouse.Core.Cards;
using Gatehouse.Server.Components.Shared;
using Gatehouse.Server.Features.Devices;

namespace Gatehouse.Server.Features.Devices;

/// <summary>
/// What the console shows of a device's reported state, as text. The pages render it, and
/// <c>/devices/live.json</c> sends the same text to <c>js/devices.js</c>, which keeps the pages current
/// without reloading them; so the wording lives here once.
/// </summary>
internal sealed record DeviceLive(
    Guid Id,
    bool Online,
    string Status,
    string StatusKind,
    string LastSeen,
    string SoftwareVersion,
    string SyncVersion,
    string Locks,
    IReadOnlyList<DoorLive> Doors,
    string? UnlockNote);

/// <summary>The lock of one door, as the device last reported it.</summary>
internal sealed record DoorLive(Guid Id, string Lock, string LockKind);

internal static class DeviceLiveText
{
    public const string Offline = "Offline";
    public const string OfflineUnlockNote = "The device is offline, so its doors cannot be unlocked remotely.";

    public static DeviceLive From(DeviceDto device, IReadOnlyDictionary<Guid, string> doorNames, TimeZoneInfo zone)
    {
        var (status, kind) = device switch
        {
            { Online: true } => ("Online", "success"),
            { Claimed: false } => ("Not claimed", "warning"),
            _ => (Offline, "danger"),
        };
        var doors = device.DoorIds
            .Select(id => device.Online
                ? device.UnlockedDoorIds.Contains(id) ? new DoorLive(id, "Unlocked", "warning") : new DoorLive(id, "Locked", "neutral")
                : new DoorLive(id, "Unknown", "neutral"))
            .ToList();
        return new DeviceLive(
            device.Id,
            device.Online,
            status,
            kind,
            device.LastSeenAt is { } seen ? ViewerTime.Format(seen, zone) : "Never",
            device.SoftwareVersion ?? "—",
            device.LastSeenAt is null ? "—" : device.SyncVersion.ToString(CultureInfo.InvariantCulture),
            Locks(device, doors, doorNames),
            doors,
            device.Online ? null : OfflineUnlockNote);
    }

    /// <summary>"H10301 · 26-bit" for a Wiegand reader; the serial number otherwise.</summary>
    public static string CardReader(string? wiegandFormat) =>
        CardFormats.TryParse(wiegandFormat, out var format)
            ? $"{format.ToApiName()} · {format.GetInfo().Bits}-bit Wiegand"
            : "Card serial number (CSN)";

    /// <summary>One line for the list: "Locked", "Unlocked", or door by door when they differ.</summary>
    private static string Locks(DeviceDto device, List<DoorLive> doors, IReadOnlyDictionary<Guid, string> doorNames)
    {
        if (doors.Count == 0)
        {
            return "No doors";
        }

        if (!device.Online)
        {
            return "Unknown";
        }

        if (doors.All(d => d.Lock == doors[0].Lock))
        {
            return doors.Count == 1 ? doors[0].Lock : $"All {doors[0].Lock.ToLowerInvariant()}";
        }

        return string.Join(" · ", doors.Select(d => $"{doorNames.GetValueOrDefault(d.Id, "Door")}: {d.Lock.ToLowerInvariant()}"));
    }
}
