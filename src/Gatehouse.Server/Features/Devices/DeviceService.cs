using System.Text.Json.Serialization;
using Gatehouse.Core.Cards;
using Gatehouse.Server.Data;
using Gatehouse.Server.Features.Devices.Gateway;
using Gatehouse.Server.Features.Doors;
using Gatehouse.Server.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace Gatehouse.Server.Features.Devices;

/// <summary>
/// A device as the API shows it: what an admin set, and what the device last reported. The claim code is
/// there only in the answer that issued it; the store keeps its hash alone.
/// </summary>
internal sealed record DeviceDto(
    Guid Id,
    string Name,
    DeviceModel Model,
    Guid SiteId,
    IReadOnlyList<Guid> DoorIds,
    string? WiegandFormat,
    bool Claimed,
    DateTimeOffset? ClaimedAt,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? ClaimCode,
    DateTimeOffset? ClaimCodeExpiresAt,
    bool Online,
    DateTimeOffset? LastSeenAt,
    long SyncVersion,
    string? SoftwareVersion,
    IReadOnlyList<Guid> UnlockedDoorIds,
    int QueuedEvents,
    long DroppedEvents,
    long RejectedEvents,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt);

/// <summary>
/// <c>model</c> and <c>wiegandFormat</c> are read as text so that an unknown value is a 400 naming the field.
/// No <c>wiegandFormat</c> means the reader reports cards by their serial number (CSN).
/// </summary>
internal sealed record CreateDeviceRequest(
    string? Name, string? Model, Guid? SiteId, IReadOnlyList<Guid>? DoorIds = null, string? WiegandFormat = null);

/// <summary><c>doorIds</c>, when present, replaces the device's doors; <c>wiegandFormat: null</c> switches the reader to CSN.</summary>
internal sealed record UpdateDeviceRequest
{
    public Optional<string?> Name { get; init; }

    public Optional<string?> Model { get; init; }

    public Optional<Guid?> SiteId { get; init; }

    public Optional<IReadOnlyList<Guid>?> DoorIds { get; init; }

    public Optional<string?> WiegandFormat { get; init; }
}

internal static class DeviceMapping
{
    public static DeviceDto ToDto(this Device device, DeviceState? state, DateTimeOffset now, string? claimCode = null) => new(
        device.Id,
        device.Name,
        device.Model,
        device.SiteId,
        [.. device.Doors.Select(d => d.DoorId).Order()],
        device.WiegandFormat?.ToApiName(),
        device.SecretHash is not null,
        device.ClaimedAt,
        claimCode,
        device.ClaimCodeExpiresAt,
        state?.IsOnlineAt(now) ?? false,
        state?.LastSeenAt,
        state?.SyncVersion ?? 0,
        state?.SoftwareVersion,
        state is null ? [] : [.. state.UnlockedDoorIds.Order()],
        state?.QueuedEvents ?? 0,
        state?.DroppedEvents ?? 0,
        state?.RejectedEvents ?? 0,
        device.CreatedAt,
        device.UpdatedAt);
}

/// <summary>
/// The current organization's door devices: adding them with a claim code, changing the doors they
/// control, and removing them (which ends their MQTT session). Shared by the API and the admin console.
/// </summary>
internal sealed partial class DeviceService(GatehouseDbContext db, DeviceGateway gateway, TimeProvider clock, ILogger<DeviceService> logger)
{
    public async Task<Result<PagedList<DeviceDto>>> ListAsync(int? page, int? pageSize, CancellationToken ct)
    {
        if (Paging.Check(page, pageSize) is { } error)
        {
            return error;
        }

        var devices = await db.Devices.AsNoTracking().Include(d => d.Doors).OrderBy(d => d.Name).ThenBy(d => d.Id)
            .ToPageAsync(page, pageSize, d => d, ct);
        var states = await StatesAsync([.. devices.Items.Select(d => d.Id)], ct);
        return new PagedList<DeviceDto>(
            [.. devices.Items.Select(d => d.ToDto(states.GetValueOrDefault(d.Id), clock.GetUtcNow()))], devices.Page, devices.PageSize, devices.Total);
    }

    public async Task<Result<DeviceDto>> GetAsync(Guid id, CancellationToken ct)
    {
        var device = await db.Devices.AsNoTracking().Include(d => d.Doors).SingleOrDefaultAsync(d => d.Id == id, ct);
        if (device is null)
        {
            return new ApiError.NotFound("The device");
        }

        return device.ToDto(await db.DeviceStates.AsNoTracking().SingleOrDefaultAsync(s => s.DeviceId == id, ct), clock.GetUtcNow());
    }

    /// <summary>Adds a device with a fresh claim code, which is in the answer and nowhere else.</summary>
    public async Task<Result<DeviceDto>> CreateAsync(CreateDeviceRequest request, CancellationToken ct)
    {
        var v = new Validation().Text("name", request.Name, Device.NameMaxLength);
        CheckModel(v, request.Model, required: true);
        var format = CheckWiegandFormat(v, request.WiegandFormat);
        var siteOk = await CheckSiteAsync(v, request.SiteId, ct);
        var doorIds = v.Within("doorIds", request.DoorIds?.Count, Device.MaxDoors) ? (request.DoorIds ?? []).Distinct().ToList() : [];
        await CheckDoorsAsync(v, doorIds, siteOk ? request.SiteId : null, ct);
        if (!v.IsValid)
        {
            return v.ToError();
        }

        var name = request.Name!.Trim();
        if (await ExplainConflictAsync(name, doorIds, null, ct) is { } conflict)
        {
            return conflict;
        }

        var now = clock.GetUtcNow();
        var code = DeviceSecrets.NewClaimCode();
        var device = new Device
        {
            Name = name,
            Model = DeviceModel.F3D100,
            SiteId = request.SiteId!.Value,
            WiegandFormat = format,
            ClaimCodeHash = DeviceSecrets.HashClaimCode(code),
            ClaimCodeExpiresAt = now + DeviceSecrets.ClaimCodeLifetime,
            CreatedAt = now,
            UpdatedAt = now,
        };
        device.Doors.AddRange(doorIds.Select(d => new DeviceDoor { DeviceId = device.Id, DoorId = d }));
        db.Devices.Add(device);
        if (await db.SaveOrExplainAsync(c => ExplainConflictAsync(name, doorIds, device.Id, c), ct) is { } raced)
        {
            return raced;
        }

        LogAdded(logger, device.Id, doorIds.Count);
        return device.ToDto(null, clock.GetUtcNow(), code);
    }

    public async Task<Result<DeviceDto>> UpdateAsync(Guid id, UpdateDeviceRequest request, CancellationToken ct)
    {
        var device = await db.Devices.Include(d => d.Doors).SingleOrDefaultAsync(d => d.Id == id, ct);
        if (device is null)
        {
            return new ApiError.NotFound("The device");
        }

        var v = new Validation();
        if (request.Name.HasValue)
        {
            v.Text("name", request.Name.Value, Device.NameMaxLength);
        }

        if (request.Model.HasValue)
        {
            CheckModel(v, request.Model.Value, required: true);
        }

        var format = request.WiegandFormat.HasValue ? CheckWiegandFormat(v, request.WiegandFormat.Value) : device.WiegandFormat;
        var siteOk = !request.SiteId.HasValue || await CheckSiteAsync(v, request.SiteId.Value, ct);
        var siteId = request.SiteId.Or(device.SiteId)!.Value;
        List<Guid> doorIds;
        if (request.DoorIds is { HasValue: true, Value: null })
        {
            v.Add("doorIds", "Send [] to take every door away from the device.");
            doorIds = [];
        }
        else
        {
            // Moving the device to another site checks the doors it keeps against that site too.
            doorIds = !request.DoorIds.HasValue ? [.. device.Doors.Select(d => d.DoorId)]
                : v.Within("doorIds", request.DoorIds.Value!.Count, Device.MaxDoors) ? [.. request.DoorIds.Value!.Distinct()]
                : [];
            await CheckDoorsAsync(v, doorIds, siteOk ? siteId : null, ct);
        }

        if (!v.IsValid)
        {
            return v.ToError();
        }

        var name = request.Name.HasValue ? request.Name.Value!.Trim() : device.Name;
        if (await ExplainConflictAsync(name, doorIds, id, ct) is { } conflict)
        {
            return conflict;
        }

        var doorsChanged = !doorIds.Order().SequenceEqual(device.Doors.Select(d => d.DoorId).Order());
        if (name == device.Name && siteId == device.SiteId && format == device.WiegandFormat && !doorsChanged)
        {
            return device.ToDto(await StateAsync(id, ct), clock.GetUtcNow());
        }

        device.Name = name;
        device.SiteId = siteId;
        device.WiegandFormat = format;

        // Change only what differs, so the audit log shows the doors added and removed.
        device.Doors.RemoveAll(d => !doorIds.Contains(d.DoorId));
        device.Doors.AddRange(doorIds.Where(d => device.Doors.All(existing => existing.DoorId != d))
            .Select(d => new DeviceDoor { DeviceId = id, DoorId = d }));
        device.UpdatedAt = clock.GetUtcNow();
        if (await db.SaveOrExplainAsync(c => ExplainConflictAsync(name, doorIds, id, c), ct) is { } raced)
        {
            return raced;
        }

        return device.ToDto(await StateAsync(id, ct), clock.GetUtcNow());
    }

    /// <summary>
    /// Removes a device, the doors it controlled and its unfinished enrollments, then has the broker drop
    /// its credentials and session, so it stops working at once rather than at its next reconnect.
    /// </summary>
    public async Task<ApiError?> DeleteAsync(Guid id, CancellationToken ct)
    {
        var device = await db.Devices.SingleOrDefaultAsync(d => d.Id == id, ct);
        if (device is null)
        {
            return new ApiError.NotFound("The device");
        }

        db.Devices.Remove(device);
        await db.SaveChangesAsync(ct);
        await gateway.RevokeAsync(device.OrganizationId, id, ct);
        LogRemoved(logger, id);
        return null;
    }

    /// <summary>
    /// Issues a new claim code (for a replaced or reset device). The device's current credentials stop
    /// working at once: whoever holds the new code becomes the device.
    /// </summary>
    public async Task<Result<DeviceDto>> IssueClaimCodeAsync(Guid id, CancellationToken ct)
    {
        var device = await db.Devices.Include(d => d.Doors).SingleOrDefaultAsync(d => d.Id == id, ct);
        if (device is null)
        {
            return new ApiError.NotFound("The device");
        }

        var wasClaimed = device.SecretHash is not null;
        var now = clock.GetUtcNow();
        var code = DeviceSecrets.NewClaimCode();
        device.ClaimCodeHash = DeviceSecrets.HashClaimCode(code);
        device.ClaimCodeExpiresAt = now + DeviceSecrets.ClaimCodeLifetime;
        device.SecretHash = null;
        device.ClaimedAt = null;
        device.UpdatedAt = now;
        await db.SaveChangesAsync(ct);
        if (wasClaimed)
        {
            await gateway.RevokeAsync(device.OrganizationId, id, ct);
        }

        LogClaimCodeIssued(logger, id, wasClaimed);
        return device.ToDto(await StateAsync(id, ct), clock.GetUtcNow(), code);
    }

    private static void CheckModel(Validation v, string? model, bool required)
    {
        if (string.IsNullOrWhiteSpace(model))
        {
            if (required)
            {
                v.Add("model", "This field is required.");
            }
        }
        else if (!string.Equals(model.Trim(), "F3D100", StringComparison.OrdinalIgnoreCase))
        {
            v.Add("model", "Must be F3D100, the one model Gatehouse runs.");
        }
    }

    /// <summary>A Wiegand format's name, or none (CSN). CSN itself is not a Wiegand format: leave the field out for it.</summary>
    private static CardFormat? CheckWiegandFormat(Validation v, string? name)
    {
        if (name is null)
        {
            return null;
        }

        if (CardFormats.TryParse(name, out var format) && format != CardFormat.Csn)
        {
            return format;
        }

        var wiegand = string.Join(", ", CardFormats.All.Where(f => f.IsWiegand).Select(f => f.Name));
        v.Add("wiegandFormat", $"Must be a Wiegand format ({wiegand}); leave it out for a reader that reports serial numbers (CSN).");
        return null;
    }

    private async Task<bool> CheckSiteAsync(Validation v, Guid? siteId, CancellationToken ct)
    {
        if (siteId is not { } id)
        {
            v.Add("siteId", "This field is required.");
            return false;
        }

        if (!await db.Sites.AnyAsync(s => s.Id == id, ct))
        {
            v.Add("siteId", "The site was not found.");
            return false;
        }

        return true;
    }

    /// <summary>Each door must be the organization's and, when the site is known, at that site.</summary>
    private async Task CheckDoorsAsync(Validation v, List<Guid> doorIds, Guid? siteId, CancellationToken ct)
    {
        if (doorIds.Count == 0)
        {
            return;
        }

        var doors = await db.Doors.AsNoTracking().Where(d => doorIds.Contains(d.Id)).ToDictionaryAsync(d => d.Id, ct);
        for (var i = 0; i < doorIds.Count; i++)
        {
            if (!doors.TryGetValue(doorIds[i], out var door))
            {
                v.Add($"doorIds[{i}]", "The door was not found.");
            }
            else if (siteId is { } site && door.SiteId != site)
            {
                v.Add($"doorIds[{i}]", $"“{door.Name}” is not at the device's site.");
            }
        }
    }

    /// <summary>A name taken by another device, or a door another device already controls.</summary>
    private async Task<ApiError?> ExplainConflictAsync(string name, List<Guid> doorIds, Guid? deviceId, CancellationToken ct)
    {
        if (await db.Devices.AnyAsync(d => d.Name == name && d.Id != deviceId, ct))
        {
            return new ApiError.Conflict($"The organization already has a device named “{name}”.");
        }

        var taken = await db.DeviceDoors
            .Where(dd => doorIds.Contains(dd.DoorId) && dd.DeviceId != deviceId)
            .Join(db.Devices, dd => dd.DeviceId, d => d.Id, (dd, d) => new { dd.DoorId, Device = d.Name })
            .Join(db.Doors, x => x.DoorId, door => door.Id, (x, door) => new { Door = door.Name, x.Device })
            .OrderBy(x => x.Door)
            .FirstOrDefaultAsync(ct);
        return taken is null
            ? null
            : new ApiError.Conflict($"The door “{taken.Door}” is already controlled by the device “{taken.Device}”; a door has one device.");
    }

    private async Task<Dictionary<Guid, DeviceState>> StatesAsync(List<Guid> ids, CancellationToken ct) =>
        await db.DeviceStates.AsNoTracking().Where(s => ids.Contains(s.DeviceId)).ToDictionaryAsync(s => s.DeviceId, ct);

    private Task<DeviceState?> StateAsync(Guid id, CancellationToken ct) =>
        db.DeviceStates.AsNoTracking().SingleOrDefaultAsync(s => s.DeviceId == id, ct);

    [LoggerMessage(Level = LogLevel.Information, Message = "Device {DeviceId} added with {Doors} doors; waiting to be claimed")]
    private static partial void LogAdded(ILogger logger, Guid deviceId, int doors);

    [LoggerMessage(Level = LogLevel.Information, Message = "Device {DeviceId} removed; its broker credentials are revoked")]
    private static partial void LogRemoved(ILogger logger, Guid deviceId);

    [LoggerMessage(Level = LogLevel.Information, Message = "New claim code issued for device {DeviceId} (credentials revoked: {Revoked})")]
    private static partial void LogClaimCodeIssued(ILogger logger, Guid deviceId, bool revoked);
}
