using System.Diagnostics.CodeAnalysis;

namespace Gatehouse.Core.Decisions;

/// <summary>
/// Why access was granted or denied. The API spells each member in camelCase
/// (<see cref="AccessReasons.ToApiName"/>): <c>granted</c>, <c>unknownCredential</c>, …
/// </summary>
public enum AccessReason
{
    /// <summary><c>granted</c>: an access group of the user covers the door and its schedule is open.</summary>
    Granted = 0,

    /// <summary><c>unknownCredential</c>: no credential of the organization matches what was presented.</summary>
    UnknownCredential = 1,

    /// <summary><c>credentialSuspended</c>: the credential is suspended.</summary>
    CredentialSuspended = 2,

    /// <summary><c>credentialExpired</c>: the instant is at or after the credential's <c>validUntil</c>.</summary>
    CredentialExpired = 3,

    /// <summary><c>credentialNotYetValid</c>: the instant is before the credential's <c>validFrom</c>.</summary>
    CredentialNotYetValid = 4,

    /// <summary><c>userSuspended</c>: the credential's user is suspended.</summary>
    UserSuspended = 5,

    /// <summary><c>userExpired</c>: the instant is at or after the user's <c>validUntil</c>.</summary>
    UserExpired = 6,

    /// <summary><c>userNotYetValid</c>: the instant is before the user's <c>validFrom</c>.</summary>
    UserNotYetValid = 7,

    /// <summary><c>noAccessToDoor</c>: no access group of the user covers the door.</summary>
    NoAccessToDoor = 8,

    /// <summary><c>outsideSchedule</c>: groups cover the door, but none of their schedules is open now.</summary>
    OutsideSchedule = 9,

    /// <summary><c>holiday</c>: every group covering the door has a schedule on holiday at the door's local date.</summary>
    Holiday = 10,

    /// <summary><c>wrongPin</c>: a credential that needs a PIN (a Cloud Key) was used with a wrong one.</summary>
    WrongPin = 11,

    /// <summary><c>credentialUsed</c>: a one-time credential (a Cloud Key) has opened its door already.</summary>
    CredentialUsed = 12,

    /// <summary><c>credentialRevoked</c>: an administrator revoked the credential (a Cloud Key).</summary>
    CredentialRevoked = 13,

    /// <summary><c>credentialLocked</c>: too many wrong PINs locked the credential until an administrator unlocks it.</summary>
    CredentialLocked = 14,

    /// <summary>
    /// <c>tokenInvalid</c>: a mobile credential's proof (a door QR token or a signed challenge) is malformed, is
    /// signed by another key, or names another organization.
    /// </summary>
    TokenInvalid = 15,

    /// <summary><c>tokenExpired</c>: a mobile credential's proof is past its expiry (beyond the clock tolerance).</summary>
    TokenExpired = 16,

    /// <summary><c>tokenNotYetValid</c>: a door QR token was issued in the future (beyond the clock tolerance).</summary>
    TokenNotYetValid = 17,

    /// <summary><c>tokenReplayed</c>: a door QR token or a challenge that was used already.</summary>
    TokenReplayed = 18,
}

/// <summary>The API spelling of <see cref="AccessReason"/>.</summary>
public static class AccessReasons
{
    private static readonly string[] Names =
    [
        "granted", "unknownCredential", "credentialSuspended", "credentialExpired", "credentialNotYetValid",
        "userSuspended", "userExpired", "userNotYetValid", "noAccessToDoor", "outsideSchedule", "holiday",
        "wrongPin", "credentialUsed", "credentialRevoked", "credentialLocked",
        "tokenInvalid", "tokenExpired", "tokenNotYetValid", "tokenReplayed",
    ];

    private static readonly string[] Words =
    [
        "Granted", "Unknown credential", "Credential suspended", "Credential expired", "Credential not valid yet",
        "User suspended", "User no longer valid", "User not valid yet", "No access group opens this door", "Outside the schedule", "Holiday",
        "Wrong PIN", "One-time key already used", "Key revoked", "Key locked after wrong PINs",
        "Phone's code not valid", "Phone's code expired", "Phone's code from the future", "Phone's code already used",
    ];

    /// <summary>Every reason's API name, in the order of the enum.</summary>
    public static IReadOnlyList<string> ApiNames => Names;

    /// <summary>The API name of a reason, e.g. <c>outsideSchedule</c>.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is not a member of <see cref="AccessReason"/>.</exception>
    public static string ToApiName(this AccessReason reason) =>
        (uint)reason < (uint)Names.Length
            ? Names[(int)reason]
            : throw new ArgumentOutOfRangeException(nameof(reason), reason, "Not an access reason.");

    /// <summary>
    /// A reason in a few English words for people (a device screen, the console, the events CSV), such as
    /// "Outside the schedule" for <see cref="AccessReason.OutsideSchedule"/>. The API keeps the code
    /// (<see cref="ToApiName"/>); this is the one place that turns it into words.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is not a member of <see cref="AccessReason"/>.</exception>
    public static string ToWords(this AccessReason reason) =>
        (uint)reason < (uint)Words.Length
            ? Words[(int)reason]
            : throw new ArgumentOutOfRangeException(nameof(reason), reason, "Not an access reason.");

    /// <summary>
    /// The words of a reason given by its API name (<c>userSuspended</c> → "User suspended"); a name that is
    /// not a reason of this version (a newer one, stored by a newer device) is returned as it is.
    /// </summary>
    public static string DescribeApiName(string? name) =>
        TryParse(name, out var reason) ? reason.ToWords() : name ?? string.Empty;

    /// <summary>Reads an API name exactly as written by <see cref="ToApiName"/> (case-sensitive).</summary>
    public static bool TryParse([NotNullWhen(true)] string? name, out AccessReason reason)
    {
        var index = Array.IndexOf(Names, name);
        reason = (AccessReason)Math.Max(index, 0);
        return index >= 0;
    }
}
