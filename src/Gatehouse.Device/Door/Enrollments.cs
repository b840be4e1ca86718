using Gatehouse.Core.DeviceProtocol;
using Gatehouse.Device.Hardware;
using Gatehouse.Device.Mqtt;
using Microsoft.Extensions.Logging;

namespace Gatehouse.Device.Door;

/// <summary>
/// Enrolling a card (or, with the face issue, a face) at the device for the server: the device prompts the
/// person and shows blue; the next card presented before the enrollment expires is not an access attempt
/// but the capture, sent back as an <see cref="EnrollmentCapturedReply"/> while the LED shows amber; the
/// server's outcome then shows green or red with its prompt. A cancel returns to idle with its prompt.
/// </summary>
internal sealed partial class Enrollments(
    Feedback feedback, ICamera camera, IDeviceOutbox outbox, TimeProvider clock, ILogger<Enrollments> logger) : IDisposable
{
    public const string CardPrompt = "Beginning Card enrollment, please hold your card up to the device";
    public const string FacePrompt = "Beginning face enrollment, please stand in front of the camera.";
    public const string CapturedPrompt = "Card read, please wait";
    public const string NoFaceCapture = "This device cannot capture faces yet";

    private readonly Lock _gate = new();
    private EnrollCommand? _current;
    private bool _captured;
    private Guid? _last;
    private ITimer? _expiry;

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
    /// presentation at the door instead.
    /// </summary>
    public Task<FaceOutcome?> TryTakeFaceAsync(CameraFrame frame, CancellationToken ct) => Task.FromResult<FaceOutcome?>(null);

    private void StartFace(EnrollCommand command)
    {
        lock (_gate)
        {
            Stop();
            _last = command.EnrollmentId;
        }

        feedback.Hold(LedColor.Blue, FacePrompt);

        // The face issue implements the camera and adds the reply's face fields; until then the device says
        // that it cannot, rather than pretend to capture.
        var error = camera.CanCapture ? "This device cannot send faces yet" : NoFaceCapture;
        outbox.Send(new CommandDoneReply(command.Id, clock.GetUtcNow(), false, error));
        feedback.Show(LedColor.Red, error);
        LogNoFaces(logger, command.EnrollmentId);
    }

    private void Expire()
    {
        lock (_gate)
        {
            if (_current is null)
            {
                return;
            }

            // A timer may fire a hair before the wall clock says it is time: come back for the rest.
            var left = _current.ExpiresAt - clock.GetUtcNow();
            if (left > TimeSpan.Zero)
            {
                _expiry?.Change(left, Timeout.InfiniteTimeSpan);
                return;
            }

            LogExpired(logger, _current.EnrollmentId);
            Stop();
            feedback.Idle();
        }
    }

    private void Stop()
    {
        _expiry?.Dispose();
        _expiry = null;
        _current = null;
        _captured = false;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Enrollment {EnrollmentId} waiting for a card until {ExpiresAt}")]
    private static partial void LogStarted(ILogger logger, Guid enrollmentId, DateTimeOffset expiresAt);

    [LoggerMessage(Level = LogLevel.Information, Message = "Enrollment {EnrollmentId} captured card {Card}")]
    private static partial void LogCaptured(ILogger logger, Guid enrollmentId, string card);

    [LoggerMessage(Level = LogLevel.Information, Message = "Enrollment {EnrollmentId} expired at the device")]
    private static partial void LogExpired(ILogger logger, Guid enrollmentId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Face enrollment {EnrollmentId} refused: this device cannot capture faces yet")]
    private static partial void LogNoFaces(ILogger logger, Guid enrollmentId);
}
