using System.CommandLine;
using Herald.Cli.Output;

namespace Herald.Cli.Commands;

/// <summary>The options every list command shares: the account (for admin and organization keys) and the page.</summary>
internal sealed class ListOptions
{
    public Option<string?> Account { get; } = new("--account") { Description = "Only this account (needed with an organization key; the admin key sees every account without it).", HelpName = "ID" };

    public Option<int> Page { get; } = new("--page") { Description = "Page number, from 0.", DefaultValueFactory = _ => 0, HelpName = "N" };

    public Option<int?> PageSize { get; } = new("--page-size") { Description = "Items per page (default 100, at most 1000).", HelpName = "N" };

    public void AddTo(Command command)
    {
        command.Add(Account);
        command.Add(Page);
        command.Add(PageSize);
    }

    public (string, string?)[] Query(CommandContext context) =>
    [
        ("account_id", context.Get(Account)),
        ("page_num", context.Get(Page) is var page and > 0 ? Fields.Invariant(page) : null),
        ("page_size", context.Get(PageSize) is { } size ? Fields.Invariant(size) : null),
    ];

    /// <summary>Says how to get the next page when there is one.</summary>
    public void ShowMore(CommandContext context, System.Text.Json.JsonElement list, int shown)
    {
        if (Fields.HasMore(list))
        {
            context.Terminal.Note($"[grey]{shown} shown; more with --page {context.Get(Page) + 1}.[/]");
        }
        else if (shown == 0)
        {
            context.Terminal.Note("[grey]None.[/]");
        }
    }
}
