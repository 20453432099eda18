using System.CommandLine;
using System.Text.Json.Nodes;
using Herald.Cli.Api;
using Herald.Cli.Json;
using Herald.Cli.Output;
using Herald.Contracts.Samples;

namespace Herald.Cli.Commands;

/// <summary><c>herald trigger</c>: publishes a realistic sample of a catalog event through <c>POST /api/v1/events/create</c>.</summary>
internal static class TriggerCommand
{
    public const string AdminKeyHint =
        "Publishing events (POST /api/v1/events/create) needs the server's admin key: HERALD_ADMIN_KEY, or with `herald serve --dev` the key it printed at start (kept in <data folder>/admin-key).";

    public static Command Create(CommandServices services)
    {
        var eventName = new Argument<string>("event") { Description = "A catalog event name, e.g. payment_intent.succeeded (`herald events types` lists them)." };
        eventName.AddCatalogCompletions();
        var account = new Option<string?>("--account") { Description = "The account the event belongs to (account_id).", HelpName = "ID" };
        var id = new Option<string?>("--id") { Description = "The event id (1-128 of A-Z a-z 0-9 _ -); Herald makes one when not given. Publishing the same id and content again is a no-op.", HelpName = "ID" };
        var set = new Option<string[]>("--set")
        {
            Description = "Change the sample: path=value on the request body, e.g. data.object.amount=12, data.object.currency=EUR, data.object.metadata={\"a\":1}. Repeatable.",
            HelpName = "PATH=VALUE",
        };
        var command = new Command("trigger", "Publish a realistic sample of any catalog event (the same samples as `webhooks test`). Needs the admin key.")
        {
            eventName,
            account,
            id,
            set,
        };
        command.SetHandler(services, async (context, cancellationToken) =>
        {
            var type = EventNames.Require(context.Get(eventName)!, "trigger");
            if (type.IsPartnerLevel)
            {
                throw CliException.Usage($"{type.Name} cannot be published by hand: Herald emits it when a partner connection is disconnected.");
            }

            var body = new JsonObject();
            if (context.Get(id) is { Length: > 0 } eventId)
            {
                body["id"] = eventId;
            }

            body["name"] = type.Name;
            if (context.Get(account) is { Length: > 0 } accountId)
            {
                body["account_id"] = accountId;
            }

            body["data"] = JsonNode.Parse(EventSamples.GetData(type.Name).Span);
            foreach (var assignment in context.Get(set) ?? [])
            {
                JsonPathSetter.Apply(body, assignment);
            }

            using var api = context.CreateApiClient();
            var response = await api.PostAsync("api/v1/events/create", body, cancellationToken, AdminKeyHint);
            if (context.Json)
            {
                context.Terminal.WriteJson(response.Body);
                return ExitCodes.Success;
            }

            var root = response.Root;
            var published = Fields.Text(root, "id");
            context.Terminal.MarkupLine(response.StatusCode == 201
                ? $"[green]Published[/] {Terminal.Escape(type.Name)} [bold]{Terminal.Escape(published)}[/] for {Terminal.Escape(Fields.Text(root, "account_id"))} at {Terminal.Escape(Fields.Text(root, "created_at"))}"
                : $"[yellow]Already published[/] {Terminal.Escape(published)} with the same content; nothing new was queued.");
            await ShowDeliveriesAsync(context, api, published, Fields.Text(root, "account_id"), cancellationToken);
            return ExitCodes.Success;
        });
        return command;
    }

    private static async Task ShowDeliveriesAsync(CommandContext context, HeraldApiClient api, string eventId, string accountId, CancellationToken cancellationToken)
    {
        try
        {
            var deliveries = await api.GetAsync(HeraldApiClient.WithQuery("api/v1/deliveries", ("event_id", eventId), ("account_id", accountId)), cancellationToken);
            var count = deliveries.Root.GetProperty("items").GetArrayLength();
            context.Terminal.MarkupLine(count == 0
                ? "[grey]No webhook is subscribed to it, so nothing was queued.[/]"
                : $"Queued for {count} webhook{(count == 1 ? string.Empty : "s")}: [grey]herald deliveries list --event {Terminal.Escape(eventId)}[/]");
        }
        catch (CliException)
        {
            // The event is published; the count is a courtesy and must not turn success into failure.
        }
    }
}
