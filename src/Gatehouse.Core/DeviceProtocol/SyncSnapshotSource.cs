using Gatehouse.Core.Cards;
using Gatehouse.Core.Decisions;
using Gatehouse.Core.Schedules;

namespace Gatehouse.Core.DeviceProtocol;

/// <summary>
/// Turns what a device holds from sync (<see cref="SyncDoor"/>, <see cref="SyncSchedule"/>,
/// <see cref="SyncAccessGroup"/>, <see cref="SyncUser"/>, <see cref="SyncCredential"/>) into the
/// <see cref="SnapshotSource"/> the decision engine compiles, and windows to and from their sync text.
/// </summary>
/// <remarks>
/// <see cref="AccessSnapshot.Build"/> refuses an inconsistent source, but a door must keep deciding
/// whatever it was sent. So a record that cannot be read is left out and named in the problems, always in
/// the direction that opens less: a window that cannot be read never opens, a card whose text cannot be
/// read is never matched, a group of an unknown schedule or a door in an unknown time zone grants nothing.
/// </remarks>
public static class SyncSnapshotSource
{
    /// <summary>The <see cref="SyncCredential.Type"/> of a card credential, whose <see cref="SyncCredential.Card"/> is read at the reader.</summary>
    public const string CardType = "card";

    /// <summary>The <see cref="SyncCredential.Type"/> of a mobile credential, whose <see cref="SyncCredential.MobileKey"/> checks a phone's QR tokens.</summary>
    public const string MobileType = "mobile";

    /// <summary>Builds the engine's source; records that cannot be used are left out and described in <paramref name="problems"/>.</summary>
    /// <param name="doors">The device's doors with their sites' time zones.</param>
    /// <param name="schedules">The schedules of the groups.</param>
    /// <param name="accessGroups">The groups that open a door of the device.</param>
    /// <param name="users">The users of those groups.</param>
    /// <param name="credentials">The users' credentials.</param>
    /// <param name="problems">Receives one sentence per record left out (with its ID, never a card number); may be null.</param>
    public static SnapshotSource Build(
        IEnumerable<SyncDoor> doors,
        IEnumerable<SyncSchedule> schedules,
        IEnumerable<SyncAccessGroup> accessGroups,
        IEnumerable<SyncUser> users,
        IEnumerable<SyncCredential> credentials,
        ICollection<string>? problems = null)
    {
        ArgumentNullException.ThrowIfNull(doors);
        ArgumentNullException.ThrowIfNull(schedules);
        ArgumentNullException.ThrowIfNull(accessGroups);
        ArgumentNullException.ThrowIfNull(users);
        ArgumentNullException.ThrowIfNull(credentials);

        // Later records win over earlier ones with the same ID, as a delta replaces by ID.
        var doorEntries = new Dictionary<Guid, DoorEntry>();
        foreach (var door in doors)
        {
            if (TimeZones.IsValid(door.TimeZone))
            {
                doorEntries[door.Id] = new DoorEntry(door.Id, door.TimeZone);
            }
            else
            {
                doorEntries.Remove(door.Id);
                problems?.Add($"Door {door.Id} is left out: its time zone \"{door.TimeZone}\" is not known here.");
            }
        }

        var scheduleEntries = new Dictionary<Guid, ScheduleEntry>();
        foreach (var schedule in schedules)
        {
            var windows = new List<WeeklyWindow>(schedule.Windows.Count);
            foreach (var window in schedule.Windows)
            {
                if (TryParseWindow(window, out var parsed))
                {
                    windows.Add(parsed);
                }
                else
                {
                    problems?.Add($"A window of schedule {schedule.Id} is left out: {window.Day} {window.Start}–{window.End} is not a window.");
                }
            }

            scheduleEntries[schedule.Id] = new ScheduleEntry(schedule.Id, windows, [.. schedule.Holidays]);
        }

        var groupEntries = new Dictionary<Guid, AccessGroupEntry>();
        foreach (var group in accessGroups)
        {
            if (scheduleEntries.ContainsKey(group.ScheduleId))
            {
                groupEntries[group.Id] = new AccessGroupEntry(group.Id, group.ScheduleId, [.. group.DoorIds]);
            }
            else
            {
                groupEntries.Remove(group.Id);
                problems?.Add($"Access group {group.Id} is left out: its schedule {group.ScheduleId} is missing.");
            }
        }

        var userEntries = new Dictionary<Guid, UserEntry>();
        foreach (var user in users)
        {
            userEntries[user.Id] = new UserEntry(user.Id, user.Suspended, user.ValidFrom, user.ValidUntil, [.. user.AccessGroupIds]);
        }

        var credentialEntries = new Dictionary<Guid, CredentialEntry>();
        var keyOwners = new Dictionary<CredentialKey, Guid>();
        foreach (var credential in credentials)
        {
            if (credentialEntries.Remove(credential.Id, out var replaced) && replaced.Key is { } oldKey)
            {
                keyOwners.Remove(oldKey);
            }

            if (!userEntries.ContainsKey(credential.UserId))
            {
                problems?.Add($"Credential {credential.Id} is left out: its user {credential.UserId} is missing.");
                continue;
            }

            CredentialKey? key = null;
            if (string.Equals(credential.Type, CardType, StringComparison.Ordinal))
            {
                if (!CardIdentity.TryParse(credential.Card, out var card))
                {
                    problems?.Add($"Card credential {credential.Id} is left out: its card text cannot be read.");
                    continue;
                }

                key = card.ToKey();
                if (!keyOwners.TryAdd(key.Value, credential.Id))
                {
                    problems?.Add($"Card credential {credential.Id} is left out: credential {keyOwners[key.Value]} has the same card.");
                    continue;
                }
            }

            credentialEntries[credential.Id] = new CredentialEntry(
                credential.Id, credential.UserId, key, credential.Suspended, credential.ValidFrom, credential.ValidUntil);
        }

        return new SnapshotSource(
            [.. doorEntries.Values], [.. scheduleEntries.Values], [.. groupEntries.Values], [.. userEntries.Values], [.. credentialEntries.Values]);
    }

    /// <summary>
    /// Reads a sync window: <c>"HH:mm"</c> times, an end of <c>"24:00"</c> for midnight, the end after the start.
    /// </summary>
    public static bool TryParseWindow(SyncWindow window, out WeeklyWindow parsed)
    {
        ArgumentNullException.ThrowIfNull(window);
        parsed = default;
        if (!Enum.IsDefined(window.Day)
            || !ScheduleRules.TryParseTime(window.Start, allowEndOfDay: false, out var start)
            || !ScheduleRules.TryParseTime(window.End, allowEndOfDay: true, out var end)
            || end <= start)
        {
            return false;
        }

        parsed = new WeeklyWindow(window.Day, start, end);
        return true;
    }

    /// <summary>The sync text of a window, as <see cref="TryParseWindow"/> reads it.</summary>
    public static SyncWindow ToSyncWindow(WeeklyWindow window) =>
        new(window.Day, ScheduleRules.FormatTime(window.Start), ScheduleRules.FormatTime(window.End));
}
