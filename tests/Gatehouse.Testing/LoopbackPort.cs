using System.Net;
using System.Net.Sockets;

namespace Gatehouse.Testing;

/// <summary>Loopback ports for the servers and brokers a test or a measurement starts.</summary>
public static class LoopbackPort
{
    /// <summary>A loopback port nothing listens on now (the system picks it; it is free until someone takes it).</summary>
    public static int Free()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
