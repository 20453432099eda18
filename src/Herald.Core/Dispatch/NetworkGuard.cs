using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;

namespace Herald.Core.Dispatch;

/// <summary>
/// Refuses connections to loopback, private, link-local, metadata and other non-public addresses at connect time,
/// after DNS resolution, so a hostname that resolves (or rebinds) to an internal address gets nowhere. IPv6 forms that
/// carry an IPv4 address (mapped, compatible, NAT64, 6to4, Teredo) are judged by the address they carry. Tenants are
/// told only that the destination is not allowed; the operator's log has the host, the address and the setting.
/// </summary>
internal sealed partial class NetworkGuard(bool allowPrivateNetworks, IReadOnlyCollection<string> allowedHosts, NetworkDialer dialer, ILogger logger)
{
    private readonly HashSet<string> _allowedHosts = new(allowedHosts, StringComparer.OrdinalIgnoreCase);

    /// <summary>The <see cref="SocketsHttpHandler.ConnectCallback"/> for direct connections: resolve, check every address, connect.</summary>
    public async ValueTask<Stream> ConnectAsync(SocketsHttpConnectionContext context, CancellationToken cancellationToken)
    {
        var addresses = await ResolveAllowedAsync(context.DnsEndPoint.Host, cancellationToken);
        return await dialer.ConnectAsync(addresses, context.DnsEndPoint.Port, cancellationToken);
    }

    /// <summary>
    /// The <see cref="SocketsHttpHandler.ConnectCallback"/> when an outbound proxy is set: the handler connects only to the
    /// operator's proxy, which is not checked (it is usually on a private network); destinations are checked before each attempt.
    /// </summary>
    public async ValueTask<Stream> ConnectToProxyAsync(SocketsHttpConnectionContext context, CancellationToken cancellationToken)
    {
        var host = context.DnsEndPoint.Host;
        var addresses = IPAddress.TryParse(host.Trim('[', ']'), out var literal) ? [literal] : await dialer.ResolveAsync(host, cancellationToken);
        return await dialer.ConnectAsync(addresses, context.DnsEndPoint.Port, cancellationToken);
    }

    /// <summary>
    /// The host's addresses when every one of them may be reached; else <see cref="DestinationNotAllowedException"/>.
    /// Every address is checked, not only the first, since the connect may try any of them.
    /// </summary>
    public async Task<IPAddress[]> ResolveAllowedAsync(string host, CancellationToken cancellationToken)
    {
        var addresses = IPAddress.TryParse(host.Trim('[', ']'), out var literal)
            ? [literal]
            : await dialer.ResolveAsync(host, cancellationToken);
        if (!allowPrivateNetworks && !_allowedHosts.Contains(host) && addresses.FirstOrDefault(IsNonPublic) is { } refused)
        {
            LogRefused(logger, host, refused);
            throw new DestinationNotAllowedException();
        }

        return addresses;
    }

    /// <summary>Whether <paramref name="address"/> is anything but a public unicast address, looking inside IPv6 forms that embed IPv4.</summary>
    public static bool IsNonPublic(IPAddress address)
    {
        if (address.AddressFamily == AddressFamily.InterNetwork)
        {
            Span<byte> v4 = stackalloc byte[4];
            address.TryWriteBytes(v4, out _);
            return IsNonPublicV4(v4);
        }

        if (address.AddressFamily != AddressFamily.InterNetworkV6)
        {
            return true;
        }

        Span<byte> b = stackalloc byte[16];
        address.TryWriteBytes(b, out _);
        if (address.IsIPv4MappedToIPv6)
        {
            return IsNonPublicV4(b[12..]); // ::ffff:a.b.c.d
        }

        if (b[..12].IndexOfAnyExcept((byte)0) < 0)
        {
            // ::/96: the unspecified address, loopback and the deprecated IPv4-compatible form ::a.b.c.d, none of them a public destination.
            return true;
        }

        var prefix32 = BinaryPrimitives.ReadUInt32BigEndian(b);
        if (prefix32 == 0x0064_ff9b && b[4..12].IndexOfAnyExcept((byte)0) < 0)
        {
            return IsNonPublicV4(b[12..]); // NAT64 well-known prefix 64:ff9b::/96 (RFC 6052) reaches the IPv4 address it carries
        }

        if (prefix32 == 0x0064_ff9b && BinaryPrimitives.ReadUInt16BigEndian(b[4..]) == 0x0001)
        {
            return true; // 64:ff9b:1::/48, local-use NAT64 (RFC 8215): site-specific by definition
        }

        if (BinaryPrimitives.ReadUInt16BigEndian(b) == 0x2002)
        {
            return IsNonPublicV4(b[2..6]); // 6to4 2002::/16 (RFC 3056) carries the IPv4 address in bits 16-47
        }

        if (prefix32 == 0x2001_0000)
        {
            // Teredo 2001::/32 (RFC 4380): the server's IPv4 in bits 32-63, the client's inverted in the last 32.
            Span<byte> client = stackalloc byte[4];
            for (var i = 0; i < 4; i++)
            {
                client[i] = (byte)~b[12 + i];
            }

            return IsNonPublicV4(b[4..8]) || IsNonPublicV4(client);
        }

        return address.IsIPv6LinkLocal || address.IsIPv6SiteLocal || address.IsIPv6UniqueLocal || address.IsIPv6Multicast
            || (prefix32 == 0x2001_0db8) // documentation
            || (BinaryPrimitives.ReadUInt64BigEndian(b) == 0x0100_0000_0000_0000); // discard-only 100::/64
    }

    private static bool IsNonPublicV4(ReadOnlySpan<byte> b) => b[0] switch
    {
        0 or 10 or 127 => true,
        100 => b[1] is >= 64 and <= 127, // carrier-grade NAT
        169 => b[1] == 254, // link-local, cloud metadata
        172 => b[1] is >= 16 and <= 31,
        192 => b[1] == 168 || (b[1] == 0 && b[2] is 0 or 2), // private; IETF assignments; documentation
        198 => b[1] is 18 or 19 || (b[1] == 51 && b[2] == 100), // benchmarking; documentation
        203 => b[1] == 0 && b[2] == 113, // documentation
        >= 224 => true, // multicast, reserved, broadcast
        _ => false,
    };

    [LoggerMessage(Level = LogLevel.Warning, Message = "Refused to connect to webhook host {Host}: it resolves to non-public address {Address}. Allow it with Herald:Delivery:AllowedHosts (or AllowPrivateNetworks) if it is yours")]
    private static partial void LogRefused(ILogger logger, string host, IPAddress address);
}

/// <summary>The webhook's destination is not a public address; the attempt error says only that.</summary>
internal sealed class DestinationNotAllowedException() : IOException("destination not allowed");

/// <summary>
/// The operating system's side of an outbound connection: name resolution and the TCP connect. Tests substitute it to
/// map names onto loopback and to count what crosses the socket, so no test ever sends to a real private address.
/// </summary>
internal class NetworkDialer
{
    public virtual async Task<IPAddress[]> ResolveAsync(string host, CancellationToken cancellationToken) =>
        await Dns.GetHostAddressesAsync(host, cancellationToken);

    public virtual async ValueTask<Stream> ConnectAsync(IPAddress[] addresses, int port, CancellationToken cancellationToken)
    {
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            await socket.ConnectAsync(addresses, port, cancellationToken);
            return new NetworkStream(socket, ownsSocket: true);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }
}
