using System.ComponentModel.DataAnnotations;

namespace Gatehouse.Server.Features.Accounts;

/// <summary>Sign-in and token settings, under <c>Gatehouse:Accounts</c>.</summary>
internal sealed class AccountOptions
{
    public const string Section = "Gatehouse:Accounts";

    /// <summary>Wrong passwords in a row before the account is locked.</summary>
    [Range(1, 100)]
    public int MaxFailedSignIns { get; set; } = 5;

    /// <summary>How long a locked account stays locked.</summary>
    public TimeSpan LockoutDuration { get; set; } = TimeSpan.FromMinutes(15);

    /// <summary>How long an API access token is valid.</summary>
    public TimeSpan TokenLifetime { get; set; } = TimeSpan.FromHours(8);

    /// <summary>A console sign-in ends after this long without a request (the cookie's sliding expiry).</summary>
    public TimeSpan ConsoleIdleTimeout { get; set; } = TimeSpan.FromHours(8);

    /// <summary>A console sign-in ends this long after it began, however active.</summary>
    public TimeSpan ConsoleLifetime { get; set; } = TimeSpan.FromHours(12);

    /// <summary>Sign-in attempts allowed per client address per minute.</summary>
    [Range(1, 10_000)]
    public int SignInAttemptsPerMinute { get; set; } = 20;

    [Range(8, 128)]
    public int MinPasswordLength { get; set; } = 10;
}
