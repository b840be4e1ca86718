using System.ComponentModel.DataAnnotations;

namespace Gatehouse.Device.Door;

/// <summary>Options of the doors: <c>Gatehouse:Device</c> (<c>Gatehouse__Device__UnlockTime=00:00:08</c>).</summary>
internal sealed class DoorOptions
{
    public const string Section = "Gatehouse:Device";

    /// <summary>How long the lock relay stays open after a grant or a remote unlock.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "01:00:00")]
    public TimeSpan UnlockTime { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>How long the LED and prompt show an answer before the device is idle again.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "00:10:00")]
    public TimeSpan ResultDisplayTime { get; set; } = TimeSpan.FromSeconds(3);

    /// <summary>
    /// How long a person still in front of the camera after a decision is not decided again: their frames answer
    /// <c>repeat</c>, with no second event and no second unlock.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00", "00:10:00")]
    public TimeSpan FaceRepeatWindow { get; set; } = TimeSpan.FromSeconds(5);
}
