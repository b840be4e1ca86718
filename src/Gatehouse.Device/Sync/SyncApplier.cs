using System.ComponentModel.DataAnnotations;
using Gatehouse.Core.Decisions;
using Gatehouse.Core.DeviceProtocol;
using Gatehouse.Core.Mobile;
using Gatehouse.Device.Store;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Gatehouse.Device.Sync;

/// <summary>Options of sync: <c>Gatehouse:Device</c>.</summary>
internal sealed class SyncOptions
{
    public const string Section = "Gatehouse:Device";

    /// <summary>How long the parts of a snapshot may take to arrive, counted from the last part received, before the device asks again.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "01:00:00")]
    public TimeSpan SnapshotPartTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>How long the device waits for an answer to a sync request before it asks again.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "01:00:00")]
    public TimeSpan SyncRequestInterval { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>The most parts a snapshot may have; more is a bad message.</summary>
    [Range(1, 1_000_000)]
    public int MaxSnapshotParts { get; set; } = 10_000;
}

/// <summary>What became of a sync message.</summary>
internal enum SyncOutcome
{
    /// <summary>The store moved to the message's version.</summary>
    Applied,

    /// <summary>A snapshot part was kept until the others arrive.</summary>
    Collected,

    /// <summary>The store already has this version or a later one (a resent or late message).</summary>
    Ignored,

    /// <summary>The message does not follow the store's version (or is not a valid message): a snapshot is needed.</summary>
    Gap,
}

/// <summary>The outcome of a sync message and, when the device must ask for a snapshot, the request to publish.</summary>
internal sealed record SyncResult(SyncOutcome Outcome, SyncRequest? Request = null);

/// <summary>
/// Applies sync messages to the device's store and swaps in a new <see cref="AccessView"/> after each
/// change. Snapshot parts are collected by version until all have arrived, then replace the store in one
/// transaction; a delta applies only to the version it starts from; anything that does not follow is a gap,
/// answered with a <see cref="SyncRequest"/> (at most once per <see cref="SyncOptions.SyncRequestInterval"/>).
/// Messages are handled one at a time, by the MQTT link's receive loop.
/// </summary>
internal sealed partial class SyncApplier(
    DeviceStore store, AccessEngine engine, TimeProvider clock, IOptions<SyncOptions> options, ILogger<SyncApplier> logger, DeviceFaceKey? faceKey = null)
{
    private readonly SyncOptions _options = options.Value;
    private readonly Dictionary<Guid, (string Sealed, float[] Vector)> _openedFaces = [];
    private readonly Dictionary<string, byte[]> _readKeys = new(StringComparer.Ordinal);
    private readonly Lock _gate = new();
    private StoreContents _contents = new();
    private PendingSnapshot? _pending;
    private DateTimeOffset? _lastRequestAt;
    private string? _needsSnapshot = "no store yet";

    /// <summary>The version the store is at; 0 before the first snapshot.</summary>
    public long Version
    {
        get
        {
            lock (_gate)
            {
                return _contents.Version;
            }
        }
    }

    /// <summary>Reads the store and puts its view in place (at start-up).</summary>
    public void Load()
    {
        lock (_gate)
        {
            _contents = store.Load();
            _needsSnapshot = _contents.Version == 0 ? "no store yet" : null;
            Rebuild();
        }
    }

    /// <summary>
    /// On each connection: a device without a store, or one that saw a gap and has not had its snapshot yet,
    /// asks for a snapshot at once.
    /// </summary>
    public SyncRequest? OnConnected()
    {
        lock (_gate)
        {
            if (_needsSnapshot is null)
            {
                return null;
            }

            _lastRequestAt = null;
            return Request(_needsSnapshot);
        }
    }

    public SyncResult Handle(SyncMessage message)
    {
        lock (_gate)
        {
            try
            {
                return message.Kind switch
                {
                    SyncKind.Snapshot => HandleSnapshotPart(message),
                    SyncKind.Delta => HandleDelta(message),
                    _ => Gap($"unknown sync kind {message.Kind}"),
                };
            }
            catch (Microsoft.Data.Sqlite.SqliteException e)
            {
                // The transaction rolled back, so the store is still whole at its version; the change is lost
                // with the acknowledged message, so ask for everything again.
                _pending = null;
                LogStoreFailed(logger, message.Version, e.Message);
                return Gap("the store could not be written");
            }
        }
    }

    /// <summary>
    /// Called every second or so while connected: a snapshot whose parts stopped arriving is dropped and asked
    /// for again, and so is a snapshot asked for that never came.
    /// </summary>
    public SyncRequest? CheckTimeouts()
    {
        lock (_gate)
        {
            if (_pending is not null)
            {
                if (clock.GetUtcNow() - _pending.LastPartAt < _options.SnapshotPartTimeout)
                {
                    return null;
                }

                LogSnapshotIncomplete(logger, _pending.Version, _pending.Parts.Count, _pending.Total);
                _needsSnapshot = $"snapshot {_pending.Version} incomplete: {_pending.Parts.Count} of {_pending.Total} parts";
                _pending = null;
                _lastRequestAt = null;
            }

            return _needsSnapshot is null ? null : Request(_needsSnapshot);
        }
    }

    private SyncResult HandleSnapshotPart(SyncMessage message)
    {
        if (message.Version <= _contents.Version)
        {
            return new SyncResult(SyncOutcome.Ignored);
        }

        // Parts count from 0; numbering from 1 is read too, since all that matters is that every part of the
        // version has arrived once.
        if (message.Parts < 1 || message.Parts > _options.MaxSnapshotParts || message.Part < 0 || message.Part > message.Parts)
        {
            return Gap($"snapshot {message.Version} has part {message.Part} of {message.Parts}");
        }

        if (_pending is not null && message.Version < _pending.Version)
        {
            return new SyncResult(SyncOutcome.Ignored);
        }

        if (_pending is null || message.Version > _pending.Version || message.Parts != _pending.Total)
        {
            _pending = new PendingSnapshot(message.Version, message.Parts);
        }

        _pending.Parts[message.Part] = message.Data;
        _pending.LastPartAt = clock.GetUtcNow();
        if (_pending.Parts.Count < _pending.Total)
        {
            return new SyncResult(SyncOutcome.Collected);
        }

        var complete = _pending;
        _pending = null;
        var contents = StoreContents.FromSnapshot(complete.Version, complete.Parts.OrderBy(p => p.Key).Select(p => p.Value));
        store.ReplaceAll(contents);
        _contents = contents;
        _lastRequestAt = null;
        _needsSnapshot = null;
        Rebuild();
        LogSnapshotApplied(logger, contents.Version, contents.Doors.Count, contents.Users.Count, contents.Credentials.Count);
        return new SyncResult(SyncOutcome.Applied);
    }

    private SyncResult HandleDelta(SyncMessage message)
    {
        if (message.Version <= _contents.Version)
        {
            return new SyncResult(SyncOutcome.Ignored);
        }

        if (message.FromVersion != _contents.Version)
        {
            return Gap($"delta from {message.FromVersion} to {message.Version} while at {_contents.Version}");
        }

        if (!store.ApplyDelta(message.FromVersion, message.Version, message.Data))
        {
            // The file and memory disagree (the file was changed under the agent): trust neither, start over.
            _contents = store.Load();
            Rebuild();
            return Gap($"store on disk not at {message.FromVersion}");
        }

        _contents.Apply(message.Data);
        _contents.Version = message.Version;
        _lastRequestAt = null;
        _needsSnapshot = null;
        Rebuild();
        LogDeltaApplied(logger, message.FromVersion, message.Version);
        return new SyncResult(SyncOutcome.Applied);
    }

    private SyncResult Gap(string reason)
    {
        LogGap(logger, _contents.Version, reason);
        _needsSnapshot = reason;
        return new SyncResult(SyncOutcome.Gap, Request(reason));
    }

    private SyncRequest? Request(string reason)
    {
        var now = clock.GetUtcNow();
        if (_lastRequestAt is { } last && now - last < _options.SyncRequestInterval)
        {
            return null;
        }

        _lastRequestAt = now;
        return new SyncRequest(_contents.Version, reason);
    }

    private void Rebuild()
    {
        var problems = new List<string>();
        var snapshot = AccessSnapshot.Build(_contents.ToSnapshotSource(problems), clock);
        foreach (var problem in problems)
        {
            LogRecordLeftOut(logger, _contents.Version, problem);
        }

        // Templates stay sealed in the store and in StoreContents; only the gallery holds them opened.
        var (faces, otherModel, unopened) = FaceGallery.Open(_contents.Credentials.Values.Where(c => c.Face is not null && _contents.Users.ContainsKey(c.UserId)), faceKey, _openedFaces);
        if (otherModel > 0 || unopened > 0)
        {
            LogFacesLeftOut(logger, _contents.Version, otherModel, faceKey?.Model ?? "none", unopened);
        }

        engine.Publish(new AccessView(_contents.Version, _contents.Device, [.. _contents.Doors], snapshot) { Faces = faces, PhoneKeys = PhoneKeys() });
    }

    /// <summary>
    /// The phone keys of the mobile credentials whose user is synced. A key that is not a P-256 point is left out (its
    /// phone's codes then answer <c>unknownCredential</c>); keys read before are not checked again on every delta.
    /// </summary>
    private Dictionary<Guid, PhoneKey> PhoneKeys()
    {
        var keys = new Dictionary<Guid, PhoneKey>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var credential in _contents.Credentials.Values)
        {
            if (credential.Type != SyncSnapshotSource.MobileType || credential.MobileKey is not { } text || !_contents.Users.ContainsKey(credential.UserId))
            {
                continue;
            }

            if (!_readKeys.TryGetValue(text, out var key))
            {
                if (!MobileKeys.TryFromText(text, out key))
                {
                    LogRecordLeftOut(logger, _contents.Version, $"Mobile credential {credential.Id} is left out: its phone key is not a P-256 point.");
                    continue;
                }

                _readKeys[text] = key;
            }

            seen.Add(text);
            keys[credential.Id] = new PhoneKey(key, credential.UserId);
        }

        foreach (var stale in _readKeys.Keys.Where(k => !seen.Contains(k)).ToList())
        {
            _readKeys.Remove(stale);
        }

        return keys;
    }

    private sealed class PendingSnapshot(long version, int total)
    {
        public long Version { get; } = version;

        public int Total { get; } = total;

        public Dictionary<int, SyncData> Parts { get; } = [];

        public DateTimeOffset LastPartAt { get; set; }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Snapshot {Version} applied: {Doors} doors, {Users} users, {Credentials} credentials")]
    private static partial void LogSnapshotApplied(ILogger logger, long version, int doors, int users, int credentials);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Delta from {FromVersion} to {Version} applied")]
    private static partial void LogDeltaApplied(ILogger logger, long fromVersion, long version);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Sync gap at version {Version}: {Reason}; asking for a snapshot")]
    private static partial void LogGap(ILogger logger, long version, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Snapshot {Version} incomplete after the timeout ({Received} of {Parts} parts); asking again")]
    private static partial void LogSnapshotIncomplete(ILogger logger, long version, int received, int parts);

    [LoggerMessage(Level = LogLevel.Error, Message = "Sync version {Version} could not be stored: {Error}")]
    private static partial void LogStoreFailed(ILogger logger, long version, string error);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Sync version {Version}: {OtherModel} face templates of another model than this device's ({Model}) and {Unopened} that do not open are left out")]
    private static partial void LogFacesLeftOut(ILogger logger, long version, int otherModel, string model, int unopened);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Sync version {Version}: {Problem}")]
    private static partial void LogRecordLeftOut(ILogger logger, long version, string problem);
}
