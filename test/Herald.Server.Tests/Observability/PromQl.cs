using System.Text.RegularExpressions;

namespace Herald.Server.Tests.Observability;

/// <summary>The metric and label names a PromQL expression (as a Grafana panel holds it) refers to.</summary>
public static partial class PromQl
{
    private static readonly HashSet<string> Keywords = new(StringComparer.Ordinal)
    {
        "by", "without", "on", "ignoring", "group_left", "group_right", "bool", "and", "or", "unless", "offset", "inf", "nan",
    };

    /// <summary>Metric names: identifiers outside label matchers, ranges, strings and grouping clauses that are not calls or keywords.</summary>
    public static IReadOnlySet<string> MetricNames(string expression)
    {
        var text = Variables().Replace(expression, "0");
        text = Strings().Replace(text, "\"\"");
        text = Matchers().Replace(text, " ");
        text = Ranges().Replace(text, " ");
        text = Grouping().Replace(text, " ");
        return Identifiers().Matches(text)
            .Where(m => !Keywords.Contains(m.Value) && !IsCall(text, m.Index + m.Length))
            .Select(m => m.Value)
            .ToHashSet(StringComparer.Ordinal);
    }

    /// <summary>Label names: those matched in <c>{…}</c> and those grouped by in <c>by (…)</c>, <c>without (…)</c>, <c>on (…)</c>….</summary>
    public static IReadOnlySet<string> LabelNames(string expression)
    {
        var text = Variables().Replace(expression, "0");
        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (Match matcher in Matchers().Matches(Strings().Replace(text, "\"\"")))
        {
            foreach (Match label in MatcherLabel().Matches(matcher.Value))
            {
                names.Add(label.Groups["name"].Value);
            }
        }

        foreach (Match grouping in Grouping().Matches(text))
        {
            foreach (var label in grouping.Groups["labels"].Value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            {
                names.Add(label);
            }
        }

        return names;
    }

    private static bool IsCall(string text, int after)
    {
        while (after < text.Length && char.IsWhiteSpace(text[after]))
        {
            after++;
        }

        return after < text.Length && text[after] == '(';
    }

    [GeneratedRegex(@"\$\{[^}]*\}|\$__\w+|\$\w+")]
    private static partial Regex Variables();

    [GeneratedRegex(@"""(\\.|[^""\\])*""")]
    private static partial Regex Strings();

    [GeneratedRegex(@"\{[^{}]*\}")]
    private static partial Regex Matchers();

    [GeneratedRegex(@"(?<name>[a-zA-Z_][a-zA-Z0-9_]*)\s*(=~|!~|!=|=)")]
    private static partial Regex MatcherLabel();

    [GeneratedRegex(@"\[[^\]]*\]")]
    private static partial Regex Ranges();

    [GeneratedRegex(@"\b(by|without|on|ignoring|group_left|group_right)\s*\((?<labels>[^)]*)\)")]
    private static partial Regex Grouping();

    [GeneratedRegex(@"(?<![\w.:])[a-zA-Z_:][a-zA-Z0-9_:]*")]
    private static partial Regex Identifiers();
}
