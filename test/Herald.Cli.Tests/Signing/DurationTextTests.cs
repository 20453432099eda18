using Herald.Cli.Signing;

namespace Herald.Cli.Tests.Signing;

public sealed class DurationTextTests
{
    [Theory]
    [InlineData("300ms", 300)]
    [InlineData("30s", 30_000)]
    [InlineData("5m", 300_000)]
    [InlineData("1.5h", 5_400_000)]
    [InlineData("1d", 86_400_000)]
    [InlineData("00:05:00", 300_000)]
    public void Durations_read_in_the_usual_units(string text, double milliseconds)
    {
        Assert.True(DurationText.TryParse(text, out var duration));
        Assert.Equal(TimeSpan.FromMilliseconds(milliseconds), duration);
    }

    [Fact]
    public void None_means_no_limit()
    {
        Assert.True(DurationText.TryParse("none", out var duration));
        Assert.Equal(Timeout.InfiniteTimeSpan, duration);
    }

    [Theory]
    [InlineData("")]
    [InlineData("soon")]
    [InlineData("0s")]
    [InlineData("-5m")]
    [InlineData("5 minutes")]
    public void Anything_else_is_refused(string text)
    {
        Assert.False(DurationText.TryParse(text, out _));
    }
}
