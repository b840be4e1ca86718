using Gatehouse.Core.Cards;
using Gatehouse.Core.DeviceProtocol;
using Gatehouse.Core.Schedules;
using Gatehouse.Server.Data;
using Gatehouse.Server.Features.Credentials;
using Gatehouse.Server.Features.Faces;
using Gatehouse.Server.Features.Mobile;
using Gatehouse.Server.Features.Users;
using Microsoft.EntityFrameworkCore;

namespace Gatehouse.Server.Features.Devices.Gateway;

/// <summary>A device as sync needs it; <see cref="FaceKey"/> seals its face templates (null before it is claimed).</summary>
internal sealed record SyncTarget(Guid Id, SyncDevice Settings, IReadOnlyList<Guid> DoorIds, bool Online, long PublishedVersion, byte[]? FaceKey = null);

/// <summary>
/// What every device of one organization may need, read once per sync round (one query per table, untracked,
/// only the columns used) and indexed so each device's <see cref="DeviceView"/> is built from lookups.
/// </summary>
internal sealed class OrganizationSyncData
{
    private readonly Dictionary<Guid, SyncDoor> _doors;
    private readonly Dictionary<Guid, SyncSchedule> _schedules;
    private readonly Dictionary<Guid, (Guid ScheduleId, Guid[] DoorIds)> _groups;
    private readonly ILookup<Guid, Guid> _groupsOfDoor;
    private readonly ILookup<Guid, Guid> _membersOfGroup;
    private readonly ILookup<Guid, Guid> _groupsOfUser;
    private readonly Dictionary<Guid, (bool Suspended, DateTimeOffset? From, DateTimeOffset? Until)> _users;
    private readonly Dictionary<Guid, SyncCredential> _credentials;
    private readonly Dictionary<Guid, List<SyncCredential>> _credentialsOfUser;

    // The opened templates of face credentials (their SyncCredential carries only the model); sealed per device when sent.
    private readonly Dictionary<Guid, float[]> _faceVectors = [];

    private OrganizationSyncData(
        Dictionary<Guid, SyncTarget> devices,
        Dictionary<Guid, SyncDoor> doors,
        Dictionary<Guid, SyncSchedule> schedules,
        Dictionary<Guid, (Guid, Guid[])> groups,
        ILookup<Guid, Guid> groupsOfDoor,
        ILookup<Guid, Guid> membersOfGroup,
        ILookup<Guid, Guid> groupsOfUser,
        Dictionary<Guid, (bool, DateTimeOffset?, DateTimeOffset?)> users,
        IEnumerable<SyncCredential> credentials,
        IEnumerable<(SyncCredential Credential, float[] Vector)> faces)
    {
        Devices = devices;
        _doors = doors;
        _schedules = schedules;
        _groups = groups;
        _groupsOfDoor = groupsOfDoor;
        _membersOfGroup = membersOfGroup;
        _groupsOfUser = groupsOfUser;
        _users = users;
        _credentials = [];
        _credentialsOfUser = [];
        foreach (var credential in credentials)
        {
            AddCredential(credential);
        }

        foreach (var (face, vector) in faces)
        {
            AddCredential(face);
            _faceVectors[face.Id] = vector;
        }
    }

    public IReadOnlyDictionary<Guid, SyncTarget> Devices { get; }

    /// <summary>How many times this read was patched; a view built at one generation is updated only to the next.</summary>
    public int Generation { get; private set; }

    /// <summary>Reads the current organization (its query filter) from <paramref name="db"/>.</summary>
    public static async Task<OrganizationSyncData> LoadAsync(GatehouseDbContext db, DeviceFaceTemplates faceTemplates, CancellationToken ct)
    {
        var devices = await db.Devices.AsNoTracking()
            .Select(d => new { d.Id, d.Name, d.WiegandFormat, d.SecretHash, Doors = d.Doors.Select(x => x.DoorId).ToList() })
            .ToListAsync(ct);
        var states = await db.DeviceStates.AsNoTracking()
            .Select(s => new { s.DeviceId, s.Online, s.PublishedSyncVersion })
            .ToDictionaryAsync(s => s.DeviceId, ct);
        var zones = await db.Sites.AsNoTracking().Select(s => new { s.Id, s.TimeZone }).ToDictionaryAsync(s => s.Id, s => s.TimeZone, ct);
        var doors = await db.Doors.AsNoTracking().Select(d => new { d.Id, d.Name, d.SiteId }).ToListAsync(ct);
        var schedules = await db.Schedules.AsNoTracking().ToListAsync(ct);
        var groups = await db.AccessGroups.AsNoTracking().Select(g => new { g.Id, g.ScheduleId }).ToListAsync(ct);
        var groupDoors = await db.AccessGroupDoors.AsNoTracking().Select(d => new { d.AccessGroupId, d.DoorId }).ToListAsync(ct);
        var users = await db.Users.AsNoTracking().Select(u => new { u.Id, u.Status, u.ValidFrom, u.ValidUntil }).ToListAsync(ct);
        var memberships = await db.UserAccessGroups.AsNoTracking().Select(m => new { m.UserId, m.AccessGroupId }).ToListAsync(ct);
        var cards = await db.Credentials.AsNoTracking().OfType<CardCredential>()
            .Select(c => new { c.Id, c.UserId, c.Status, c.ValidFrom, c.ValidUntil, c.Identity })
            .ToListAsync(ct);
        var faces = await LoadFacesAsync(db, faceTemplates, null, ct);
        var phones = await LoadPhonesAsync(db, null, ct);

        var doorsOfGroup = groupDoors.ToLookup(d => d.AccessGroupId, d => d.DoorId);
        var cardType = DeviceNames.CredentialType(CredentialType.Card);
        return new OrganizationSyncData(
            devices.ToDictionary(
                d => d.Id,
                d => new SyncTarget(
                    d.Id,
                    new SyncDevice(d.Name, d.WiegandFormat?.ToApiName()),
                    [.. d.Doors.Order()],
                    states.TryGetValue(d.Id, out var s) && s.Online,
                    s?.PublishedSyncVersion ?? 0,
                    d.SecretHash is { Length: > 0 } hash ? FaceTemplateSeal.DeriveKey(hash, d.Id) : null)),
            doors.ToDictionary(d => d.Id, d => new SyncDoor(d.Id, d.Name, zones[d.SiteId])),
            schedules.ToDictionary(
                s => s.Id,
                s => new SyncSchedule(
                    s.Id,
                    [.. s.ToWeeklyWindows()
                        .OrderBy(w => w.Day).ThenBy(w => w.Start).ThenBy(w => w.End)
                        .Select(w => new SyncWindow(w.Day, ScheduleRules.FormatTime(w.Start), ScheduleRules.FormatTime(w.End)))],
                    [.. s.HolidayDates().Order()])),
            groups.ToDictionary(g => g.Id, g => (g.ScheduleId, doorsOfGroup[g.Id].Order().ToArray())),
            groupDoors.ToLookup(d => d.DoorId, d => d.AccessGroupId),
            memberships.ToLookup(m => m.AccessGroupId, m => m.UserId),
            memberships.ToLookup(m => m.UserId, m => m.AccessGroupId),
            users.ToDictionary(u => u.Id, u => (u.Status == UserStatus.Suspended, u.ValidFrom, u.ValidUntil)),
            cards.Select(c => new SyncCredential(c.Id, c.UserId, cardType, c.Status == CredentialStatus.Suspended, c.ValidFrom, c.ValidUntil, c.Identity))
                .Concat(phones),
            faces);
    }

    /// <summary>
    /// A copy of <paramref name="data"/> whose face credentials carry their templates sealed with <paramref name="key"/>,
    /// for one device. A face whose template is not at hand (or a device without a key) goes without one: the
    /// device cannot recognise it, which opens less.
    /// </summary>
    public SyncData SealFaces(SyncData data, byte[]? key)
    {
        if (data.Credentials is not { Count: > 0 } credentials || !credentials.Any(c => c.Face is not null))
        {
            return data;
        }

        return data with
        {
            Credentials = [.. credentials.Select(c =>
                c.Face is { } face && key is not null && _faceVectors.TryGetValue(c.Id, out var vector)
                    ? c with { Face = face with { Template = FaceTemplateSeal.Seal(key, c.Id, face.Model, vector) } }
                    : c)],
        };
    }

    private static async Task<List<(SyncCredential, float[])>> LoadFacesAsync(
        GatehouseDbContext db, DeviceFaceTemplates faceTemplates, IReadOnlyCollection<Guid>? ids, CancellationToken ct)
    {
        if (faceTemplates.CurrentModel is not { } model)
        {
            return [];
        }

        var query = db.Credentials.AsNoTracking().OfType<FaceCredential>().Where(f => f.Model == model);
        if (ids is not null)
        {
            query = query.Where(f => ids.Contains(f.Id));
        }

        var rows = await query.Select(f => new { f.Id, f.UserId, f.Status, f.ValidFrom, f.ValidUntil, f.ProtectedTemplate }).ToListAsync(ct);
        var faceType = DeviceNames.CredentialType(CredentialType.Face);
        var faces = new List<(SyncCredential, float[])>(rows.Count);
        foreach (var f in rows)
        {
            if (faceTemplates.Open(f.Id, model, f.ProtectedTemplate) is { } vector)
            {
                faces.Add((new SyncCredential(f.Id, f.UserId, faceType, f.Status == CredentialStatus.Suspended, f.ValidFrom, f.ValidUntil, Face: new SyncFace(model)), vector));
            }
        }

        return faces;
    }

    /// <summary>
    /// The activated mobile credentials (all, or those of <paramref name="ids"/>) with their phones' public keys, which
    /// a device checks offline QR tokens against. A pending one has no key and opens nothing at a door, so it is not sent.
    /// </summary>
    private static async Task<List<SyncCredential>> LoadPhonesAsync(GatehouseDbContext db, IReadOnlyCollection<Guid>? ids, CancellationToken ct)
    {
        var query = db.Credentials.AsNoTracking().OfType<MobileCredential>().Where(m => m.PublicKey != null);
        if (ids is not null)
        {
            query = query.Where(m => ids.Contains(m.Id));
        }

        var mobileType = DeviceNames.CredentialType(CredentialType.Mobile);
        return await query
            .Select(m => new SyncCredential(m.Id, m.UserId, mobileType, m.Status == CredentialStatus.Suspended, m.ValidFrom, m.ValidUntil, null, null, m.PublicKey))
            .ToListAsync(ct);
    }

    /// <summary>
    /// Reads again the given users and credentials (changed, added or removed), for a change that moved no
    /// user in or out of a group, nor any door, group or schedule: two small queries instead of the organization.
    /// </summary>
    public async Task PatchAsync(
        GatehouseDbContext db, DeviceFaceTemplates faceTemplates, IReadOnlyCollection<Guid> userIds, IReadOnlyCollection<Guid> credentialIds, CancellationToken ct)
    {
        Generation++;
        if (userIds.Count > 0)
        {
            var users = await db.Users.AsNoTracking()
                .Where(u => userIds.Contains(u.Id))
                .Select(u => new { u.Id, u.Status, u.ValidFrom, u.ValidUntil })
                .ToListAsync(ct);
            foreach (var u in users)
            {
                _users[u.Id] = (u.Status == UserStatus.Suspended, u.ValidFrom, u.ValidUntil);
            }
        }

        if (credentialIds.Count > 0)
        {
            var cards = await db.Credentials.AsNoTracking().OfType<CardCredential>()
                .Where(c => credentialIds.Contains(c.Id))
                .Select(c => new { c.Id, c.UserId, c.Status, c.ValidFrom, c.ValidUntil, c.Identity })
                .ToListAsync(ct);
            foreach (var id in credentialIds)
            {
                RemoveCredential(id);
            }

            var cardType = DeviceNames.CredentialType(CredentialType.Card);
            foreach (var c in cards)
            {
                AddCredential(new SyncCredential(c.Id, c.UserId, cardType, c.Status == CredentialStatus.Suspended, c.ValidFrom, c.ValidUntil, c.Identity));
            }

            foreach (var phone in await LoadPhonesAsync(db, credentialIds, ct))
            {
                AddCredential(phone);
            }

            foreach (var (face, vector) in await LoadFacesAsync(db, faceTemplates, credentialIds, ct))
            {
                AddCredential(face);
                _faceVectors[face.Id] = vector;
            }
        }
    }

    /// <summary>
    /// Brings <paramref name="view"/> (the device's last published view, changed in place) up to date with the
    /// given users and credentials after <see cref="PatchAsync"/>; returns the delta, or null when nothing it
    /// holds changed. Only for changes that moved nobody in or out of the view's groups.
    /// </summary>
    public SyncData? Update(DeviceView view, IEnumerable<Guid> userIds, IEnumerable<Guid> credentialIds)
    {
        List<SyncUser>? users = null;
        List<SyncCredential>? credentials = null;
        List<Guid>? removed = null;
        foreach (var userId in userIds)
        {
            if (view.Users.TryGetValue(userId, out var old) && _users.TryGetValue(userId, out var user))
            {
                var current = old with { Suspended = user.Suspended, ValidFrom = user.From, ValidUntil = user.Until };
                if (current != old)
                {
                    view.Users[userId] = current;
                    (users ??= []).Add(current);
                }
            }
        }

        foreach (var id in credentialIds)
        {
            if (_credentials.TryGetValue(id, out var card) && view.Users.ContainsKey(card.UserId))
            {
                if (!view.Credentials.TryGetValue(id, out var old) || old != card)
                {
                    view.Credentials[id] = card;
                    (credentials ??= []).Add(card);
                }
            }
            else if (view.Credentials.Remove(id))
            {
                (removed ??= []).Add(id);
            }
        }

        return users is null && credentials is null && removed is null
            ? null
            : new SyncData(Users: users, Credentials: credentials, Removed: removed is null ? null : new SyncRemovals(Credentials: removed));
    }

    /// <summary>
    /// The view of <paramref name="device"/>. Records equal to those of <paramref name="previous"/> are taken
    /// from it, so the next diff mostly compares references.
    /// </summary>
    public DeviceView ViewOf(SyncTarget device, DeviceView? previous)
    {
        var view = new DeviceView { Device = device.Settings };
        var ownDoors = new HashSet<Guid>();
        foreach (var doorId in device.DoorIds)
        {
            if (_doors.TryGetValue(doorId, out var door))
            {
                view.Doors[doorId] = Reuse(doorId, door, previous?.Doors, static (a, b) => a == b);
                ownDoors.Add(doorId);
            }
        }

        foreach (var doorId in device.DoorIds)
        {
            foreach (var groupId in _groupsOfDoor[doorId])
            {
                if (view.AccessGroups.ContainsKey(groupId) || !_groups.TryGetValue(groupId, out var group))
                {
                    continue;
                }

                var g = new SyncAccessGroup(groupId, group.ScheduleId, [.. group.DoorIds.Where(ownDoors.Contains)]);
                view.AccessGroups[groupId] = Reuse(groupId, g, previous?.AccessGroups, DeviceView.SameGroup);
                if (!view.Schedules.ContainsKey(group.ScheduleId) && _schedules.TryGetValue(group.ScheduleId, out var schedule))
                {
                    view.Schedules[group.ScheduleId] = Reuse(group.ScheduleId, schedule, previous?.Schedules, DeviceView.SameSchedule);
                }
            }
        }

        foreach (var groupId in view.AccessGroups.Keys)
        {
            foreach (var userId in _membersOfGroup[groupId])
            {
                if (view.Users.ContainsKey(userId) || !_users.TryGetValue(userId, out var user))
                {
                    continue;
                }

                var ownGroups = _groupsOfUser[userId].Where(view.AccessGroups.ContainsKey).Order().ToArray();
                var u = new SyncUser(userId, user.Suspended, ownGroups, user.From, user.Until);
                view.Users[userId] = Reuse(userId, u, previous?.Users, DeviceView.SameUser);
                foreach (var card in _credentialsOfUser.GetValueOrDefault(userId) ?? [])
                {
                    view.Credentials[card.Id] = Reuse(card.Id, card, previous?.Credentials, static (a, b) => a == b);
                }
            }
        }

        return view;
    }

    private void AddCredential(SyncCredential credential)
    {
        _credentials[credential.Id] = credential;
        if (!_credentialsOfUser.TryGetValue(credential.UserId, out var ofUser))
        {
            _credentialsOfUser[credential.UserId] = ofUser = [];
        }

        ofUser.Add(credential);
    }

    private void RemoveCredential(Guid id)
    {
        _faceVectors.Remove(id);
        if (_credentials.Remove(id, out var credential) && _credentialsOfUser.TryGetValue(credential.UserId, out var ofUser))
        {
            ofUser.RemoveAll(c => c.Id == id);
        }
    }

    private static T Reuse<T>(Guid id, T current, Dictionary<Guid, T>? previous, Func<T, T, bool> same)
        where T : class =>
        previous is not null && previous.TryGetValue(id, out var old) && same(current, old) ? old : current;
}
