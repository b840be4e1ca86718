using Gatehouse.Core.DeviceProtocol;
using Gatehouse.Server.Data;
using Gatehouse.Server.Features.Devices.Gateway;
using Gatehouse.Server.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace Gatehouse.Server.Features.Devices;

/// <summary>
/// A device exchanging its one-time claim code for its own MQTT credentials. Anonymous: the code is the
/// proof, and it names the device and so its organization. The code works once and only until it
/// expires; an unknown, used or expired code get the same refusal, so a caller learns nothing from it.
/// </summary>
internal sealed partial class DeviceClaimService(
    GatehouseDbContext db, CurrentOrganization current, DeviceGateway gateway, TimeProvider clock, ILogger<DeviceClaimService> logger)
{
    private const int ClaimCodeMaxLength = 100;
    private const int SoftwareVersionMaxLength = 50;

    private static readonly ApiError Refused = new ApiError.Unauthorized(
        "Invalid or expired claim code. Ask an administrator for a new one (Devices → the device → New claim code).", "Claim refused");

    /// <summary>
    /// The device's credentials; <see cref="ApiError.Unauthorized"/> when the code is refused (unknown, used or
    /// expired alike); <see cref="ApiError.Invalid"/> when the request is malformed.
    /// <paramref name="requestHost"/> is the host the device reached the API at, which tells it where the broker is too.
    /// </summary>
    public async Task<Result<ClaimResponse>> ClaimAsync(ClaimRequest request, string requestHost, CancellationToken ct)
    {
        var v = new Validation()
            .Text("claimCode", request.ClaimCode, ClaimCodeMaxLength)
            .Text("softwareVersion", request.SoftwareVersion, SoftwareVersionMaxLength, required: false);
        if (!v.IsValid)
        {
            return v.ToError();
        }

        var hash = DeviceSecrets.HashClaimCode(request.ClaimCode);
        var now = clock.GetUtcNow();
        var device = await db.Devices.IgnoreQueryFilters().SingleOrDefaultAsync(d => d.ClaimCodeHash == hash, ct);
        if (device is null || device.ClaimCodeExpiresAt is not { } expiresAt || expiresAt <= now)
        {
            LogRefused(logger);
            return Refused;
        }

        current.Set(device.OrganizationId);
        await using var transaction = await db.Database.BeginTransactionAsync(ct);

        // Takes the code in one statement, so of two devices presenting it at once exactly one gets it.
        var taken = await db.Devices.IgnoreQueryFilters()
            .Where(d => d.Id == device.Id && d.ClaimCodeHash == hash)
            .ExecuteUpdateAsync(s => s.SetProperty(d => d.ClaimCodeHash, (string?)null), ct);
        if (taken == 0)
        {
            LogRefused(logger);
            return Refused;
        }

        if (device.SecretHash is not null)
        {
            await gateway.RevokeAsync(device.OrganizationId, device.Id, ct);
        }

        var password = DeviceSecrets.NewPassword();
        device.ClaimCodeHash = null;
        device.ClaimCodeExpiresAt = null;
        device.SecretHash = DeviceSecrets.Hash(password);
        device.ClaimedAt = now;
        device.UpdatedAt = now;
        await db.SaveChangesAsync(ct);

        // Provisioned before the commit: should the broker refuse, the code stays unused and the device may try again.
        await gateway.ProvisionAsync(device.OrganizationId, device.Id, password, ct);
        await transaction.CommitAsync(ct);

        var version = request.SoftwareVersion?.Trim() ?? "unknown";
        LogClaimed(logger, device.Id, device.OrganizationId, version);
        return new ClaimResponse(
            device.Id,
            device.OrganizationId,
            device.Name,
            device.Model.ToString(),
            gateway.EndpointFor(requestHost),
            device.Id.ToString(),
            password);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "A device claim was refused: the claim code is unknown, used or expired")]
    private static partial void LogRefused(ILogger logger);

    [LoggerMessage(Level = LogLevel.Information, Message = "Device {DeviceId} of organization {OrganizationId} claimed (software {SoftwareVersion})")]
    private static partial void LogClaimed(ILogger logger, Guid deviceId, Guid organizationId, LogText softwareVersion);
}
