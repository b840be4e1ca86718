namespace Gatehouse.Core.Decisions;

/// <summary>
/// The answer of <see cref="AccessSnapshot"/> for one presentation at one door and instant.
/// </summary>
/// <param name="Reason">Why access is granted or denied.</param>
/// <param name="UserId">The credential's user; absent only for <see cref="AccessReason.UnknownCredential"/>.</param>
/// <param name="CredentialId">The credential; absent only for <see cref="AccessReason.UnknownCredential"/>.</param>
/// <param name="AccessGroupId">
/// The access group that granted; when a schedule denied, the group whose schedule did
/// (<see cref="AccessReason.OutsideSchedule"/>: the first covering group that is not on holiday;
/// <see cref="AccessReason.Holiday"/>: the first covering group). Absent for every other reason.
/// </param>
public readonly record struct AccessDecision(
    AccessReason Reason, Guid? UserId = null, Guid? CredentialId = null, Guid? AccessGroupId = null)
{
    /// <summary>True when the door may open: <see cref="Reason"/> is <see cref="AccessReason.Granted"/>.</summary>
    public bool Granted => Reason == AccessReason.Granted;
}
