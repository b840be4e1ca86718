using System.ComponentModel.DataAnnotations;

namespace Gatehouse.Server.Features.Mobile;

/// <summary>Settings of mobile credentials, under <c>Gatehouse:Mobile</c>.</summary>
internal sealed class MobileOptions
{
    public const string Section = "Gatehouse:Mobile";

    /// <summary>
    /// Requests to the app's public endpoints (activation, challenges, doors, unlock) one client address may make per
    /// minute. Activation codes are 256 bits and every other call needs the phone's signature; this keeps one client
    /// from flooding the store with challenges.
    /// </summary>
    [Range(1, 1_000_000)]
    public int PublicRequestsPerMinute { get; set; } = 60;

    /// <summary>How long an activation link works.</summary>
    [Range(typeof(TimeSpan), "00:10:00", "30.00:00:00")]
    public TimeSpan ActivationLifetime { get; set; } = TimeSpan.FromDays(7);

    /// <summary>How long a phone has to sign a challenge.</summary>
    [Range(typeof(TimeSpan), "00:00:05", "00:05:00")]
    public TimeSpan ChallengeLifetime { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>Challenges one credential may hold unanswered at once; more are refused until some expire.</summary>
    [Range(1, 1000)]
    public int MaxOpenChallenges { get; set; } = 20;
}
