using System.CommandLine;
using Herald.Contracts.Events;

namespace Herald.Cli.Commands;

/// <summary>Event names on the command line: checked against the catalog, so a typo is a usage error, not an empty stream.</summary>
internal static class EventNames
{
    public static void AddCatalogCompletions(this Argument<string> argument)
    {
        // Without a help name, help would list all forty-odd completions in the usage line.
        argument.HelpName = "event";
        argument.CompletionSources.Add(_ => EventCatalog.All.Select(type => new System.CommandLine.Completions.CompletionItem(type.Name, detail: type.Description)));
    }

    /// <summary>Splits <c>a,b</c> (the option may also be repeated) and checks each name.</summary>
    public static IReadOnlyList<string> Parse(IEnumerable<string>? values, string optionName)
    {
        var names = (values ?? [])
            .SelectMany(value => value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            .Distinct(StringComparer.Ordinal)
            .ToList();
        foreach (var name in names)
        {
            Require(name, optionName);
        }

        return names;
    }

    public static EventType Require(string name, string what)
    {
        if (EventCatalog.TryGet(name, out var type))
        {
            return type!;
        }

        var suggestion = EventCatalog.All
            .Select(candidate => candidate.Name)
            .OrderBy(candidate => Distance(candidate, name))
            .First();
        throw CliException.Usage($"{what}: '{name}' is not a catalog event name. Did you mean {suggestion}?", "`herald events types` lists every name.");
    }

    private static int Distance(string a, string b)
    {
        var previous = new int[b.Length + 1];
        var current = new int[b.Length + 1];
        for (var j = 0; j <= b.Length; j++)
        {
            previous[j] = j;
        }

        for (var i = 1; i <= a.Length; i++)
        {
            current[0] = i;
            for (var j = 1; j <= b.Length; j++)
            {
                var cost = a[i - 1] == b[j - 1] ? 0 : 1;
                current[j] = Math.Min(Math.Min(current[j - 1] + 1, previous[j] + 1), previous[j - 1] + cost);
            }

            (previous, current) = (current, previous);
        }

        return previous[b.Length];
    }
}
