namespace Gatehouse.Server.Components.Shared;

/// <summary>The console's words for the API's access reasons (<c>outsideSchedule</c> → "Outside the schedule").</summary>
public static class AccessReasonText
{
    public static string Describe(string reason) => reason switch
    {
        "granted" => "Granted",
        "unknownCredential" => "Unknown credential",
        "credentialSuspended" => "Credential suspended",
        "credentialExpired" => "Credential expired",
        "credentialNotYetValid" => "Credential not valid yet",
        "userSuspended" => "User suspended",
        "userExpired" => "User no longer valid",
        "userNotYetValid" => "User not valid yet",
        "noAccessToDoor" => "No access group opens this door",
        "outsideSchedule" => "Outside the schedule",
        "holiday" => "Holiday",
        "wrongPin" => "Wrong PIN",
        "credentialUsed" => "One-time key already used",
        "credentialRevoked" => "Key revoked",
        "credentialLocked" => "Key locked after wrong PINs",
        _ => reason,
    };
}
