using Gatehouse.Core.Decisions;
using Gatehouse.Core.DeviceProtocol;
using Gatehouse.Device.Events;
using Gatehouse.Device.Hardware;
using Gatehouse.Device.Sync;
using Microsoft.Data.Sqlite;
using Gatehouse.Faces;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Gatehouse.Device.Door;

/// <summary>
/// Decides at the door, with the local store only, so it works the same with the server or the broker
/// gone: a card becomes a key, the engine decides, the attempt is committed to the event queue, and then
/// the lock, the LED and the prompt answer the person.
/// </summary>
internal sealed partial class DoorController(
    AccessEngine engine, EventQueue events, LockControl locks, Feedback feedback, TimeProvider clock, ILogger<DoorController> logger,
    FaceEngineLoad? faces = null, IOptions<DoorOptions>? options = null, MobileTokens? mobile = null)
{
    private readonly Lock _faceGate = new();
    private readonly Lock _qrGate = new();
    private (string Text, DateTimeOffset At)? _lastQr;
    private readonly TimeSpan _repeatWindow = options?.Value.FaceRepeatWindow ?? TimeSpan.FromSeconds(5);
    private (Guid CredentialId, DateTimeOffset At)? _lastFace;
    private (float[] Template, DateTimeOffset At)? _lastUnknown;

    public const string CardCredentialType = "card";
    public const string GrantedPrompt = "Access granted";
    public const string DeniedPrompt = "Access denied";
    public const string RemoteUnlockPrompt = "Door unlocked remotely";

    /// <summary>The outcome's reason for a person decided on moments ago, still in front of the camera.</summary>
    public const string RepeatReason = "repeat";

    /// <summary>
    /// Decides on a frame from the camera of the first door: the face engine finds the largest face and makes its
    /// template (a frame without a usable face answers the engine's reason, with no event); the best match among the
    /// synced templates at or above the match threshold is that face credential, decided by the engine exactly as a
    /// card; no match is <c>unknownCredential</c>. The same person again within <see cref="DoorOptions.FaceRepeatWindow"/>
    /// answers <see cref="RepeatReason"/> with no event and no unlock.
    /// </summary>
    public Task<FaceOutcome> DecideFaceAsync(CameraFrame frame, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(frame);
        if (faces?.Engine is not { } faceEngine)
        {
            return Task.FromResult(new FaceOutcome(false, "cameraUnavailable"));
        }

        // The models run on the caller's thread pool thread, off any capture loop; the decision itself is instant.
        return Task.Run(() => DecideFace(faceEngine, frame), ct);
    }

    private FaceOutcome DecideFace(FaceEngine faceEngine, CameraFrame frame)
    {
        var view = engine.Current;
        var door = view.DoorFor(null);
        if (door is null)
        {
            return new FaceOutcome(false, TapOutcome.NoDoor);
        }

        var analysis = faceEngine.AnalyzeFrame(frame.Image.Span);
        var liveness = analysis.Quality.Liveness;
        if (analysis.Template is not { } template)
        {
            // Nobody usable in front of the camera: no attempt, no event; the reason says what was wrong.
            var quality = FacePrompts.Name(analysis.Rejection ?? FaceRejection.NoFace);
            return new FaceOutcome(false, quality, null, liveness);
        }

        var now = clock.GetUtcNow();
        var best = view.Faces.Best(template);
        var threshold = faceEngine.Options.Thresholds.Match;
        var matched = best is { } b && b.Score >= threshold ? b.CredentialId : (Guid?)null;
        var score = best is { } s ? MathF.Round(s.Score, 3) : (float?)null;
        lock (_faceGate)
        {
            if (IsRepeat(matched, template.Vector, threshold, now))
            {
                return new FaceOutcome(false, RepeatReason, score, liveness);
            }
        }

        var decision = matched is { } credentialId
            ? view.Snapshot.DecideCredential(credentialId, door.Id, now)
            : new AccessDecision(AccessReason.UnknownCredential);
        var reason = decision.Reason.ToApiName();
        Record(new DeviceEvent(
            Guid.CreateVersion7(now), now, door.Id, DeviceEvent.Face, decision.Granted, reason,
            matched is null ? null : decision.CredentialId ?? matched, matched is null ? null : decision.UserId, null, score, liveness));

        if (decision.Granted)
        {
            locks.Unlock(door.Id);
            feedback.Show(LedColor.Green, GrantedPrompt);
        }
        else
        {
            feedback.Show(LedColor.Red, $"{DeniedPrompt}: {ShortFaceReason(decision.Reason)}");
        }

        LogFaceDecided(logger, door.Id, decision.Granted, reason, score ?? 0, liveness ?? 0, view.Version);
        return new FaceOutcome(decision.Granted, reason, score, liveness);
    }

    /// <summary>Whether this face was just decided (same credential, or the same unknown face), remembering it when not.</summary>
    private bool IsRepeat(Guid? credentialId, float[] template, float threshold, DateTimeOffset now)
    {
        if (credentialId is { } id)
        {
            if (_lastFace is { } last && last.CredentialId == id && now - last.At < _repeatWindow)
            {
                return true;
            }

            _lastFace = (id, now);
            return false;
        }

        if (_lastUnknown is { } unknown && now - unknown.At < _repeatWindow
            && System.Numerics.Tensors.TensorPrimitives.Dot<float>(unknown.Template, template) >= threshold)
        {
            return true;
        }

        _lastUnknown = (template, now);
        return false;
    }

    /// <summary>A few words for a face: as for a card, but "face not recognised".</summary>
    private static string ShortFaceReason(AccessReason reason) => reason switch
    {
        AccessReason.UnknownCredential => "face not recognised",
        AccessReason.CredentialSuspended => "face suspended",
        AccessReason.CredentialExpired => "face expired",
        AccessReason.CredentialNotYetValid => "face not valid yet",
        _ => ShortReason(reason),
    };

    /// <summary>
    /// Scans a camera frame for a QR code: null when there is none (the frame goes on to enrollment and faces);
    /// else the frame is a phone shown to the door, decided by <see cref="DecideQr"/>. The same code still in front of
    /// the camera within <see cref="DoorOptions.FaceRepeatWindow"/> answers <see cref="RepeatReason"/> with no event,
    /// so a phone held up for a second opens the door once instead of answering <c>tokenReplayed</c> frame after frame.
    /// </summary>
    public Task<FaceOutcome?> TryDecideQrFrameAsync(CameraFrame frame, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(frame);
        return Task.Run(
            () =>
            {
                if (QrCodes.Find(frame.Image.Span) is not { } text)
                {
                    return null;
                }

                var now = clock.GetUtcNow();
                lock (_qrGate)
                {
                    if (_lastQr is { } last && last.Text == text && now - last.At < _repeatWindow)
                    {
                        return new FaceOutcome(false, RepeatReason);
                    }

                    _lastQr = (text, now);
                }

                var outcome = DecideQr(text);
                return (FaceOutcome?)new FaceOutcome(outcome.Granted, outcome.Reason);
            },
            ct);
    }

    /// <summary>
    /// Decides on the text of a QR code shown at the first door: a phone's token, checked offline by
    /// <see cref="MobileTokens"/> (any other QR code is <c>unknownCredential</c>), then decided by the engine exactly
    /// as a card. Every attempt is an event of type <see cref="DeviceEvent.Mobile"/>; the text is never logged or sent.
    /// </summary>
    public TapOutcome DecideQr(string text)
    {
        var view = engine.Current;
        var door = view.DoorFor(null);
        if (door is null)
        {
            feedback.Show(LedColor.Red, $"{DeniedPrompt}: this device has no door yet");
            return new TapOutcome(false, TapOutcome.NoDoor);
        }

        var now = clock.GetUtcNow();
        var check = mobile?.Check(text, view, now) ?? new MobileCheck(AccessReason.UnknownCredential, null, null);
        var decision = check is { Reason: AccessReason.Granted, CredentialId: { } credentialId }
            ? view.Snapshot.DecideCredential(credentialId, door.Id, now)
            : new AccessDecision(check.Reason, check.UserId, check.CredentialId);
        var reason = decision.Reason.ToApiName();
        Record(new DeviceEvent(
            Guid.CreateVersion7(now), now, door.Id, DeviceEvent.Mobile, decision.Granted, reason,
            decision.CredentialId ?? check.CredentialId, decision.UserId ?? check.UserId));

        if (decision.Granted)
        {
            locks.Unlock(door.Id);
            feedback.Show(LedColor.Green, GrantedPrompt);
        }
        else
        {
            feedback.Show(LedColor.Red, $"{DeniedPrompt}: {ShortMobileReason(decision.Reason)}");
        }

        LogMobileDecided(logger, door.Id, decision.Granted, reason, check.CredentialId, view.Version);
        return new TapOutcome(decision.Granted, reason, door.Id);
    }

    /// <summary>A few words for a phone's code.</summary>
    private static string ShortMobileReason(AccessReason reason) => reason switch
    {
        AccessReason.UnknownCredential => "code not recognised",
        AccessReason.TokenInvalid => "code not valid",
        AccessReason.TokenExpired => "code expired, show a new one",
        AccessReason.TokenNotYetValid => "code not valid yet, check the phone's clock",
        AccessReason.TokenReplayed => "code already used, show a new one",
        AccessReason.CredentialSuspended => "phone suspended",
        AccessReason.CredentialExpired => "phone expired",
        AccessReason.CredentialNotYetValid => "phone not valid yet",
        _ => ShortReason(reason),
    };

    /// <summary>Decides on a card presented at the reader of <paramref name="read"/>'s door (the first door unless it names one).</summary>
    public TapOutcome Decide(CardRead read)
    {
        var view = engine.Current;
        var door = view.DoorFor(read.DoorId);
        if (door is null)
        {
            var card = read.Card.ToMaskedString();
            LogNoDoor(logger, card);
            feedback.Show(LedColor.Red, $"{DeniedPrompt}: this device has no door yet");
            return new TapOutcome(false, TapOutcome.NoDoor);
        }

        var now = clock.GetUtcNow();
        var decision = view.Snapshot.Decide(read.Card.ToKey(), door.Id, now);
        var reason = decision.Reason.ToApiName();
        Record(new DeviceEvent(
            Guid.CreateVersion7(now),
            now,
            door.Id,
            CardCredentialType,
            decision.Granted,
            reason,
            decision.CredentialId,
            decision.UserId,
            decision.Reason == AccessReason.UnknownCredential ? read.Card.ToMaskedString() : null));

        if (decision.Granted)
        {
            locks.Unlock(door.Id);
            feedback.Show(LedColor.Green, GrantedPrompt);
        }
        else
        {
            feedback.Show(LedColor.Red, $"{DeniedPrompt}: {ShortReason(decision.Reason)}");
        }

        var masked = read.Card.ToMaskedString();
        LogDecided(logger, masked, door.Id, decision.Granted, reason, view.Version);
        return new TapOutcome(decision.Granted, reason, door.Id);
    }

    /// <summary>
    /// Carries out a remote unlock; false when the device does not control the door. The event takes the
    /// command's ID, so a resent command, or a server that recorded the unlock itself under that ID, still
    /// makes one event.
    /// </summary>
    public bool RemoteUnlock(UnlockCommand command)
    {
        var view = engine.Current;
        if (view.Doors.All(d => d.Id != command.DoorId))
        {
            return false;
        }

        var now = clock.GetUtcNow();
        Record(new DeviceEvent(command.Id, now, command.DoorId, DeviceEvent.RemoteUnlock, true, AccessReason.Granted.ToApiName()));
        locks.Unlock(command.DoorId);
        feedback.Show(LedColor.Green, RemoteUnlockPrompt);
        LogRemoteUnlock(logger, command.DoorId, command.Id);
        return true;
    }

    /// <summary>A few words a person at the door understands.</summary>
    public static string ShortReason(AccessReason reason) => reason switch
    {
        AccessReason.UnknownCredential => "card not recognised",
        AccessReason.CredentialSuspended => "card suspended",
        AccessReason.CredentialExpired => "card expired",
        AccessReason.CredentialNotYetValid => "card not valid yet",
        AccessReason.UserSuspended => "access suspended",
        AccessReason.UserExpired => "access expired",
        AccessReason.UserNotYetValid => "access not valid yet",
        AccessReason.NoAccessToDoor => "no access to this door",
        AccessReason.OutsideSchedule => "outside your schedule",
        AccessReason.Holiday => "closed for a holiday",
        _ => reason.ToApiName(),
    };

    private void Record(DeviceEvent deviceEvent)
    {
        try
        {
            events.Enqueue(deviceEvent);
        }
        catch (SqliteException e)
        {
            // The door still answers the person; the lost event is logged as loudly as a full queue.
            LogEventNotStored(logger, deviceEvent.Id, e.Message);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Card {Card} at door {DoorId}: granted {Granted} ({Reason}), sync version {Version}")]
    private static partial void LogDecided(ILogger logger, string card, Guid doorId, bool granted, string reason, long version);

    [LoggerMessage(Level = LogLevel.Information, Message = "Face at door {DoorId}: granted {Granted} ({Reason}), similarity {Score}, liveness {Liveness}, sync version {Version}")]
    private static partial void LogFaceDecided(ILogger logger, Guid doorId, bool granted, string reason, float score, float liveness, long version);

    [LoggerMessage(Level = LogLevel.Information, Message = "Phone code at door {DoorId}: granted {Granted} ({Reason}), credential {CredentialId}, sync version {Version}")]
    private static partial void LogMobileDecided(ILogger logger, Guid doorId, bool granted, string reason, Guid? credentialId, long version);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Card {Card} presented, but the device has no door yet (no snapshot received)")]
    private static partial void LogNoDoor(ILogger logger, string card);

    [LoggerMessage(Level = LogLevel.Information, Message = "Door {DoorId} unlocked remotely (command {CommandId})")]
    private static partial void LogRemoteUnlock(ILogger logger, Guid doorId, Guid commandId);

    [LoggerMessage(Level = LogLevel.Error, Message = "Access event {EventId} could not be stored and is lost: {Error}")]
    private static partial void LogEventNotStored(ILogger logger, Guid eventId, string error);
}
