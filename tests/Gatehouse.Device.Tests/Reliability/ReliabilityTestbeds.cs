using System.Net;
using Gatehouse.Device.Tests.Integration;

namespace Gatehouse.Device.Tests.Reliability;

/// <summary>
/// The testbed of the Mosquitto reliability tests: a broker of its own, and the server on it with
/// dynamic-security provisioning (as <c>Gatehouse__Mqtt__Host/Port/Username/Password</c> configure it).
/// </summary>
public sealed class MosquittoTestbed : DeviceTestbed
{
    public MosquittoTestbed()
        : this(new MosquittoBroker())
    {
    }

    private MosquittoTestbed(MosquittoBroker broker)
        : base(new GatehouseServer(broker.ServerAccount).With("Gatehouse:Mqtt:SnapshotPartSize", ReliabilityTestbed.SnapshotPartSize))
    {
        Broker = broker;
    }

    public MosquittoBroker Broker { get; }

    public override async Task InitializeAsync()
    {
        // xunit makes the fixture even when every test of the class is skipped.
        if (MosquittoBroker.Missing is not null)
        {
            return;
        }

        await Broker.StartAsync();
        await base.InitializeAsync();
        await this.WaitReadyAsync();
    }

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        await Broker.DisposeAsync();
    }
}

/// <summary>The testbed of the in-process broker's reliability tests: the server's own broker, whatever the environment names.</summary>
public sealed class InProcessBrokerTestbed()
    : DeviceTestbed(new GatehouseServer(externalBroker: null).With("Gatehouse:Mqtt:SnapshotPartSize", ReliabilityTestbed.SnapshotPartSize))
{
    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        await this.WaitReadyAsync();
    }
}

internal static partial class ReliabilityTestbed
{
    /// <summary>Small snapshot parts, so that a store of a few thousand cards takes dozens of messages.</summary>
    public const string SnapshotPartSize = "100";

    /// <summary>Waits until the server answers <c>/health/ready</c> — its MQTT client is connected to the broker.</summary>
    public static async Task WaitReadyAsync(this DeviceTestbed testbed)
    {
        using var client = testbed.Server.Client();
        var status = HttpStatusCode.ServiceUnavailable;
        await Eventually.HoldsAsync(
            async () =>
            {
                status = (await client.GetAsync("/health/ready")).StatusCode;
                return status == HttpStatusCode.OK;
            },
            () => $"the server to be ready (it answers {(int)status})");
    }
}
