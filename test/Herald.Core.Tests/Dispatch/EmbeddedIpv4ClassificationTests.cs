using System.Net;
using Herald.Core.Dispatch;

namespace Herald.Core.Tests.Dispatch;

/// <summary>
/// IPv6 forms that carry an IPv4 address are judged by the address they carry, by the classifier itself (no traffic
/// is sent anywhere: these are pure checks of <see cref="NetworkGuard.IsNonPublic"/>).
/// </summary>
public sealed class EmbeddedIpv4ClassificationTests
{
    [Theory]
    [InlineData("::7f00:1")] // IPv4-compatible 127.0.0.1
    [InlineData("::a9fe:a9fe")] // IPv4-compatible 169.254.169.254
    [InlineData("::808:808")] // IPv4-compatible, even of a public address: the form is deprecated and never a real destination
    [InlineData("::")]
    [InlineData("::ffff:127.0.0.1")] // IPv4-mapped
    [InlineData("::ffff:169.254.169.254")]
    [InlineData("64:ff9b::7f00:1")] // NAT64 well-known prefix carrying 127.0.0.1
    [InlineData("64:ff9b::a9fe:a9fe")] // ... carrying the metadata address
    [InlineData("64:ff9b::c0a8:101")] // ... carrying 192.168.1.1
    [InlineData("64:ff9b:1::a00:1")] // local-use NAT64 (the whole /48)
    [InlineData("64:ff9b:1:ffff::5db8:d822")]
    [InlineData("2002:7f00:1::1")] // 6to4 of 127.0.0.1
    [InlineData("2002:a9fe:a9fe::")] // 6to4 of the metadata address
    [InlineData("2002:ac10:1::1")] // 6to4 of 172.16.0.1
    [InlineData("2001:0:a00:1::1")] // Teredo with a private server address
    [InlineData("2001:0:5db8:d822:0:0:80ff:fffe")] // Teredo whose client (inverted) is 127.0.0.1
    [InlineData("2001:0:5db8:d822:0:0:5601:5601")] // Teredo whose client (inverted) is 169.254.169.254
    [InlineData("100::1")] // discard-only
    [InlineData("2001:db8::1")] // documentation
    [InlineData("ff02::1")] // multicast
    [InlineData("192.0.2.10")] // documentation
    [InlineData("198.51.100.1")]
    [InlineData("203.0.113.9")]
    [InlineData("255.255.255.255")]
    [InlineData("0.0.0.0")]
    public void An_embedded_or_special_non_public_address_is_recognised(string address)
    {
        Assert.True(NetworkGuard.IsNonPublic(IPAddress.Parse(address)));
    }

    [Theory]
    [InlineData("64:ff9b::5db8:d822")] // NAT64 of 93.184.216.34: how IPv6-only networks reach public IPv4
    [InlineData("2002:5db8:d822::1")] // 6to4 of a public address
    [InlineData("2001:0:5db8:d822:0:0:a247:27dd")] // Teredo whose server and client are both 93.184.216.34
    [InlineData("2606:4700:4700::1111")]
    [InlineData("8.8.8.8")]
    public void An_embedded_public_address_is_allowed(string address)
    {
        Assert.False(NetworkGuard.IsNonPublic(IPAddress.Parse(address)));
    }
}
