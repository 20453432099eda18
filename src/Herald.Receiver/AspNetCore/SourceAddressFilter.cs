using System.Net;

namespace Herald.Receiver.AspNetCore;

/// <summary>The allow-list of source networks; an empty list allows every source.</summary>
internal sealed class SourceAddressFilter
{
    private readonly IPNetwork[] _networks;

    private SourceAddressFilter(IPNetwork[] networks) => _networks = networks;

    public bool AllowsAll => _networks.Length == 0;

    public static bool TryCreate(IEnumerable<string> entries, out SourceAddressFilter filter, out string? badEntry)
    {
        var networks = new List<IPNetwork>();
        badEntry = null;
        foreach (var raw in entries)
        {
            var entry = raw?.Trim() ?? string.Empty;
            if (entry.Length == 0)
            {
                continue;
            }

            if (entry.Contains('/', StringComparison.Ordinal) ? IPNetwork.TryParse(entry, out var network) : TryParseSingle(entry, out network))
            {
                networks.Add(network);
            }
            else
            {
                badEntry = entry;
                filter = new SourceAddressFilter([]);
                return false;
            }
        }

        filter = new SourceAddressFilter([.. networks]);
        return true;
    }

    public bool IsAllowed(IPAddress? address)
    {
        if (_networks.Length == 0)
        {
            return true;
        }

        if (address is null)
        {
            return false;
        }

        if (address.IsIPv4MappedToIPv6)
        {
            address = address.MapToIPv4();
        }

        foreach (var network in _networks)
        {
            if (network.Contains(address))
            {
                return true;
            }
        }

        return false;
    }

    private static bool TryParseSingle(string entry, out IPNetwork network)
    {
        network = default;
        if (!IPAddress.TryParse(entry, out var address))
        {
            return false;
        }

        if (address.IsIPv4MappedToIPv6)
        {
            address = address.MapToIPv4();
        }

        network = new IPNetwork(address, address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork ? 32 : 128);
        return true;
    }
}
