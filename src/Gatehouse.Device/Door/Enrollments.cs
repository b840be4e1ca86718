using Gatehouse.Core.DeviceProtocol;
using Gatehouse.Device.Hardware;
using Gatehouse.Faces;
using Gatehouse.Device.Mqtt;
using Gatehouse.Device.Sync;
using Microsoft.Extensions.Logging;

namespace Gatehouse.Device.Door;

/// <summary>
/// Enrolling a card or a face at the device for the server: the device prompts the person and shows blue.
/// A card: the next card presented before the enrollment expires is not an access attempt but the capture, sent
/// back as an <see cref="EnrollmentCapturedReply"/> while the LED shows amber. A face: each camera frame is analysed
/// by the device's face engine; a frame that fails the engine's checks makes the device say why ("Please face the
/// camera"), and from the first frame that passes, the device keeps looking for <see cref="FaceWindow"/> and sends the
/// best frame (highest detection score × sharpness), sealed with the device's face key, while the LED shows amber.
/// If no frame passed by <see cref="FaceSendMargin"/> before the expiry, it sends the last reason instead. The
/// server's outcome then shows green or red with its prompt. A cancel returns to idle with its prompt.
/// </summary>
internal sealed partial class Enrollments(
    Feedback feedback,
    ICamera camera,
    FaceEngineLoad faces,
    DeviceFaceKey faceKey,
    IDeviceOutbox outbox,
    TimeProvider clock,
    ILogger<Enrollments> logger) : IDisposable
{
    public const string CardPrompt = "Beginning Card enrollment, please hold your card up to the device";
    public const string FacePrompt = "Beginning face enrollment, please stand in front of the camera.";
    public const string CapturedPrompt = "Card read, please wait";
    public const string FaceHoldStillPrompt = "Hold still, please";
    public const string FaceCapturedPrompt = "Face captured, please wait";
    public const string NoFaceCapture = "This device cannot capture faces";
    public const string NoFaceEngine = "Face recognition is off on this device";

    /// <summary>How long the device keeps looking for a better frame after the first one that passes.</summary>
    public static readonly TimeSpan FaceWindow = TimeSpan.FromSeconds(2);

    /// <summary>How long before the enrollment's expiry the device stops looking, so its capture reaches the server in time.</summary>
    public static readonly TimeSpan FaceSendMargin = TimeSpan.FromSeconds(3);

    /// <summary>
    /// The largest frame sent: the server takes device messages up to 256 KB by default, and the sealed frame travels
    /// as base64 (4/3 larger) in JSON. A larger frame is re-encoded (<see cref="FaceFrames"/>).
    /// </summary>
    public const int MaxFaceBytes = 160 * 1024;

    private readonly Lock _gate = new();
    private EnrollCommand? _current;
    private bool _captured;
    private Guid? _last;
    private ITimer? _expiry;
    private ITimer? _window;
    private (ReadOnlyMemory<byte> Image, float Score)? _best;
    private FaceRejection? _lastRejection;
    private string? _lastSaid;

    /// <summary>The enrollment waiting at the device: <c>waiting</c> for a card, <c>captured</c> (waiting for the outcome), or null.</summary>
    public string? State
    {
        get
        {
            lock (_gate)
            {
                return _current is null ? null : _captured ? "captured" : "waiting";
            }
        }
    }

    /// <summary>Starts an enrollment; it replaces an unfinished one.</summary>
    public void Start(EnrollCommand command)
    {
        if (command.Kind == EnrollmentKind.Face)
        {
            StartFace(command);
            return;
        }

        lock (_gate)
        {
            Stop();
            _current = command;
            _captured = false;
            _last = command.EnrollmentId;
            var left = command.ExpiresAt - clock.GetUtcNow();
            _expiry = clock.CreateTimer(static state => ((Enrollments)state!).Expire(), this, left > TimeSpan.Zero ? left : TimeSpan.Zero, Timeout.InfiniteTimeSpan);
            feedback.Hold(LedColor.Blue, CardPrompt);
        }

        LogStarted(logger, command.EnrollmentId, command.ExpiresAt);
    }

    /// <summary>
    /// Takes a presented card for the waiting enrollment: the capture (or, once captured, any further tap
    /// until the outcome) answers <see cref="TapOutcome.Enrollment"/>; null when no enrollment is waiting.
    /// </summary>
    public TapOutcome? TryCapture(CardRead read)
    {
        EnrollCommand command;
        lock (_gate)
        {
            if (_current is null || clock.GetUtcNow() >= _current.ExpiresAt)
            {
                return null;
            }

            if (_captured)
            {
                return new TapOutcome(false, TapOutcome.Enrollment);
            }

            command = _current;
            _captured = true;
            feedback.Hold(LedColor.Amber, CapturedPrompt);
        }

        outbox.Send(new EnrollmentCapturedReply(command.Id, clock.GetUtcNow(), command.EnrollmentId, EnrollmentKind.Card, read.Card.ToString()));
        var masked = read.Card.ToMaskedString();
        LogCaptured(logger, command.EnrollmentId, masked);
        return new TapOutcome(false, TapOutcome.Enrollment);
    }

    /// <summary>Shows the server's outcome of the enrollment: green or red, with its prompt.</summary>
    public void Outcome(EnrollmentOutcomeCommand command)
    {
        bool known;
        lock (_gate)
        {
            // The outcome may come just after the device's own expiry, so the last enrollment is remembered.
            known = _last == command.EnrollmentId;
            if (known)
            {
                Stop();
                feedback.Show(command.Succeeded ? LedColor.Green : LedColor.Red, command.Prompt);
            }
        }

        outbox.Send(known
            ? new CommandDoneReply(command.Id, clock.GetUtcNow(), true)
            : new CommandDoneReply(command.Id, clock.GetUtcNow(), false, "No such enrollment at this device"));
    }

    /// <summary>Stops waiting for the enrollment and returns to idle, showing the cancel's prompt.</summary>
    public void Cancel(CancelEnrollmentCommand command)
    {
        lock (_gate)
        {
            if (_current?.EnrollmentId == command.EnrollmentId)
            {
                Stop();
                feedback.Show(LedColor.Off, command.Prompt);
            }
        }

        // Cancelling what is no longer waiting has the same end state, so it is done either way.
        outbox.Send(new CommandDoneReply(command.Id, clock.GetUtcNow(), true));
    }

    public void Dispose()
    {
        lock (_gate)
        {
            Stop();
        }
    }

    /// <summary>
    /// Takes a camera frame for a face enrollment that waits for one; null when none waits, so the frame is a
    /// presentation at the door instead. The frame is analysed; its outcome is never a grant.
    /// </summary>
    public async Task<FaceOutcome?> TryTakeFaceAsync(CameraFrame frame, CancellationToken ct)
    {
        EnrollCommand command;
        lock (_gate)
        {
            if (_current is not { Kind: EnrollmentKind.Face } current || clock.GetUtcNow() >= Deadline(current))
            {
                return null;
            }

            if (_captured)
            {
                return new FaceOutcome(false, TapOutcome.Enrollment);
            }

            command = current;
        }

        if (faces.Engine is not { } engine)
        {
            return new FaceOutcome(false, TapOutcome.Enrollment);
        }

        // The analysis takes tens of milliseconds of CPU: not on the camera's thread.
        var image = frame.Image;
        var analysis = await Task.Run(() => engine.Analyze(image.Span), ct);
        FaceOutcome outcome;
        lock (_gate)
        {
            if (_current?.EnrollmentId != command.EnrollmentId || _captured)
            {
                return new FaceOutcome(false, TapOutcome.Enrollment);
            }

            if (analysis.Succeeded)
            {
                var score = Score(analysis.Quality);
                if (_best is not { } best || score > best.Score)
                {
                    _best = (image.ToArray(), score);
                }

                if (_window is null)
                {
                    var left = Deadline(command) - clock.GetUtcNow();
                    _window = clock.CreateTimer(static state => ((Enrollments)state!).WindowEnded(), this, left < FaceWindow ? left : FaceWindow, Timeout.InfiniteTimeSpan);
                }

                Say(FaceHoldStillPrompt);
                outcome = new FaceOutcome(false, TapOutcome.Enrollment, score, analysis.Quality.Liveness);
            }
            else
            {
                var reason = analysis.Rejection ?? FaceRejection.UnreadableImage;
                _lastRejection = reason;
                LogFrameRefused(logger, command.EnrollmentId, reason);

                // Once a good frame is kept, a worse one later (the person turned away) does not undo it.
                if (_best is null)
                {
                    Say(FacePrompts.For(reason));
                }

                outcome = new FaceOutcome(false, FacePrompts.Name(reason), null, analysis.Quality.Liveness);
            }
        }

        return outcome;
    }

    /// <summary>Higher is better: how sure the detector is of the face, times how sharp it is.</summary>
    internal static float Score(FaceQuality quality) => (quality.DetectionScore ?? 0) * (quality.Sharpness ?? 0);

    private void StartFace(EnrollCommand command)
    {
        var cannot = !camera.CanCapture ? NoFaceCapture : faces.Engine is null ? NoFaceEngine : null;
        lock (_gate)
        {
            Stop();
            _last = command.EnrollmentId;
            feedback.Hold(LedColor.Blue, FacePrompt);
            if (cannot is null)
            {
                _current = command;
                _lastSaid = FacePrompt;
                var left = Deadline(command) - clock.GetUtcNow();
                _expiry = clock.CreateTimer(static state => ((Enrollments)state!).Expire(), this, left > TimeSpan.Zero ? left : TimeSpan.Zero, Timeout.InfiniteTimeSpan);
            }
        }

        if (cannot is not null)
        {
            // A device without a camera (or without the models) says so rather than pretend to capture.
            outbox.Send(new CommandDoneReply(command.Id, clock.GetUtcNow(), false, cannot));
            feedback.Show(LedColor.Red, cannot);
            LogNoFaces(logger, command.EnrollmentId, cannot);
            return;
        }

        LogFaceStarted(logger, command.EnrollmentId, command.ExpiresAt);
    }

    /// <summary>The window after the first good frame is over: the best frame goes to the server.</summary>
    private void WindowEnded()
    {
        EnrollmentCapturedReply? reply;
        lock (_gate)
        {
            reply = TakeBestLocked();
        }

        Send(reply);
    }

    /// <summary>Marks the enrollment captured and builds the reply with the best frame; null when there is none (or it was sent).</summary>
    private EnrollmentCapturedReply? TakeBestLocked()
    {
        if (_current is not { Kind: EnrollmentKind.Face } command || _captured || _best is not { } best)
        {
            return null;
        }

        _captured = true;
        _window?.Dispose();
        _window = null;
        feedback.Hold(LedColor.Amber, FaceCapturedPrompt);
        var image = FaceFrames.Fit(best.Image, MaxFaceBytes);
        if (image is null)
        {
            return new EnrollmentCapturedReply(command.Id, clock.GetUtcNow(), command.EnrollmentId, EnrollmentKind.Face,
                FaceRejection: FacePrompts.Name(FaceRejection.ImageTooLarge));
        }

        LogFaceCaptured(logger, command.EnrollmentId, image.Length, best.Score);
        var sealedFace = DeviceChannelCipher.Seal(faceKey.Key, image, EnrollmentCapturedReply.FaceContext(command.EnrollmentId));
        return new EnrollmentCapturedReply(command.Id, clock.GetUtcNow(), command.EnrollmentId, EnrollmentKind.Face, Face: sealedFace);
    }

    private void Send(EnrollmentCapturedReply? reply)
    {
        if (reply is not null)
        {
            outbox.Send(reply);
        }
    }

    /// <summary>Says a prompt while the enrollment waits (still blue), once per change, not once per frame.</summary>
    private void Say(string prompt)
    {
        if (prompt != _lastSaid)
        {
            _lastSaid = prompt;
            feedback.Hold(LedColor.Blue, prompt);
        }
    }

    /// <summary>When the device stops waiting: a face a little before the expiry, so what it sends arrives in time.</summary>
    private static DateTimeOffset Deadline(EnrollCommand command) =>
        command.Kind == EnrollmentKind.Face ? command.ExpiresAt - FaceSendMargin : command.ExpiresAt;

    private void Expire()
    {
        EnrollmentCapturedReply? reply = null;
        lock (_gate)
        {
            if (_current is null)
            {
                return;
            }

            // A captured face waits for the server's outcome until a little past the enrollment's expiry (its deadline
            // was before it), then gives up as a card does. A timer may fire a hair before the wall clock says it is
            // time: come back for the rest.
            var end = _captured && _current.Kind == EnrollmentKind.Face ? _current.ExpiresAt + FaceSendMargin : Deadline(_current);
            var left = end - clock.GetUtcNow();
            if (left > TimeSpan.Zero)
            {
                _expiry?.Change(left, Timeout.InfiniteTimeSpan);
                return;
            }

            if (_current is { Kind: EnrollmentKind.Face } face && !_captured && (_best is not null || _lastRejection is not null))
            {
                // The face window ends with the enrollment: the best frame if any passed, else why none did (the
                // server fails the enrollment with it and the outcome says it in red).
                reply = TakeBestLocked();
                if (reply is null && _lastRejection is { } reason)
                {
                    _captured = true;
                    feedback.Hold(LedColor.Amber, FacePrompts.For(reason));
                    reply = new EnrollmentCapturedReply(face.Id, clock.GetUtcNow(), face.EnrollmentId, EnrollmentKind.Face, FaceRejection: FacePrompts.Name(reason));
                    LogNoGoodFrame(logger, face.EnrollmentId, reason);
                }

                _expiry?.Change(face.ExpiresAt + FaceSendMargin - clock.GetUtcNow(), Timeout.InfiniteTimeSpan);
            }
            else
            {
                LogExpired(logger, _current.EnrollmentId);
                Stop();
                feedback.Idle();
            }
        }

        Send(reply);
    }

    private void Stop()
    {
        _expiry?.Dispose();
        _expiry = null;
        _window?.Dispose();
        _window = null;
        _current = null;
        _captured = false;
        _best = null;
        _lastRejection = null;
        _lastSaid = null;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Enrollment {EnrollmentId} waiting for a card until {ExpiresAt}")]
    private static partial void LogStarted(ILogger logger, Guid enrollmentId, DateTimeOffset expiresAt);

    [LoggerMessage(Level = LogLevel.Information, Message = "Enrollment {EnrollmentId} captured card {Card}")]
    private static partial void LogCaptured(ILogger logger, Guid enrollmentId, string card);

    [LoggerMessage(Level = LogLevel.Information, Message = "Enrollment {EnrollmentId} expired at the device")]
    private static partial void LogExpired(ILogger logger, Guid enrollmentId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Face enrollment {EnrollmentId} refused: {Why}")]
    private static partial void LogNoFaces(ILogger logger, Guid enrollmentId, string why);

    [LoggerMessage(Level = LogLevel.Information, Message = "Face enrollment {EnrollmentId} waiting for a face until {ExpiresAt}")]
    private static partial void LogFaceStarted(ILogger logger, Guid enrollmentId, DateTimeOffset expiresAt);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Face enrollment {EnrollmentId}: a frame was refused ({Reason})")]
    private static partial void LogFrameRefused(ILogger logger, Guid enrollmentId, FaceRejection reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "Face enrollment {EnrollmentId} captured a frame of {Bytes} bytes (score {Score:0.0}); sent sealed")]
    private static partial void LogFaceCaptured(ILogger logger, Guid enrollmentId, int bytes, float score);

    [LoggerMessage(Level = LogLevel.Information, Message = "Face enrollment {EnrollmentId}: no frame passed within the window (last reason {Reason})")]
    private static partial void LogNoGoodFrame(ILogger logger, Guid enrollmentId, FaceRejection reason);
}
