using System.ComponentModel.DataAnnotations;

namespace Gatehouse.Server.Features.CloudKeys;

/// <summary>Settings of Cloud Keys, under <c>Gatehouse:CloudKeys</c>.</summary>
internal sealed class CloudKeyOptions
{
    public const string Section = "Gatehouse:CloudKeys";

    /// <summary>
    /// Requests to the public Cloud Key endpoints (page and unlock) a client address may make per minute.
    /// The lock after five wrong PINs protects each key; this keeps one client from trying many.
    /// </summary>
    [Range(1, 1_000_000)]
    public int PublicRequestsPerMinute { get; set; } = 60;
}
