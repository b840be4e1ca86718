using Gatehouse.Core.Decisions;
using Gatehouse.Core.Mobile;
using Gatehouse.Device.Mqtt;
using Gatehouse.Device.Store;
using Gatehouse.Device.Sync;
using Microsoft.Extensions.Options;

namespace Gatehouse.Device.Door;

/// <summary>
/// What a QR text shown at the door proves, offline: whether it is one of our tokens, for a synced phone, signed by
/// that phone's key, for this device's organization, current by the device's clock, and not shown before. Only a
/// token that passes all of that reaches the access engine; each check's failure is its own reason.
/// </summary>
internal sealed class MobileTokens(DeviceStore store, DeviceIdentity identity, IOptions<MobileOptions> options)
{
    private readonly TimeSpan _tolerance = options.Value.ClockTolerance;

    /// <summary>
    /// Checks <paramref name="text"/> against <paramref name="view"/>'s phone keys at <paramref name="now"/>.
    /// <see cref="MobileCheck.Reason"/> is <see cref="AccessReason.Granted"/> when the engine may decide on
    /// <see cref="MobileCheck.CredentialId"/>; the token's ID is then recorded, so it passes once.
    /// </summary>
    public MobileCheck Check(string? text, AccessView view, DateTimeOffset now)
    {
        if (!MobileToken.TryRead(text, out var token, out var ours))
        {
            // Another QR code (a menu, a Wi-Fi login) is no credential of ours; a broken one of ours is invalid.
            return new MobileCheck(ours ? AccessReason.TokenInvalid : AccessReason.UnknownCredential, null, null);
        }

        if (!view.PhoneKeys.TryGetValue(token.CredentialId, out var phone))
        {
            return new MobileCheck(AccessReason.UnknownCredential, null, null);
        }

        if (!token.IsSignedBy(phone.Key))
        {
            // Nothing proves who showed it: the event names no phone and no user.
            return new MobileCheck(AccessReason.TokenInvalid, null, null);
        }

        if (token.OrganizationId != identity.OrganizationId)
        {
            return new MobileCheck(AccessReason.TokenInvalid, token.CredentialId, phone.UserId);
        }

        var time = token.CheckTime(now, _tolerance);
        if (time != AccessReason.Granted)
        {
            return new MobileCheck(time, token.CredentialId, phone.UserId);
        }

        return store.TryRecordToken(token.CredentialId, token.Jti, token.ExpiresAt + _tolerance, now)
            ? new MobileCheck(AccessReason.Granted, token.CredentialId, phone.UserId)
            : new MobileCheck(AccessReason.TokenReplayed, token.CredentialId, phone.UserId);
    }
}

/// <summary>
/// A QR text's check: <see cref="AccessReason.Granted"/> lets the engine decide; <see cref="CredentialId"/> and
/// <see cref="UserId"/> are set once the phone's signature is proven.
/// </summary>
internal readonly record struct MobileCheck(AccessReason Reason, Guid? CredentialId, Guid? UserId);
