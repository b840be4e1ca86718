using Gatehouse.Core.Decisions;
using Gatehouse.Core.DeviceProtocol;
using Gatehouse.Server.Data;
using Gatehouse.Server.Features.Credentials;
using Gatehouse.Server.Features.Events;
using Microsoft.EntityFrameworkCore;

namespace Gatehouse.Server.Features.Devices.Gateway;

/// <summary>One device's batch once checked: the events to store, and how many were refused.</summary>
internal sealed record CheckedBatch(DeviceMessage Message, IReadOnlyList<Guid> Ids, IReadOnlyList<AccessEvent> Accepted, int Rejected);

/// <summary>
/// What a device may report, checked against the store: an event names one of the device's own doors; its user
/// and credential belong to the device's organization (and the credential to the user, with its kind); a
/// remote unlock or Cloud Key unlock matches an unlock command the server sent to that device for that door;
/// and it happened no later than a little after now (clock drift) and no earlier than the longest a device
/// keeps events offline. Everything a round of batches names is read in a few queries, once.
/// </summary>
internal sealed class DeviceEventCheck
{
    private readonly Guid _organizationId;
    private readonly Dictionary<Guid, string> _doorNames;
    private readonly Dictionary<Guid, string> _userNames;
    private readonly Dictionary<Guid, (Guid UserId, CredentialType Type)> _credentials;
    private readonly Dictionary<Guid, RemoteUnlockCommand> _commands;
    private readonly DateTimeOffset _earliest;
    private readonly DateTimeOffset _latest;

    private DeviceEventCheck(
        Guid organizationId,
        Dictionary<Guid, string> doorNames,
        Dictionary<Guid, string> userNames,
        Dictionary<Guid, (Guid UserId, CredentialType Type)> credentials,
        Dictionary<Guid, RemoteUnlockCommand> commands,
        DateTimeOffset earliest,
        DateTimeOffset latest)
    {
        _organizationId = organizationId;
        _doorNames = doorNames;
        _userNames = userNames;
        _credentials = credentials;
        _commands = commands;
        _earliest = earliest;
        _latest = latest;
    }

    /// <summary>Reads what the events of <paramref name="batches"/> name, in the current organization.</summary>
    public static async Task<DeviceEventCheck> LoadAsync(
        GatehouseDbContext db,
        Guid organizationId,
        IEnumerable<EventBatch> batches,
        IEnumerable<Guid> doorIds,
        DateTimeOffset now,
        DeviceOptions options,
        CancellationToken ct)
    {
        var events = batches.SelectMany(b => b.Events ?? []).OfType<DeviceEvent>().ToList();
        var doors = doorIds.Distinct().ToList();
        var userIds = events.Select(e => e.UserId).OfType<Guid>().Distinct().ToList();
        var credentialIds = events.Select(e => e.CredentialId).OfType<Guid>().Distinct().ToList();
        var commandIds = events.Where(e => IsServerUnlock(e.CredentialType)).Select(e => e.Id).Distinct().ToList();

        var doorNames = await db.Doors.AsNoTracking().Where(d => doors.Contains(d.Id)).ToDictionaryAsync(d => d.Id, d => d.Name, ct);
        var userNames = userIds.Count == 0 ? [] : await db.Users.AsNoTracking()
            .Where(u => userIds.Contains(u.Id))
            .Select(u => new { u.Id, u.FirstName, u.LastName })
            .ToDictionaryAsync(u => u.Id, u => $"{u.FirstName} {u.LastName}", ct);
        var credentials = credentialIds.Count == 0 ? [] : await db.Credentials.AsNoTracking()
            .Where(c => credentialIds.Contains(c.Id))
            .Select(c => new { c.Id, c.UserId, c.Type })
            .ToDictionaryAsync(c => c.Id, c => (c.UserId, c.Type), ct);
        var commands = commandIds.Count == 0 ? [] : await db.RemoteUnlockCommands.AsNoTracking()
            .Where(c => commandIds.Contains(c.Id))
            .ToDictionaryAsync(c => c.Id, ct);
        return new DeviceEventCheck(
            organizationId, doorNames, userNames, credentials, commands, now - options.MaxEventAge, now + options.MaxEventClockSkew);
    }

    /// <summary>
    /// Checks one device's batch: the events to store, and why each refused one was refused (for the log).
    /// Nothing in the batch can throw here; a null event is refused like any other bad one.
    /// </summary>
    public CheckedBatch Check(DeviceMessage message, EventBatch batch, HashSet<Guid> doors, Action<Guid, string> refused)
    {
        var ids = new List<Guid>();
        var accepted = new List<AccessEvent>();
        var rejected = 0;
        foreach (var e in batch.Events ?? [])
        {
            if (e is null)
            {
                rejected++;
                refused(Guid.Empty, "the event is empty");
                continue;
            }

            if (e.Id != Guid.Empty)
            {
                ids.Add(e.Id);
            }

            if (Accept(e, message.DeviceId, doors, out var why) is { } stored)
            {
                accepted.Add(stored);
            }
            else
            {
                rejected++;
                refused(e.Id, why);
            }
        }

        return new CheckedBatch(message, ids, accepted, rejected);
    }

    private AccessEvent? Accept(DeviceEvent e, Guid deviceId, HashSet<Guid> doors, out string why)
    {
        why = "";
        if (e.Id == Guid.Empty)
        {
            why = "it has no ID";
            return null;
        }

        if (!doors.Contains(e.DoorId) || !_doorNames.TryGetValue(e.DoorId, out var doorName))
        {
            why = $"door {e.DoorId} is not one of the device's doors";
            return null;
        }

        var at = e.OccurredAt.ToUniversalTime();
        if (at > _latest)
        {
            why = $"it is dated {at:u}, ahead of the server's clock";
            return null;
        }

        if (at < _earliest)
        {
            why = $"it is dated {at:u}, older than events are kept on a device";
            return null;
        }

        if (!AccessReasons.TryParse(e.Reason, out var reason))
        {
            why = $"the reason \"{Shorten(e.Reason)}\" is unknown";
            return null;
        }

        if (e.Granted != (reason == AccessReason.Granted))
        {
            why = $"granted is {e.Granted} with the reason {Shorten(e.Reason)}";
            return null;
        }

        if (IsServerUnlock(e.CredentialType))
        {
            // Only the server opens a door this way: the device reports the command it was sent, and the event
            // carries what the server knows of it (who, with which key), not what the device says.
            if (!e.Granted || !_commands.TryGetValue(e.Id, out var command) || command.DeviceId != deviceId || command.DoorId != e.DoorId)
            {
                why = "no such unlock command was sent to the device for that door";
                return null;
            }

            return command.ToEvent(at);
        }

        if (!DeviceNames.TryParseCredentialType(e.CredentialType, out var type))
        {
            why = $"the credential type \"{Shorten(e.CredentialType)}\" is unknown";
            return null;
        }

        if (e.CredentialId is { } credentialId
            && (!_credentials.TryGetValue(credentialId, out var credential) || credential.Type != type || (e.UserId is { } owner && owner != credential.UserId)))
        {
            why = $"credential {credentialId} is not a {Shorten(e.CredentialType)} of the user in the organization";
            return null;
        }

        string? userName = null;
        if (e.UserId is { } user && !_userNames.TryGetValue(user, out userName))
        {
            why = $"user {user} is not in the organization";
            return null;
        }

        return new AccessEvent
        {
            Id = e.Id,
            OrganizationId = _organizationId,
            OccurredAt = at,
            DoorId = e.DoorId,
            DoorName = doorName,
            UserId = e.UserId,
            UserName = userName,
            CredentialId = e.CredentialId,
            CredentialType = type,
            Granted = e.Granted,
            Reason = reason,
            Source = AccessEventSource.Device,
            DeviceId = deviceId,

            // Only a face's, and only plausible values: a score is a cosine similarity, liveness a probability.
            Score = type == CredentialType.Face && e.Score is { } score && float.IsFinite(score) && score is >= -1 and <= 1 ? score : null,
            Liveness = type == CredentialType.Face && e.Liveness is { } live && float.IsFinite(live) && live is >= 0 and <= 1 ? live : null,
        };
    }

    /// <summary>A kind only a server command opens a door with: a remote unlock, or a Cloud Key's (sent as one).</summary>
    private static bool IsServerUnlock(string? credentialType) =>
        credentialType is DeviceEvent.RemoteUnlock or "cloudKey";

    private static string Shorten(string? text) => text is null ? "" : text.Length <= 40 ? text : text[..40] + "…";
}
