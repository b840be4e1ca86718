using Gatehouse.Core.DeviceProtocol;

namespace Gatehouse.Device.Mqtt;

/// <summary>
/// Messages from the device to the server other than events (which have their own durable queue): replies
/// to commands and sync requests. Sending never blocks the caller; while the device is offline the messages
/// wait in memory for a while, and are dropped when they would be too old to matter.
/// </summary>
internal interface IDeviceOutbox
{
    void Send(DeviceReply reply);

    void Send(SyncRequest request);
}
