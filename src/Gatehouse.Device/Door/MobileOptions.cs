using System.ComponentModel.DataAnnotations;

namespace Gatehouse.Device.Door;

/// <summary>Options of phones at the door: <c>Gatehouse:Device:Mobile</c> (<c>Gatehouse__Device__Mobile__ClockTolerance=00:01:00</c>).</summary>
internal sealed class MobileOptions
{
    public const string Section = "Gatehouse:Device:Mobile";

    /// <summary>
    /// How far the phone's clock and the device's may disagree, either way: a QR token issued up to this far in the
    /// future is accepted, and one expired less than this long ago. Each token ID is remembered until its expiry plus
    /// this tolerance, so it is refused as replayed for as long as its time would still pass.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00", "00:10:00")]
    public TimeSpan ClockTolerance { get; set; } = TimeSpan.FromSeconds(30);
}
