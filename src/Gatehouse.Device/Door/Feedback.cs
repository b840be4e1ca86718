using Gatehouse.Device.Hardware;
using Microsoft.Extensions.Options;

namespace Gatehouse.Device.Door;

/// <summary>
/// What the person at the door sees and hears: the LED ring's colour and the spoken prompt. An answer is
/// shown for <see cref="DoorOptions.ResultDisplayTime"/> and then the device is idle again (LED off, no
/// prompt); a waiting state (an enrollment) is held until something replaces it.
/// </summary>
internal sealed class Feedback : IDisposable
{
    private readonly ILed _led;
    private readonly ISpeaker _speaker;
    private readonly TimeSpan _displayTime;
    private readonly ITimer _idleTimer;
    private readonly Lock _gate = new();
    private long _shown;
    private long _idleAfter = -1;

    public Feedback(ILed led, ISpeaker speaker, TimeProvider clock, IOptions<DoorOptions> options)
    {
        _led = led;
        _speaker = speaker;
        _displayTime = options.Value.ResultDisplayTime;
        _idleTimer = clock.CreateTimer(static state => ((Feedback)state!).IdleIfUnchanged(), this, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
        led.Show(LedColor.Off);
    }

    /// <summary>Shows an answer, then goes idle after the display time unless something else was shown meanwhile.</summary>
    public void Show(LedColor color, string prompt) => Set(color, prompt, hold: false);

    /// <summary>Shows a waiting state until the next <see cref="Show"/>, <see cref="Hold"/> or <see cref="Idle"/>.</summary>
    public void Hold(LedColor color, string prompt) => Set(color, prompt, hold: true);

    /// <summary>LED off, no prompt.</summary>
    public void Idle()
    {
        lock (_gate)
        {
            _shown++;
            _idleTimer.Change(Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
            _led.Show(LedColor.Off);
            _speaker.Silence();
        }
    }

    public void Dispose() => _idleTimer.Dispose();

    private void Set(LedColor color, string prompt, bool hold)
    {
        lock (_gate)
        {
            _shown++;
            _idleAfter = hold ? -1 : _shown;
            _led.Show(color);
            _speaker.Say(prompt);
            _idleTimer.Change(hold ? Timeout.InfiniteTimeSpan : _displayTime, Timeout.InfiniteTimeSpan);
        }
    }

    private void IdleIfUnchanged()
    {
        lock (_gate)
        {
            // A firing that lost the race with something newer finds a different generation and leaves it be.
            if (_idleAfter != _shown)
            {
                return;
            }

            _shown++;
            _idleAfter = -1;
            _led.Show(LedColor.Off);
            _speaker.Silence();
        }
    }
}
