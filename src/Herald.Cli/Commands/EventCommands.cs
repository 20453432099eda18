using System.CommandLine;
using System.Text.Json;
using Herald.Cli.Api;
using Herald.Cli.Output;
using Herald.Cli.Streaming;
using Herald.Contracts.Events;

namespace Herald.Cli.Commands;

/// <summary><c>herald events list|show|tail|types</c>.</summary>
internal static class EventCommands
{
    public static Command Create(CommandServices services) => new("events", "Look at published events, or follow new ones live.")
    {
        List(services),
        Show(services),
        StreamCommands.CreateTail(services),
        Types(services),
    };

    private static Command List(CommandServices services)
    {
        var list = new ListOptions();
        var name = new Option<string?>("--name") { Description = "Only events of this name.", HelpName = "EVENT" };
        var from = new Option<string?>("--from") { Description = "Only events created at or after this ISO 8601 instant, e.g. 2026-05-20T13:54:20+0000.", HelpName = "TIME" };
        var to = new Option<string?>("--to") { Description = "Only events created before this ISO 8601 instant.", HelpName = "TIME" };
        var command = new Command("list", "List events, newest first.") { name, from, to };
        list.AddTo(command);
        command.SetHandler(services, async (context, cancellationToken) =>
        {
            if (context.Get(name) is { } eventName)
            {
                EventNames.Require(eventName, "--name");
            }

            using var api = context.CreateApiClient();
            var query = list.Query(context).Concat([("name", context.Get(name)), ("from_created_at", context.Get(from)), ("to_created_at", context.Get(to))]).ToArray();
            var response = await api.GetAsync(HeraldApiClient.WithQuery("api/v1/events", query), cancellationToken);
            context.Show(response, r =>
            {
                var table = Tables.Create("ID", "NAME", "ACCOUNT", "CREATED (UTC)", "VERSION");
                var count = 0;
                foreach (var item in Fields.Items(r.Root))
                {
                    count++;
                    table.Row(
                        Terminal.Escape(Fields.Text(item, "id")),
                        Terminal.Escape(Fields.Text(item, "name")),
                        Terminal.Escape(Fields.Text(item, "account_id") is { Length: > 0 } accountId ? accountId : Fields.Text(item, "app_id")),
                        Terminal.Escape(Tables.Time(Fields.Text(item, "created_at"))),
                        Terminal.Escape(Fields.Text(item, "version")));
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

    private static Command Show(CommandServices services)
    {
        var id = new Argument<string>("id") { Description = "The event id." };
        var command = new Command("show", "Show one event: the envelope exactly as endpoints receive it (--json prints its bytes unchanged).") { id };
        command.SetHandler(services, async (context, cancellationToken) =>
        {
            using var api = context.CreateApiClient();
            var response = await api.GetAsync($"api/v1/events/{HeraldApiClient.Segment(context.Get(id)!)}", cancellationToken);
            context.Show(response, r =>
            {
                context.Terminal.MarkupLine($"[bold]{Terminal.Escape(Fields.Text(r.Root, "name"))}[/] {Terminal.Escape(Fields.Text(r.Root, "id"))} [grey]{Terminal.Escape(Fields.Text(r.Root, "created_at"))}[/]");
                context.Terminal.WriteLine(JsonSerializer.Serialize(r.Root, IndentedJson.Options));
            });
            return ExitCodes.Success;
        });
        return command;
    }

    private static Command Types(CommandServices services)
    {
        var command = new Command("types", "List the event catalog: every name trigger, webhooks and listen accept.");
        command.SetHandler(services, (context, _) =>
        {
            if (context.Json)
            {
                // The shape of GET /api/v1/event_types, from the catalog this tool was built with.
                using var buffer = new MemoryStream();
                using (var writer = new Utf8JsonWriter(buffer))
                {
                    writer.WriteStartObject();
                    writer.WriteStartArray("items");
                    foreach (var type in EventCatalog.All)
                    {
                        writer.WriteStartObject();
                        writer.WriteString("name", type.Name);
                        writer.WriteString("description", type.Description);
                        writer.WriteEndObject();
                    }

                    writer.WriteEndArray();
                    writer.WriteBoolean("has_more", false);
                    writer.WriteEndObject();
                }

                context.Terminal.WriteJson(buffer.ToArray());
                return Task.FromResult(ExitCodes.Success);
            }

            var table = Tables.Create("NAME", "DESCRIPTION");
            foreach (var type in EventCatalog.All)
            {
                table.Row(Terminal.Escape(type.Name), Terminal.Escape(type.Description));
            }

            context.Terminal.Out.Write(table);
            return Task.FromResult(ExitCodes.Success);
        });
        return command;
    }
}

/// <summary>Indented output that keeps non-ASCII text readable.</summary>
internal static class IndentedJson
{
    public static JsonSerializerOptions Options { get; } = new()
    {
        WriteIndented = true,
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        TypeInfoResolver = new System.Text.Json.Serialization.Metadata.DefaultJsonTypeInfoResolver(),
    };
}
