using System.Net;
using Herald.Core.Dispatch;

namespace Herald.Core.Tests.Dispatch;

public sealed class NetworkGuardTests
{
    [Theory]
    [InlineData("127.0.0.1", true)]
    [InlineData("10.1.2.3", true)]
    [InlineData("172.20.0.1", true)]
    [InlineData("192.168.1.1", true)]
    [InlineData("169.254.169.254", true)]
    [InlineData("100.64.0.1", true)]
    [InlineData("::1", true)]
    [InlineData("fe80::1", true)]
    [InlineData("fd00::1", true)]
    [InlineData("::ffff:10.0.0.1", true)]
    [InlineData("93.184.216.34", false)]
    [InlineData("2606:4700::1111", false)]
    public void Non_public_addresses_are_recognised(string address, bool nonPublic)
    {
        Assert.Equal(nonPublic, NetworkGuard.IsNonPublic(IPAddress.Parse(address)));
    }
}
