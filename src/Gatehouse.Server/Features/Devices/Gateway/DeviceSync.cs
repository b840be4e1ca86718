using System.Collections.Concurrent;
using System.Text.Json;
using Gatehouse.Core.DeviceProtocol;
using Gatehouse.Server.Features.Faces;
using Gatehouse.Server.Data;
using Gatehouse.Server.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Gatehouse.Server.Features.Devices.Gateway;

/// <summary>
/// Keeps every online device's store equal to what its doors need (<see cref="DeviceView"/>). Versions are per
/// device: each publish is the last published version plus one, persisted in
/// <see cref="DeviceState.PublishedSyncVersion"/> before it goes out. The last view published to each device is
/// kept in memory; a change to an organization (gathered for a few milliseconds) reads the organization once —
/// or, when only users' and cards' own fields changed, just those rows — and each online device whose view
/// changed gets a delta. What a device needs after it reports is decided by <see cref="SyncDecision"/>: a device
/// the server holds no view for, one that asks, one reporting a version off the server's chain, or one still
/// behind at two periodic checks (a delta lost without it knowing; <see cref="DeviceVersionCheck"/>) gets a full
/// snapshot in parts.
/// All work for one organization runs on one worker at a time, so a device's messages never interleave.
/// </summary>
internal sealed partial class DeviceSync(
    IServiceScopeFactory scopes,
    GatewayConnection connection,
    IOptions<MqttOptions> options,
    DeviceFaceTemplates faceTemplates,
    ILogger<DeviceSync> logger) : IOrganizationChangeListener
{
    private readonly ConcurrentDictionary<Guid, Organization> _organizations = new();
    private readonly ConcurrentDictionary<Guid, Tracked> _devices = new();

    /// <summary>
    /// Something a device's view is built from changed in an organization and is visible to other readers (the save,
    /// or its transaction, went through). When only users' and credentials' own fields changed, the round reads just
    /// those rows again; anything else, or a user removed (whose memberships go with it), is read whole.
    /// </summary>
    public void OnChanged(OrganizationChanged change)
    {
        var kinds = change.Kinds & (ChangeKinds.Access | ChangeKinds.Devices);
        if (change.Stage != ChangeStage.Committed || kinds == ChangeKinds.None)
        {
            return;
        }

        if (change.OrganizationId is not { } organizationId)
        {
            // Whose change it was is unknown: every organization with devices is read again.
            foreach (var (id, each) in _organizations)
            {
                Schedule(id, each, w => w.Structural = true);
            }

            return;
        }

        // Organizations no device has spoken to since the start have nobody to sync.
        if (_organizations.TryGetValue(organizationId, out var organization))
        {
            var structural = (kinds & ~(ChangeKinds.Users | ChangeKinds.Credentials)) != ChangeKinds.None;
            Schedule(organizationId, organization, w =>
            {
                w.Structural |= structural;
                w.Users.UnionWith(change.Users);
                w.Credentials.UnionWith(change.Credentials);
            });
        }
    }

    /// <summary>The device asked for a full snapshot (it has none, or saw a gap).</summary>
    public void RequestSnapshot(Guid organizationId, Guid deviceId)
    {
        var device = Track(organizationId, deviceId);
        lock (device)
        {
            device.Pending = true;
        }

        Schedule(organizationId, OrganizationOf(organizationId), w => w.Snapshots.Add(deviceId));
    }

    /// <summary>
    /// The device reported its state; <see cref="SyncDecision"/> says what it needs. Coming online, or unknown to
    /// this run of the server, it is synced: a delta of what changed while it was away when it still holds what was
    /// last published, else a snapshot. While online, a version behind the last published one but not behind what it
    /// held when that was sent is a delta on its way; anything else is off the chain and gets a snapshot.
    /// </summary>
    public void OnStatus(Guid organizationId, Guid deviceId, DeviceStatus status, bool wasOnline)
    {
        var device = Track(organizationId, deviceId);
        SyncAction action;
        lock (device)
        {
            device.Reported = status.SyncVersion;
            device.Online = status.Online;
            if (!status.Online || device.Pending)
            {
                return;
            }

            action = Decide(device, device.Versions(wasOnline, checking: false));
        }

        Arrange(organizationId, deviceId, action);
    }

    /// <summary>
    /// The periodic version check. A device that reported a version behind the published one (on the chain, so taken
    /// for a delta on its way) at the last check and still does has lost that delta without knowing: its next delta
    /// would show it the gap, but the organization may not change again for a long time. It gets a snapshot.
    /// </summary>
    public void CheckVersions()
    {
        foreach (var device in _devices.Values)
        {
            SyncAction action;
            lock (device)
            {
                var versions = device.Versions(followed: true, checking: true);
                if (!device.Online || device.Pending || !SyncDecision.IsWaitingForDelta(versions))
                {
                    device.Behind = null;
                    continue;
                }

                if (!versions.BehindSinceLastCheck)
                {
                    device.Behind = (device.Reported, device.Published);
                    continue;
                }

                action = Decide(device, versions);
            }

            Arrange(device.OrganizationId, device.DeviceId, action);
        }
    }

    /// <summary>
    /// The server's client reconnected: what was in flight may be lost (a broker restart), so the next status of
    /// each device is taken at its word.
    /// </summary>
    public void OnServerReconnected()
    {
        foreach (var device in _devices.Values)
        {
            lock (device)
            {
                device.Unconfirmed = true;
            }
        }
    }

    /// <summary>The device is gone (removed, or claimed anew): forget what it held.</summary>
    public void Forget(Guid deviceId) => _devices.TryRemove(deviceId, out _);

    // Under the device's lock: a device that needs something waits for it before its next status counts.
    private static SyncAction Decide(Tracked device, DeviceVersions versions)
    {
        var decision = SyncDecision.For(versions);
        device.Floor = decision.Floor;
        if (decision.Action != SyncAction.Nothing)
        {
            device.Pending = true;
            device.Unconfirmed = false;
            device.Behind = null;
        }

        return decision.Action;
    }

    // A snapshot is always built from a fresh read of the organization; a delta may patch the last one.
    private void Arrange(Guid organizationId, Guid deviceId, SyncAction action)
    {
        if (action != SyncAction.Nothing)
        {
            Schedule(organizationId, OrganizationOf(organizationId), w => (action == SyncAction.Snapshot ? w.Snapshots : w.Checks).Add(deviceId));
        }
    }

    private Tracked Track(Guid organizationId, Guid deviceId) =>
        _devices.GetOrAdd(deviceId, static (id, org) => new Tracked(org, id), organizationId);

    private Organization OrganizationOf(Guid organizationId) =>
        _organizations.GetOrAdd(organizationId, static _ => new Organization());

    private void Schedule(Guid organizationId, Organization organization, Action<Organization> mark)
    {
        lock (organization)
        {
            mark(organization);
            if (organization.Running)
            {
                return;
            }

            organization.Running = true;
        }

        _ = Task.Run(() => RunAsync(organizationId, organization));
    }

    private async Task RunAsync(Guid organizationId, Organization organization)
    {
        while (true)
        {
            // Gathers a burst of saves into one round. Real time: this waits for other writers, not for a time of day.
            var coalesce = options.Value.SyncCoalesceMilliseconds;
            if (coalesce > 0)
            {
                await Task.Delay(coalesce);
            }

            Round round;
            lock (organization)
            {
                if (!organization.Structural && organization.Users.Count == 0 && organization.Credentials.Count == 0
                    && organization.Snapshots.Count == 0 && organization.Checks.Count == 0)
                {
                    organization.Running = false;
                    return;
                }

                round = new Round(
                    organization.Structural, [.. organization.Users], [.. organization.Credentials], [.. organization.Snapshots], [.. organization.Checks]);
                organization.Structural = false;
                organization.Users.Clear();
                organization.Credentials.Clear();
                organization.Snapshots.Clear();
                organization.Checks.Clear();
            }

            try
            {
                await SyncAsync(organizationId, organization, round);
            }
            catch (Exception ex)
            {
                LogRoundFailed(logger, ex, organizationId);
                organization.Data = null;

                // What the devices hold is now uncertain: the next round sends them snapshots.
                foreach (var id in round.Snapshots.Concat(round.Checks))
                {
                    if (_devices.TryGetValue(id, out var device))
                    {
                        lock (device)
                        {
                            device.Last = null;
                            device.Pending = false;
                        }
                    }
                }
            }
        }
    }

    private async Task SyncAsync(Guid organizationId, Organization organization, Round round)
    {
        await using var scope = scopes.CreateAsyncScope();
        scope.ServiceProvider.GetRequiredService<CurrentOrganization>().Set(organizationId);
        var db = scope.ServiceProvider.GetRequiredService<GatehouseDbContext>();

        // A snapshot is how a device recovers, so it is always built from a fresh read; so is any change to who
        // may open which door. Changes to users' and cards' own fields patch the last read.
        var data = organization.Data;
        var patch = data is not null && !round.Structural && round.Snapshots.Count == 0;
        if (patch)
        {
            await data!.PatchAsync(db, faceTemplates, round.Users, round.Credentials, CancellationToken.None);
        }
        else
        {
            organization.Data = data = await OrganizationSyncData.LoadAsync(db, faceTemplates, CancellationToken.None);
            foreach (var gone in _devices.Values.Where(d => d.OrganizationId == organizationId && !data.Devices.ContainsKey(d.DeviceId)))
            {
                _devices.TryRemove(gone.DeviceId, out _);
            }
        }

        var changed = round.Structural || round.Users.Count > 0 || round.Credentials.Count > 0;
        var sends = new List<Send>();
        foreach (var target in data!.Devices.Values)
        {
            if (!_devices.TryGetValue(target.Id, out var device))
            {
                continue;
            }

            var asked = round.Snapshots.Contains(target.Id);
            var checking = round.Checks.Contains(target.Id);
            DeviceView? last;
            bool full;
            bool inStep;
            lock (device)
            {
                if (!asked && !checking && !(changed && device.Online))
                {
                    continue;
                }

                if (device.Published < 0)
                {
                    device.Published = target.PublishedVersion;
                }

                last = device.Last;
                full = asked || last is null
                    || (checking && SyncDecision.TakenAtItsWord(device.Reported, device.Published, hasView: true) == SyncAction.Snapshot);

                // The last view was brought up to the read just before this patch: only the patched rows can differ.
                inStep = patch && ReferenceEquals(device.Data, data) && device.Generation == data.Generation - 1;
                device.Data = data;
                device.Generation = data.Generation;
            }

            if (full)
            {
                sends.Add(new Send(device, data.ViewOf(target, last), null));
                continue;
            }

            // Updated in place; should the publish fail, the view is dropped and the device gets a snapshot.
            var view = inStep ? last! : data.ViewOf(target, last);
            var delta = inStep ? data.Update(view, round.Users, round.Credentials) : view.DiffFrom(last!);
            if (delta is not null)
            {
                // A delta heavier than a snapshot's part (many users or faces at once) goes as a snapshot in parts
                // instead: one message must stay far below the broker's packet limit once templates are sealed in.
                sends.Add(new Send(device, view, DeviceView.Weight(delta) > options.Value.SnapshotPartSize ? null : delta));
            }
            else
            {
                lock (device)
                {
                    device.Pending = false;
                }
            }
        }

        // Every version of the round in one transaction: on SQLite each commit waits for the disk, and a change
        // that reaches fifty devices must not wait for fifty commits before the last of them hears of it.
        HashSet<Guid> removed;
        try
        {
            removed = await PersistAsync(db, [.. sends.Select(send => (send.Device.DeviceId, send.Device.Published + 1))]);
        }
        catch
        {
            // Nothing went out, but views may have been updated in place: these devices get snapshots next time.
            foreach (var send in sends)
            {
                lock (send.Device)
                {
                    send.Device.Last = null;
                    send.Device.Pending = false;
                }
            }

            throw;
        }

        foreach (var send in sends)
        {
            if (removed.Contains(send.Device.DeviceId))
            {
                _devices.TryRemove(send.Device.DeviceId, out _);
            }
            else
            {
                // Face templates are sealed for this device only as they go out; the views keep just their models.
                var key = data.Devices.TryGetValue(send.Device.DeviceId, out var target) ? target.FaceKey : null;
                if (send.Delta is { } delta)
                {
                    await PublishDeltaAsync(organizationId, send.Device, send.View, data.SealFaces(delta, key));
                }
                else
                {
                    await PublishSnapshotAsync(organizationId, send.Device, send.View, part => data.SealFaces(part, key));
                }
            }
        }
    }

    private async Task PublishSnapshotAsync(Guid organizationId, Tracked device, DeviceView view, Func<SyncData, SyncData> seal)
    {
        var deviceId = device.DeviceId;
        var version = device.Published + 1;
        var parts = view.ToSnapshotParts(options.Value.SnapshotPartSize);
        var topic = DeviceTopics.For(organizationId, deviceId, DeviceTopics.Sync);
        var sent = true;
        for (var i = 0; i < parts.Count && sent; i++)
        {
            sent = await PublishAsync(topic, new SyncMessage(SyncKind.Snapshot, version, 0, i, parts.Count, seal(parts[i])));
        }

        lock (device)
        {
            device.Published = version;
            device.Last = sent ? view : null;
            device.Floor = device.Reported;
            device.Pending = false;
        }

        if (sent)
        {
            LogSnapshot(logger, deviceId, version, parts.Count, view.RecordCount);
        }
    }

    private async Task PublishDeltaAsync(Guid organizationId, Tracked device, DeviceView view, SyncData delta)
    {
        var deviceId = device.DeviceId;
        var from = device.Published;
        var version = from + 1;
        var sent = await PublishAsync(
            DeviceTopics.For(organizationId, deviceId, DeviceTopics.Sync),
            new SyncMessage(SyncKind.Delta, version, from, 0, 1, delta));
        lock (device)
        {
            device.Published = version;

            // Unsent, the device will see a gap at the next delta; without a view the next round sends a snapshot instead.
            device.Last = sent ? view : null;
            device.Pending = false;
        }

        if (sent)
        {
            LogDelta(logger, deviceId, from, version);
        }
    }

    private async Task<bool> PublishAsync(string topic, SyncMessage message)
    {
        var payload = JsonSerializer.SerializeToUtf8Bytes(message, DeviceProtocolJson.Default.SyncMessage);
        return await connection.PublishAsync(topic, payload, CancellationToken.None);
    }

    // Persisted before publishing: a version the device may hold is never handed out again after a restart.
    private static async Task<HashSet<Guid>> PersistAsync(GatehouseDbContext db, List<(Guid DeviceId, long Version)> versions)
    {
        var gone = new HashSet<Guid>();
        if (versions.Count == 0)
        {
            return gone;
        }

        var missing = new List<(Guid DeviceId, long Version)>();
        await using (var transaction = await db.Database.BeginTransactionAsync())
        {
            foreach (var (deviceId, version) in versions)
            {
                var updated = await db.DeviceStates.Where(s => s.DeviceId == deviceId)
                    .ExecuteUpdateAsync(s => s.SetProperty(x => x.PublishedSyncVersion, version));
                if (updated == 0)
                {
                    missing.Add((deviceId, version));
                }
            }

            await transaction.CommitAsync();
        }

        if (missing.Count == 0)
        {
            return gone;
        }

        // A device that has never reported has no state row yet, and its first status may be creating it now. One
        // removed since the round read the organization has none either, and is sent nothing.
        var ids = missing.Select(m => m.DeviceId).ToList();
        var present = (await db.Devices.Where(d => ids.Contains(d.Id)).Select(d => d.Id).ToListAsync()).ToHashSet();
        foreach (var (deviceId, version) in missing)
        {
            if (present.Contains(deviceId))
            {
                await PersistOneAsync(db, deviceId, version);
            }
            else
            {
                gone.Add(deviceId);
            }
        }

        return gone;
    }

    private static async Task PersistOneAsync(GatehouseDbContext db, Guid deviceId, long version)
    {
        var updated = await db.DeviceStates.Where(s => s.DeviceId == deviceId)
            .ExecuteUpdateAsync(s => s.SetProperty(x => x.PublishedSyncVersion, version));
        if (updated > 0)
        {
            return;
        }

        var state = new DeviceState { DeviceId = deviceId, PublishedSyncVersion = version };
        db.DeviceStates.Add(state);
        try
        {
            await db.SaveChangesAsync();
        }
        catch (DbUpdateException ex) when (ex.IsUniqueViolation())
        {
            // The device's first status created the row meanwhile.
            db.Entry(state).State = EntityState.Detached;
            await db.DeviceStates.Where(s => s.DeviceId == deviceId)
                .ExecuteUpdateAsync(s => s.SetProperty(x => x.PublishedSyncVersion, version));
        }
        finally
        {
            db.ChangeTracker.Clear();
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Sent device {DeviceId} snapshot {Version} in {Parts} parts ({Records} records)")]
    private static partial void LogSnapshot(ILogger logger, Guid deviceId, long version, int parts, int records);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Sent device {DeviceId} the delta from {From} to {Version}")]
    private static partial void LogDelta(ILogger logger, Guid deviceId, long from, long version);

    [LoggerMessage(Level = LogLevel.Error, Message = "Syncing the devices of organization {OrganizationId} failed; they get snapshots next time")]
    private static partial void LogRoundFailed(ILogger logger, Exception exception, Guid organizationId);

    /// <summary>What a round sends one device: its new view, and the delta to it (null: a full snapshot).</summary>
    private sealed record Send(Tracked Device, DeviceView View, SyncData? Delta);

    private sealed record Round(bool Structural, HashSet<Guid> Users, HashSet<Guid> Credentials, HashSet<Guid> Snapshots, HashSet<Guid> Checks);

    private sealed class Organization
    {
        public bool Running { get; set; }

        /// <summary>Something besides users' and credentials' own fields changed: the next round reads everything.</summary>
        public bool Structural { get; set; }

        public HashSet<Guid> Users { get; } = [];

        public HashSet<Guid> Credentials { get; } = [];

        /// <summary>The last read of the organization, patched by rounds that change only users and credentials.</summary>
        public OrganizationSyncData? Data { get; set; }

        public HashSet<Guid> Snapshots { get; } = [];

        public HashSet<Guid> Checks { get; } = [];
    }

    /// <summary>What the server knows of one device's store. Guarded by locking the instance.</summary>
    private sealed class Tracked(Guid organizationId, Guid deviceId)
    {
        public Guid OrganizationId { get; } = organizationId;

        public Guid DeviceId { get; } = deviceId;

        /// <summary>The view last published; null when none is known to have arrived.</summary>
        public DeviceView? Last { get; set; }

        /// <summary>The organization read (and its generation) that <see cref="Last"/> was last brought up to.</summary>
        public OrganizationSyncData? Data { get; set; }

        public int Generation { get; set; }

        /// <summary>The last version published (as persisted); -1 until read from the store.</summary>
        public long Published { get; set; } = -1;

        /// <summary>The lowest version the device may still report without being off the chain.</summary>
        public long Floor { get; set; }

        public long Reported { get; set; }

        public bool Online { get; set; }

        /// <summary>A snapshot or check is scheduled; further statuses wait for it.</summary>
        public bool Pending { get; set; }

        /// <summary>The server's client reconnected since the device last reported.</summary>
        public bool Unconfirmed { get; set; }

        /// <summary>The reported and published versions at the last periodic check, when the device was behind.</summary>
        public (long Reported, long Published)? Behind { get; set; }

        public DeviceVersions Versions(bool followed, bool checking) => new(
            Reported, Published, Floor, Last is not null, followed && !Unconfirmed, checking && Behind == (Reported, Published));
    }
}
