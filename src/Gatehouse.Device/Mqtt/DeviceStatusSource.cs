using Gatehouse.Core.DeviceProtocol;
using Gatehouse.Device.Door;
using Gatehouse.Device.Events;
using Gatehouse.Device.Sync;
using Microsoft.Extensions.Options;

namespace Gatehouse.Device.Mqtt;

/// <summary>The device's <see cref="DeviceStatus"/> as of now: sync version, locks and the event queue.</summary>
internal sealed class DeviceStatusSource(
    AccessEngine engine, LockControl locks, EventQueue events, IOptions<ConnectionOptions> options, TimeProvider clock)
{
    public DeviceStatus Build(bool online)
    {
        var view = engine.Current;
        return new DeviceStatus(
            online,
            clock.GetUtcNow(),
            AgentVersion.Current,
            view.Version,
            [.. view.Doors.Select(d => new DoorState(d.Id, locks.IsUnlocked(d.Id)))],
            events.Count,
            events.Dropped,
            (int)options.Value.Heartbeat.TotalSeconds);
    }
}
