using System.Net;
using System.Net.Sockets;

namespace WorldCluster.Silo.Tests.Fixtures;

/// <summary>Finds loopback ports nobody listens on, so parallel test hosts never collide.</summary>
internal static class FreePort
{
    public static int Next()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
