using System.Text.Json.Serialization;
using Gatehouse.Server.Features.Credentials;

namespace Gatehouse.Server.Features.CloudKeys;

/// <summary>Where a Cloud Key is in its life, as the admin and the key's page see it.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<CloudKeyState>))]
internal enum CloudKeyState
{
    [JsonStringEnumMemberName("active")] Active,
    [JsonStringEnumMemberName("notYetValid")] NotYetValid,
    [JsonStringEnumMemberName("expired")] Expired,
    [JsonStringEnumMemberName("suspended")] Suspended,
    [JsonStringEnumMemberName("used")] Used,
    [JsonStringEnumMemberName("locked")] Locked,
    [JsonStringEnumMemberName("revoked")] Revoked,
}

/// <summary>The Cloud Key part of a credential as the API shows it (never the token or the PIN).</summary>
internal sealed record CloudKeyDto(
    CloudKeyState State,
    bool OneTimeUse,
    bool SendEmail,
    bool SendText,
    DateTimeOffset SentAt,
    DateTimeOffset? UsedAt,
    DateTimeOffset? RevokedAt,
    DateTimeOffset? LockedAt,
    int FailedPinAttempts);

internal static class CloudKeyStates
{
    /// <summary>
    /// The state at <paramref name="now"/>; the first that holds of: revoked, used, locked, suspended,
    /// expired, not yet valid, active. A revoked key stays revoked whatever else is true of it.
    /// </summary>
    public static CloudKeyState StateAt(this CloudKeyCredential key, DateTimeOffset now) =>
        key.RevokedAt is not null ? CloudKeyState.Revoked
        : key.UsedAt is not null ? CloudKeyState.Used
        : key.LockedAt is not null ? CloudKeyState.Locked
        : key.Status == CredentialStatus.Suspended ? CloudKeyState.Suspended
        : key.ValidUntil is { } until && now >= until ? CloudKeyState.Expired
        : key.ValidFrom is { } from && now < from ? CloudKeyState.NotYetValid
        : CloudKeyState.Active;

    public static CloudKeyDto ToCloudKeyDto(this CloudKeyCredential key, DateTimeOffset now) => new(
        key.StateAt(now), key.OneTimeUse, key.SendEmail, key.SendText, key.SentAt, key.UsedAt, key.RevokedAt, key.LockedAt,
        key.FailedPinAttempts);
}
