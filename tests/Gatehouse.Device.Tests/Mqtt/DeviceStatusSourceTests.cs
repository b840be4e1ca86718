using Gatehouse.Device.Mqtt;
using Microsoft.Extensions.Options;

namespace Gatehouse.Device.Tests.Mqtt;

public sealed class DeviceStatusSourceTests : IDisposable
{
    private readonly DeviceRig _rig = new();

    [Fact]
    public void Build_Online_DeclaresTheHeartbeatSoTheServerCanTellWhenTheDeviceIsGone()
    {
        var options = Options.Create(new ConnectionOptions { Heartbeat = TimeSpan.FromSeconds(45) });
        var source = new DeviceStatusSource(_rig.Engine, _rig.Locks, _rig.Events, options, _rig.Clock);

        var status = source.Build(online: true);

        Assert.Equal(45, status.HeartbeatSeconds);
    }

    public void Dispose() => _rig.Dispose();
}
