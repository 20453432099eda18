using System.Net;
using System.Net.Sockets;

namespace Herald.LoadTest.Processes;

internal static class LoopbackPort
{
    /// <summary>A port on 127.0.0.1 that was free a moment ago, for a process that needs its port on the command line.</summary>
    public static int Free()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
