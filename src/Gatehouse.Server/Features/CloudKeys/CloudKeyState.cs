using System.Text.Json.Serialization;
using Gatehouse.Core.Decisions;
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

    /// <summary>
    /// Why the key opens no door at all, in the order the unlock checks it: revoked, locked, used. Null when
    /// the access engine decides (validity, suspension, groups and schedules), as it does for every credential.
    /// </summary>
    public static AccessReason? RefusalOfKey(this CloudKeyCredential key) =>
        key.RevokedAt is not null ? AccessReason.CredentialRevoked
        : key.LockedAt is not null ? AccessReason.CredentialLocked
        : key.UsedAt is not null ? AccessReason.CredentialUsed
        : null;

    /// <summary>What the door decides for the key at <paramref name="at"/>, PIN aside: the key's own refusal, else the engine's.</summary>
    public static AccessDecision Decide(this CloudKeyCredential key, AccessSnapshot snapshot, Guid doorId, DateTimeOffset at) =>
        key.RefusalOfKey() is { } refusal
            ? new AccessDecision(refusal, key.UserId, key.Id)
            : snapshot.DecideCredential(key.Id, doorId, at);

    public static CloudKeyDto ToCloudKeyDto(this CloudKeyCredential key, DateTimeOffset now) => new(
        key.StateAt(now), key.OneTimeUse, key.SendEmail, key.SendText, key.SentAt, key.UsedAt, key.RevokedAt, key.LockedAt,
        key.FailedPinAttempts);
}
