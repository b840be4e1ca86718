using System.ComponentModel.DataAnnotations;

namespace Gatehouse.Server.Features.Devices;

/// <summary>Settings of the device features, under <c>Gatehouse:Devices</c> (the broker has its own).</summary>
internal sealed class DeviceOptions
{
    public const string Section = "Gatehouse:Devices";

    /// <summary>
    /// Claims a client address may try per minute. A device claims once; the limit is what makes an
    /// 80-bit code out of reach of guessing even before it expires.
    /// </summary>
    [Range(1, 100_000)]
    public int ClaimAttemptsPerMinute { get; set; } = 10;

    /// <summary>
    /// How long a remote unlock or a Cloud Key waits for the device to confirm that it operated the lock;
    /// without the confirmation the door "did not answer".
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "00:01:00")]
    public TimeSpan UnlockConfirmationTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// Added to <see cref="UnlockConfirmationTimeout"/> for an unlock command's <c>expiresAt</c>: room for the
    /// trip to the device and for its clock running a little behind or ahead. A device whose clock is further
    /// ahead than the timeout and this margin together refuses every remote unlock as expired.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00", "00:05:00")]
    public TimeSpan UnlockExpiryMargin { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>How far ahead of the server's clock a device's event may be dated (clock drift); later ones are refused.</summary>
    [Range(typeof(TimeSpan), "00:00:00", "1.00:00:00")]
    public TimeSpan MaxEventClockSkew { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>
    /// How old an event a device reports may be: the longest a device is expected to keep events while offline.
    /// Older ones are refused.
    /// </summary>
    [Range(typeof(TimeSpan), "01:00:00", "3650.00:00:00")]
    public TimeSpan MaxEventAge { get; set; } = TimeSpan.FromDays(30);
}
