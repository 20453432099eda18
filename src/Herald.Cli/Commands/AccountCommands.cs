using System.CommandLine;
using System.Text.Json.Nodes;
using Herald.Cli.Api;
using Herald.Cli.Output;

namespace Herald.Cli.Commands;

/// <summary><c>herald accounts list|create</c>: the operator's accounts (admin key), enough to start without curl.</summary>
internal static class AccountCommands
{
    private const string AdminKeyHint = "Creating accounts needs the server's admin key.";

    public static Command Create(CommandServices services) => new("accounts", "List and create accounts (admin key).")
    {
        List(services),
        CreateAccount(services),
    };

    private static Command List(CommandServices services)
    {
        var list = new ListOptions();
        var command = new Command("list", "List accounts.");
        command.Add(list.Page);
        command.Add(list.PageSize);
        command.SetHandler(services, async (context, cancellationToken) =>
        {
            using var api = context.CreateApiClient();
            var response = await api.GetAsync(HeraldApiClient.WithQuery("api/v1/accounts", list.Query(context)), cancellationToken);
            context.Show(response, r =>
            {
                var table = Tables.Create("ID", "NAME", "ORGANIZATION", "CREATED (UTC)");
                var count = 0;
                foreach (var account in Fields.Items(r.Root))
                {
                    count++;
                    table.Row(
                        Terminal.Escape(Fields.Text(account, "id")),
                        Terminal.Escape(Fields.Text(account, "name")),
                        Terminal.Escape(Fields.Text(account, "org_id")),
                        Terminal.Escape(Tables.Time(Fields.Text(account, "created_at"))));
                }

                if (count > 0)
                {
                    context.Terminal.Out.Write(table);
                }

                list.ShowMore(context, r.Root, count);
            });
            return ExitCodes.Success;
        });
        return command;
    }

    private static Command CreateAccount(CommandServices services)
    {
        var name = new Argument<string>("name") { Description = "The account's name." };
        var organization = new Option<string?>("--org") { Description = "The organization it belongs to.", HelpName = "ID" };
        var command = new Command("create", "Create an account; prints its id.") { name, organization };
        command.SetHandler(services, async (context, cancellationToken) =>
        {
            var body = new JsonObject { ["name"] = context.Get(name) };
            if (context.Get(organization) is { Length: > 0 } org)
            {
                body["org_id"] = org;
            }

            using var api = context.CreateApiClient();
            var response = await api.PostAsync("api/v1/accounts/create", body, cancellationToken, AdminKeyHint);
            context.Show(response, r => context.Terminal.WriteLine(Fields.Text(r.Root, "id")));
            return ExitCodes.Success;
        });
        return command;
    }
}
