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
}
