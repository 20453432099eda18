using System.Globalization;
using System.Text.RegularExpressions;

namespace Herald.Cli.Signing;

/// <summary>Reads durations such as <c>300ms</c>, <c>30s</c>, <c>5m</c>, <c>2h</c>, <c>1d</c> or <c>00:05:00</c>; <c>none</c> means no limit.</summary>
internal static partial class DurationText
{
    public static bool TryParse(string text, out TimeSpan duration)
    {
        duration = default;
        var trimmed = text.Trim();
        if (trimmed.Equals("none", StringComparison.OrdinalIgnoreCase) || trimmed.Equals("infinite", StringComparison.OrdinalIgnoreCase))
        {
            duration = Timeout.InfiniteTimeSpan;
            return true;
        }

        var match = UnitPattern().Match(trimmed);
        if (match.Success)
        {
            var amount = double.Parse(match.Groups["amount"].Value, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture);
            var milliseconds = match.Groups["unit"].Value switch
            {
                "ms" => amount,
                "s" => amount * 1000,
                "m" => amount * 60_000,
                "h" => amount * 3_600_000,
                _ => amount * 86_400_000,
            };
            if (milliseconds is <= 0 or > 100L * 365 * 86_400_000)
            {
                return false;
            }

            duration = TimeSpan.FromMilliseconds(milliseconds);
            return true;
        }

        return TimeSpan.TryParse(trimmed, CultureInfo.InvariantCulture, out duration) && duration > TimeSpan.Zero;
    }

    [GeneratedRegex(@"^(?<amount>[0-9]+(\.[0-9]+)?)\s*(?<unit>ms|s|m|h|d)$", RegexOptions.CultureInvariant)]
    private static partial Regex UnitPattern();
}
