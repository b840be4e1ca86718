using System.Collections.Concurrent;
using System.ComponentModel;
using System.Diagnostics;
using Gatehouse.Device.Hardware;
using Gatehouse.Faces;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Gatehouse.Device.Simulator;

/// <summary>The simulator's card reader: the device screen's "tap a card" form presents cards through it.</summary>
internal sealed class SimulatedCardReader : ICardReader
{
    private Func<CardRead, CancellationToken, Task<TapOutcome>>? _onCard;

    public void Attach(Func<CardRead, CancellationToken, Task<TapOutcome>> onCard) => _onCard = onCard;

    /// <summary>Presents a card as if it were held to the reader.</summary>
    public Task<TapOutcome> TapAsync(CardRead read, CancellationToken ct) =>
        _onCard is { } onCard
            ? onCard(read, ct)
            : throw new InvalidOperationException("The card reader is not attached to a door controller yet.");
}

/// <summary>
/// The simulator's camera: <c>POST /simulator/face</c>, a watched folder (<c>--camera-files</c>) and tests feed their
/// frames through <see cref="PresentAsync"/>. It captures when the face engine is loaded. A frame that is too large
/// or not an image is refused here, before it reaches enrollment or the door.
/// </summary>
internal sealed class SimulatedCamera(FaceEngineLoad? faces = null, int maxFrameBytes = CameraFrames.DefaultMaxBytes) : ICamera
{
    private Func<CameraFrame, CancellationToken, Task<FaceOutcome>>? _onFrame;

    public bool CanCapture => faces?.Engine is not null;

    /// <summary>Why the camera cannot capture (the face engine's reason), or null when it can.</summary>
    public string? Unavailable => CanCapture ? null : faces?.Unavailable ?? "The face engine is not loaded.";

    /// <summary>The largest frame accepted, in bytes.</summary>
    public int MaxFrameBytes => maxFrameBytes;

    public void Attach(Func<CameraFrame, CancellationToken, Task<FaceOutcome>> onFrame) => _onFrame = onFrame;

    /// <summary>
    /// Hands one frame to the attached handler. A frame over <see cref="MaxFrameBytes"/> is answered
    /// <c>imageTooLarge</c>, one that is not a JPEG, PNG or WebP <c>unreadableImage</c>, without the handler seeing
    /// it. Without a face engine frames still go on, for the phones' QR codes; the door answers any other frame
    /// <c>cameraUnavailable</c>.
    /// </summary>
    public Task<FaceOutcome> PresentAsync(CameraFrame frame, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(frame);
        if (CameraFrames.Check(frame.Image.Span, maxFrameBytes) is { } refused)
        {
            return Task.FromResult(new FaceOutcome(false, refused));
        }

        return _onFrame is { } onFrame
            ? onFrame(frame, ct)
            : throw new InvalidOperationException("The camera is not attached to a door controller yet.");
    }
}

/// <summary>The simulator's lock relays: remembers which are open, for the device screen.</summary>
internal sealed class SimulatedLockRelay : ILockRelay
{
    private readonly ConcurrentDictionary<Guid, bool> _open = new();

    public void Set(Guid doorId, bool open) => _open[doorId] = open;

    public bool IsOpen(Guid doorId) => _open.TryGetValue(doorId, out var open) && open;
}

/// <summary>The simulator's LED ring: remembers its colour, for the device screen.</summary>
internal sealed class SimulatedLed : ILed
{
    private volatile int _color;

    public LedColor Color => (LedColor)_color;

    public void Show(LedColor color) => _color = (int)color;
}

/// <summary>
/// The simulator's network cable, switched by the device screen's "Unplug network" button. Unplugged, the
/// broker connection drops its connection the way a pulled cable would and waits until it is plugged back.
/// </summary>
internal sealed partial class SimulatedNetworkLink(ILogger<SimulatedNetworkLink> logger) : INetworkLink
{
    private readonly Lock _gate = new();
    private TaskCompletionSource _up = NewUp(completed: true);

    public event Action? WentDown;

    public bool IsUp
    {
        get
        {
            lock (_gate)
            {
                return _up.Task.IsCompleted;
            }
        }
    }

    /// <summary>Plugs the cable in or pulls it out; doing what is already done changes nothing.</summary>
    public void Set(bool plugged)
    {
        bool wentDown;
        lock (_gate)
        {
            if (plugged == _up.Task.IsCompleted)
            {
                return;
            }

            if (plugged)
            {
                _up.TrySetResult();
            }
            else
            {
                _up = NewUp(completed: false);
            }

            wentDown = !plugged;
        }

        LogNetwork(logger, plugged);
        if (wentDown)
        {
            WentDown?.Invoke();
        }
    }

    public Task WaitUpAsync(CancellationToken ct)
    {
        lock (_gate)
        {
            return _up.Task.WaitAsync(ct);
        }
    }

    private static TaskCompletionSource NewUp(bool completed)
    {
        var up = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        if (completed)
        {
            up.SetResult();
        }

        return up;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Simulated network plugged in: {Plugged}")]
    private static partial void LogNetwork(ILogger logger, bool plugged);
}

/// <summary>Options of the speaker: <c>Gatehouse:Device:Speaker</c>.</summary>
internal sealed class SpeakerOptions
{
    public const string Section = "Gatehouse:Device:Speaker";

    /// <summary>Speak prompts aloud with <see cref="VoiceCommand"/> when it is installed.</summary>
    public bool Voice { get; set; } = true;

    /// <summary>The text-to-speech program, given the prompt as its last argument.</summary>
    public string VoiceCommand { get; set; } = "espeak-ng";
}

/// <summary>
/// The simulator's speaker: keeps the prompt for the device screen and, when <c>espeak-ng</c> is installed,
/// also says it aloud. Speaking never blocks the door and never fails it: a missing or broken program is
/// logged once and then left alone.
/// </summary>
internal sealed partial class SimulatedSpeaker(IOptions<SpeakerOptions> options, ILogger<SimulatedSpeaker> logger) : ISpeaker, IDisposable
{
    private readonly Lock _gate = new();
    private readonly string? _program = options.Value.Voice ? FindOnPath(options.Value.VoiceCommand) : null;
    private Process? _speaking;
    private bool _failed;
    private string _prompt = string.Empty;

    /// <summary>The prompt shown now; empty when the device is idle.</summary>
    public string Prompt => Volatile.Read(ref _prompt);

    public void Say(string prompt)
    {
        Volatile.Write(ref _prompt, prompt);
        if (_program is not null && prompt.Length > 0)
        {
            Speak(_program, prompt);
        }
    }

    public void Silence() => Volatile.Write(ref _prompt, string.Empty);

    public void Dispose()
    {
        lock (_gate)
        {
            Stop();
        }
    }

    private void Speak(string program, string prompt)
    {
        lock (_gate)
        {
            if (_failed)
            {
                return;
            }

            // A new prompt cuts the old one off, as a person at the door would want.
            Stop();
            try
            {
                var start = new ProcessStartInfo(program) { UseShellExecute = false, RedirectStandardError = true, RedirectStandardOutput = true };
                start.ArgumentList.Add("--");
                start.ArgumentList.Add(prompt);
                var process = new Process { StartInfo = start, EnableRaisingEvents = true };
                process.Exited += (_, _) => process.Dispose();
                process.Start();
                // Read and forget what it prints, so a chatty or failing voice never fills a pipe and stalls.
                _ = process.StandardOutput.ReadToEndAsync();
                _ = process.StandardError.ReadToEndAsync();
                _speaking = process;
            }
            catch (Exception e) when (e is Win32Exception or InvalidOperationException or IOException)
            {
                _failed = true;
                LogVoiceFailed(logger, program, e.Message);
            }
        }
    }

    private void Stop()
    {
        try
        {
            if (_speaking is { HasExited: false } speaking)
            {
                speaking.Kill();
            }
        }
        catch (Exception e) when (e is InvalidOperationException or Win32Exception)
        {
            // It ended by itself meanwhile.
        }

        _speaking = null;
    }

    private static string? FindOnPath(string program)
    {
        if (Path.IsPathRooted(program))
        {
            return File.Exists(program) ? program : null;
        }

        foreach (var directory in (Environment.GetEnvironmentVariable("PATH") ?? string.Empty).Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries))
        {
            var candidate = Path.Combine(directory, program);
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        return null;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Cannot speak prompts with {Program} ({Error}); they are shown only")]
    private static partial void LogVoiceFailed(ILogger logger, string program, string error);
}
