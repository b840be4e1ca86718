using System.Text.Json;
using Gatehouse.Core.Decisions;
using Gatehouse.Core.DeviceProtocol;
using Gatehouse.Server.Data;
using Gatehouse.Server.Features.Credentials;
using Gatehouse.Server.Features.Devices.Enrollments;
using Gatehouse.Server.Features.Events;
using Gatehouse.Server.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Gatehouse.Server.Features.Devices.Gateway;

/// <summary>
/// Works off the <see cref="GatewayInbox"/>: one loop for status, sync requests and replies, one for events.
/// Every message is handled in a fresh scope acting for the organization of its topic, and only once the device
/// is found there. A message that cannot be read is logged (topic and size) and dropped; nothing stops the loops.
/// </summary>
internal sealed partial class DeviceMessageProcessor(
    GatewayInbox inbox,
    GatewayConnection connection,
    DeviceSync sync,
    UnlockConfirmations confirmations,
    IServiceScopeFactory scopes,
    IOptions<DeviceOptions> deviceOptions,
    TimeProvider clock,
    ILogger<DeviceMessageProcessor> logger) : BackgroundService
{
    // Events stored per save: large enough that a burst costs few round trips, small enough to stay one quick transaction.
    private const int EventsPerBatch = 5_000;

    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        Task.WhenAll(
            Task.Run(() => ControlLoopAsync(stoppingToken), stoppingToken),
            Task.Run(() => EventLoopAsync(stoppingToken), stoppingToken));

    private async Task ControlLoopAsync(CancellationToken ct)
    {
        try
        {
            await foreach (var message in inbox.Control.ReadAllAsync(ct))
            {
                try
                {
                    await HandleControlAsync(message, ct);
                }
                catch (Exception ex) when (ex is JsonException or NotSupportedException)
                {
                    // NotSupportedException: a "type" no reply has (the base record is abstract).
                    inbox.Refuse(message.Topic, message.Payload.Length, "not a valid message");
                }
                catch (Exception ex) when (!ct.IsCancellationRequested)
                {
                    LogHandlingFailed(logger, ex, message.Topic);
                }
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            // Stopping.
        }
    }

    private async Task HandleControlAsync(DeviceMessage message, CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        scope.ServiceProvider.GetRequiredService<CurrentOrganization>().Set(message.OrganizationId);
        var db = scope.ServiceProvider.GetRequiredService<GatehouseDbContext>();
        switch (message.Suffix)
        {
            case DeviceTopics.Status:
                var status = Read(message, DeviceProtocolJson.Default.DeviceStatus);
                if (await DoorsOfAsync(db, message, ct) is { } doors)
                {
                    var wasOnline = await SaveStatusAsync(db, message.DeviceId, status, doors, ct);
                    sync.OnStatus(message.OrganizationId, message.DeviceId, status, wasOnline);
                    if (!status.Online)
                    {
                        await scope.ServiceProvider.GetRequiredService<EnrollmentService>().DeviceOfflineAsync(message.DeviceId, ct);
                    }
                }

                break;

            case DeviceTopics.SyncRequest:
                var request = Read(message, DeviceProtocolJson.Default.SyncRequest);
                if (await DoorsOfAsync(db, message, ct) is not null)
                {
                    // The device's own words, cut short: a log line, not a store for whatever it sends.
                    var why = Shorten(request.Reason);
                    LogSnapshotRequested(logger, message.DeviceId, request.HaveVersion, why);
                    sync.RequestSnapshot(message.OrganizationId, message.DeviceId);
                }

                break;

            case DeviceTopics.Replies:
                var reply = Read(message, DeviceProtocolJson.Default.DeviceReply);
                if (await DoorsOfAsync(db, message, ct) is null)
                {
                    break;
                }

                if (reply is EnrollmentCapturedReply captured)
                {
                    await scope.ServiceProvider.GetRequiredService<EnrollmentService>().CaptureAsync(message.DeviceId, captured, ct);
                }
                else if (reply is CommandDoneReply done)
                {
                    var error = done.Error is null ? null : Shorten(done.Error);
                    LogCommandDone(logger, message.DeviceId, done.CommandId, done.Succeeded, error);

                    // An unlock is "unlocked" only once its device says so in time (the request waiting for it reads this).
                    if (await confirmations.RecordAsync(db, message.DeviceId, done.CommandId, done.Succeeded, clock.GetUtcNow(), ct) == RecordedAnswer.TooLate)
                    {
                        LogLateUnlockAnswer(logger, message.DeviceId, done.CommandId, done.Succeeded, Shorten(done.Reason, 40));
                    }

                    // An enroll command the device cannot carry out (a face without a camera) ends its enrollment now.
                    if (!done.Succeeded)
                    {
                        await scope.ServiceProvider.GetRequiredService<EnrollmentService>().RefusedAsync(message.DeviceId, done, Shorten(done.Error, 150), ct);
                    }
                }

                break;
        }
    }

    /// <summary>The device's doors; null (and a warning) when the device is not in the topic's organization.</summary>
    private async Task<List<Guid>?> DoorsOfAsync(GatehouseDbContext db, DeviceMessage message, CancellationToken ct)
    {
        var device = await db.Devices.AsNoTracking()
            .Where(d => d.Id == message.DeviceId)
            .Select(d => new { Doors = d.Doors.Select(x => x.DoorId).ToList() })
            .FirstOrDefaultAsync(ct);
        if (device is null)
        {
            inbox.Refuse(message.Topic, message.Payload.Length, "no such device in the organization");
            return null;
        }

        return device.Doors;
    }

    /// <summary>Stores what the status says; returns whether the device was online before.</summary>
    private async Task<bool> SaveStatusAsync(GatehouseDbContext db, Guid deviceId, DeviceStatus status, List<Guid> doors, CancellationToken ct)
    {
        for (var attempt = 0; ; attempt++)
        {
            var state = await db.DeviceStates.FirstOrDefaultAsync(s => s.DeviceId == deviceId, ct);
            var wasOnline = state?.Online ?? false;
            if (state is null)
            {
                state = new DeviceState { DeviceId = deviceId };
                db.DeviceStates.Add(state);
            }

            var now = clock.GetUtcNow();
            state.Online = status.Online;
            state.LastSeenAt = now;

            // Three missed heartbeats and the device counts as offline, whatever became of its last will.
            state.OnlineUntil = status.Online && status.HeartbeatSeconds is > 0 and var heartbeat
                ? now + (3 * TimeSpan.FromSeconds(Math.Clamp(heartbeat, 5, 3600)))
                : null;

            // A last will was written when the device connected: only its "offline" is news.
            if (status.Online)
            {
                state.SoftwareVersion = status.SoftwareVersion is { } version ? Shorten(version, 50) : state.SoftwareVersion;
                state.SyncVersion = status.SyncVersion;
                state.QueuedEvents = status.QueuedEvents;
                state.DroppedEvents = status.DroppedEvents;
                if (status.Doors is not null)
                {
                    state.UnlockedDoorIds = [.. status.Doors.Where(d => d.Unlocked && doors.Contains(d.DoorId)).Select(d => d.DoorId).Distinct()];
                }
            }

            try
            {
                await db.SaveChangesAsync(ct);
                if (wasOnline != status.Online)
                {
                    LogOnline(logger, deviceId, status.Online ? "online" : "offline", status.SyncVersion);
                }

                return wasOnline;
            }
            catch (DbUpdateException ex) when (ex.IsUniqueViolation() && attempt == 0)
            {
                // The sync created the row first (publishing to a device that had never reported): update that one.
                db.ChangeTracker.Clear();
            }
        }
    }

    private async Task EventLoopAsync(CancellationToken ct)
    {
        try
        {
            var reader = inbox.Events;
            while (await reader.WaitToReadAsync(ct))
            {
                var batch = new List<(DeviceMessage Message, EventBatch Events)>();
                var count = 0;
                while (count < EventsPerBatch && reader.TryRead(out var message))
                {
                    try
                    {
                        var events = Read(message, DeviceProtocolJson.Default.EventBatch);
                        if (events.Events is null)
                        {
                            inbox.Refuse(message.Topic, message.Payload.Length, "an event batch without events");
                            continue;
                        }

                        batch.Add((message, events));
                        count += events.Events.Count;
                    }
                    catch (Exception ex) when (ex is JsonException or NotSupportedException)
                    {
                        inbox.Refuse(message.Topic, message.Payload.Length, "not a valid event batch");
                    }
                }

                foreach (var organization in batch.GroupBy(b => b.Message.OrganizationId))
                {
                    try
                    {
                        await StoreEventsAsync(organization.Key, [.. organization], ct);
                    }
                    catch (Exception ex) when (!ct.IsCancellationRequested)
                    {
                        // Not acknowledged, so the devices send them again.
                        LogEventsFailed(logger, ex, organization.Key, organization.Sum(b => b.Events.Events.Count));
                    }
                }
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            // Stopping.
        }
    }

    /// <summary>
    /// Checks each device's batch on its own (a bad event is refused, logged in one line and counted on its
    /// device), stores the accepted events of all batches in one append, and acknowledges every event of every
    /// batch whose device is known: new ones, ones stored before, and refused ones, which the device would
    /// otherwise send forever. Should that one append fail, each device's events are stored on their own, so
    /// no device's events wait on another's.
    /// </summary>
    private async Task StoreEventsAsync(Guid organizationId, List<(DeviceMessage Message, EventBatch Events)> batches, CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        scope.ServiceProvider.GetRequiredService<CurrentOrganization>().Set(organizationId);
        var db = scope.ServiceProvider.GetRequiredService<GatehouseDbContext>();

        var deviceIds = batches.Select(b => b.Message.DeviceId).Distinct().ToList();
        var devices = await db.Devices.AsNoTracking()
            .Where(d => deviceIds.Contains(d.Id))
            .Select(d => new { d.Id, Doors = d.Doors.Select(x => x.DoorId).ToList() })
            .ToDictionaryAsync(d => d.Id, d => d.Doors.ToHashSet(), ct);
        var check = await DeviceEventCheck.LoadAsync(
            db, organizationId, batches.Select(b => b.Events), devices.Values.SelectMany(d => d), clock.GetUtcNow(), deviceOptions.Value, ct);

        var checkedBatches = new List<CheckedBatch>();
        foreach (var (message, events) in batches)
        {
            if (!devices.TryGetValue(message.DeviceId, out var doors))
            {
                inbox.Refuse(message.Topic, message.Payload.Length, "no such device in the organization");
                continue;
            }

            checkedBatches.Add(check.Check(message, events, doors, (id, why) => LogInvalidEvent(logger, message.DeviceId, id, why)));
        }

        var stored = checkedBatches.SelectMany(b => b.Accepted).ToList();
        var failed = new HashSet<CheckedBatch>();
        try
        {
            var fresh = stored.Count == 0 ? 0 : await scope.ServiceProvider.GetRequiredService<AccessEventWriter>().AppendAsync(stored, ct);
            LogEventsStored(logger, organizationId, fresh, stored.Count - fresh);
        }
        catch (Exception ex) when (!ct.IsCancellationRequested && checkedBatches.Count > 1)
        {
            LogSharedAppendFailed(logger, organizationId, ex.GetType().Name);
            foreach (var one in checkedBatches.Where(b => b.Accepted.Count > 0))
            {
                if (!await StoreOwnAsync(organizationId, one, ct))
                {
                    failed.Add(one);
                }
            }
        }

        foreach (var one in checkedBatches.Where(b => !failed.Contains(b)))
        {
            if (one.Rejected > 0)
            {
                await CountRejectedAsync(db, one.Message.DeviceId, one.Rejected, ct);
            }

            var ack = new EventAck(one.Ids);
            var topic = DeviceTopics.For(organizationId, one.Message.DeviceId, DeviceTopics.EventAcks);
            await connection.PublishAsync(topic, JsonSerializer.SerializeToUtf8Bytes(ack, DeviceProtocolJson.Default.EventAck), ct);
        }
    }

    /// <summary>Stores one device's accepted events in a scope of their own; false (logged) when that fails too.</summary>
    private async Task<bool> StoreOwnAsync(Guid organizationId, CheckedBatch batch, CancellationToken ct)
    {
        try
        {
            await using var scope = scopes.CreateAsyncScope();
            scope.ServiceProvider.GetRequiredService<CurrentOrganization>().Set(organizationId);
            await scope.ServiceProvider.GetRequiredService<AccessEventWriter>().AppendAsync([.. batch.Accepted], ct);
            return true;
        }
        catch (Exception ex) when (!ct.IsCancellationRequested)
        {
            // Not acknowledged, so the device sends them again.
            LogEventsFailed(logger, ex, organizationId, batch.Accepted.Count);
            return false;
        }
    }

    private static async Task CountRejectedAsync(GatehouseDbContext db, Guid deviceId, int rejected, CancellationToken ct)
    {
        var counted = await db.DeviceStates.Where(s => s.DeviceId == deviceId)
            .ExecuteUpdateAsync(s => s.SetProperty(x => x.RejectedEvents, x => x.RejectedEvents + rejected), ct);
        if (counted == 0)
        {
            // A device that sends events before any status: its row starts with the count.
            db.DeviceStates.Add(new DeviceState { DeviceId = deviceId, RejectedEvents = rejected });
            try
            {
                await db.SaveChangesAsync(ct);
            }
            catch (DbUpdateException ex) when (ex.IsUniqueViolation())
            {
                db.ChangeTracker.Clear();
                await db.DeviceStates.Where(s => s.DeviceId == deviceId)
                    .ExecuteUpdateAsync(s => s.SetProperty(x => x.RejectedEvents, x => x.RejectedEvents + rejected), ct);
            }
        }
    }

    private static T Read<T>(DeviceMessage message, System.Text.Json.Serialization.Metadata.JsonTypeInfo<T> type) =>
        JsonSerializer.Deserialize(message.Payload, type) ?? throw new JsonException("null");

    private static string Shorten(string? text, int length = 200) =>
        text is null ? "" : text.Length <= length ? text : text[..length] + "…";

    [LoggerMessage(Level = LogLevel.Information, Message = "Device {DeviceId} is {State} (it reports sync version {SyncVersion})")]
    private static partial void LogOnline(ILogger logger, Guid deviceId, string state, long syncVersion);

    [LoggerMessage(Level = LogLevel.Information, Message = "Device {DeviceId} asked for a snapshot (it holds version {HaveVersion}: {Reason})")]
    private static partial void LogSnapshotRequested(ILogger logger, Guid deviceId, long haveVersion, LogText reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "Device {DeviceId} finished command {CommandId} (succeeded: {Succeeded}) {Error}")]
    private static partial void LogCommandDone(ILogger logger, Guid deviceId, Guid commandId, bool succeeded, LogText error);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Device {DeviceId} answered unlock command {CommandId} after the server stopped waiting (succeeded: {Succeeded}, reason: {Reason}); the request was told the door did not answer, and the answer is not counted")]
    private static partial void LogLateUnlockAnswer(ILogger logger, Guid deviceId, Guid commandId, bool succeeded, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Refused event {EventId} of device {DeviceId}: {Reason}; acknowledged so it is not sent again")]
    private static partial void LogInvalidEvent(ILogger logger, Guid deviceId, Guid eventId, LogText reason);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Stored {Fresh} access events of organization {OrganizationId} ({Repeated} already stored)")]
    private static partial void LogEventsStored(ILogger logger, Guid organizationId, int fresh, int repeated);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Storing the access events of organization {OrganizationId} in one append failed ({Error}); storing each device's on their own")]
    private static partial void LogSharedAppendFailed(ILogger logger, Guid organizationId, string error);

    [LoggerMessage(Level = LogLevel.Error, Message = "Storing {Count} access events of organization {OrganizationId} failed; the devices will send them again")]
    private static partial void LogEventsFailed(ILogger logger, Exception exception, Guid organizationId, int count);

    [LoggerMessage(Level = LogLevel.Error, Message = "Handling a message on {Topic} failed")]
    private static partial void LogHandlingFailed(ILogger logger, Exception exception, LogText topic);
}
