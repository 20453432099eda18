using System.CommandLine;
using System.Text.Json;
using System.Text.Json.Nodes;
using Herald.Cli.Api;
using Herald.Cli.Output;

namespace Herald.Cli.Commands;

/// <summary><c>herald deliveries list|show|retrigger</c>: the delivery log.</summary>
internal static class DeliveryCommands
{
    public const int MaxRetrigger = 50;

    private static readonly string[] Statuses = ["queued", "success", "failed", "cancelled"];

    public static Command Create(CommandServices services) => new("deliveries", "Search the delivery log, inspect attempts, retrigger.")
    {
        List(services),
        Show(services),
        Retrigger(services),
    };

    private static Command List(CommandServices services)
    {
        var list = new ListOptions();
        var webhook = new Option<string?>("--webhook") { Description = "Only deliveries to this webhook.", HelpName = "ID" };
        var eventId = new Option<string?>("--event") { Description = "Only deliveries of this event id.", HelpName = "ID" };
        var status = new Option<string?>("--status") { Description = "Only this status: queued, success, failed or cancelled.", HelpName = "STATUS" };
        status.AcceptOnlyFromAmong(Statuses);
        var command = new Command("list", "List deliveries, newest first.") { webhook, eventId, status };
        list.AddTo(command);
        command.SetHandler(services, async (context, cancellationToken) =>
        {
            using var api = context.CreateApiClient();
            var query = list.Query(context).Concat([("webhook_id", context.Get(webhook)), ("event_id", context.Get(eventId)), ("status", context.Get(status))]).ToArray();
            var response = await api.GetAsync(HeraldApiClient.WithQuery("api/v1/deliveries", query), cancellationToken);
            context.Show(response, r =>
            {
                var count = RenderList(context, Fields.Items(r.Root));
                list.ShowMore(context, r.Root, count);
            });
            return ExitCodes.Success;
        });
        return command;
    }

    private static Command Show(CommandServices services)
    {
        var id = new Argument<string>("id") { Description = "The delivery id." };
        var command = new Command("show", "Show one delivery with every attempt.") { id };
        command.SetHandler(services, async (context, cancellationToken) =>
        {
            using var api = context.CreateApiClient();
            var response = await api.GetAsync($"api/v1/deliveries/{HeraldApiClient.Segment(context.Get(id)!)}", cancellationToken);
            context.Show(response, r => RenderDelivery(context, r.Root));
            return ExitCodes.Success;
        });
        return command;
    }

    private static Command Retrigger(CommandServices services)
    {
        var ids = new Argument<string[]>("ids") { Description = $"Delivery ids (1 to {MaxRetrigger}).", Arity = new ArgumentArity(1, MaxRetrigger) };
        var command = new Command("retrigger", "Queue deliveries again, at the end of the queue, whatever their status.") { ids };
        command.SetHandler(services, async (context, cancellationToken) =>
        {
            var body = new JsonObject { ["ids"] = new JsonArray([.. (context.Get(ids) ?? []).Select(value => (JsonNode)value)]) };
            using var api = context.CreateApiClient();
            var response = await api.PostAsync("api/v1/deliveries/retrigger", body, cancellationToken);
            context.Show(response, r =>
            {
                var count = RenderList(context, Fields.Items(r.Root));
                context.Terminal.MarkupLine($"[green]Retriggered[/] {count} deliver{(count == 1 ? "y" : "ies")}.");
            });
            return ExitCodes.Success;
        });
        return command;
    }

    private static int RenderList(CommandContext context, IEnumerable<JsonElement> deliveries)
    {
        var table = Tables.Create("ID", "EVENT", "NAME", "STATUS", "TRIES", "LAST", "NEXT ATTEMPT (UTC)");
        var count = 0;
        foreach (var delivery in deliveries)
        {
            count++;
            table.Row(
                Terminal.Escape(Fields.Text(delivery, "id")),
                Terminal.Escape(Fields.Text(delivery, "event_id")),
                Terminal.Escape(Fields.Text(delivery, "event_name")),
                Tables.Status(Fields.Text(delivery, "status")) + (Fields.Flag(delivery, "retriggered") ? " [grey](retriggered)[/]" : string.Empty),
                Fields.Text(delivery, "attempt_count"),
                Last(delivery, 40),
                Terminal.Escape(Tables.Time(Fields.Text(delivery, "next_attempt_at"))));
        }

        if (count > 0)
        {
            context.Terminal.Out.Write(table);
        }

        return count;
    }

    private static void RenderDelivery(CommandContext context, JsonElement delivery)
    {
        context.Terminal.Out.Write(Tables.Details()
            .Detail("id", Terminal.Escape(Fields.Text(delivery, "id")))
            .Detail("event", $"{Terminal.Escape(Fields.Text(delivery, "event_id"))} ({Terminal.Escape(Fields.Text(delivery, "event_name"))})")
            .Detail("webhook", Terminal.Escape(Fields.Text(delivery, "webhook_id")))
            .Detail("account", Terminal.Escape(Fields.Text(delivery, "account_id")))
            .Detail("status", Tables.Status(Fields.Text(delivery, "status")) + (Fields.Flag(delivery, "retriggered") ? " [grey](retriggered)[/]" : string.Empty))
            .Detail("next attempt", Terminal.Escape(Fields.Text(delivery, "next_attempt_at")))
            .Detail("last", Last(delivery))
            .Detail("created", Terminal.Escape(Fields.Text(delivery, "created_at")))
            .Detail("updated", Terminal.Escape(Fields.Text(delivery, "updated_at"))));

        var attempts = delivery.TryGetProperty("attempts", out var list) && list.ValueKind == JsonValueKind.Array ? list.EnumerateArray().ToList() : [];
        if (attempts.Count == 0)
        {
            context.Terminal.MarkupLine("[grey]No attempts yet.[/]");
            return;
        }

        var table = Tables.Create("#", "STARTED", "DURATION", "STATUS", "ERROR", "RESPONSE");
        foreach (var attempt in attempts)
        {
            var response = Fields.Text(attempt, "response_body").ReplaceLineEndings(" ");
            table.Row(
                Fields.Text(attempt, "number"),
                Terminal.Escape(Fields.Text(attempt, "started_at")),
                Terminal.Escape(Fields.Text(attempt, "duration_ms") + " ms"),
                Tables.HttpStatus(Fields.Number(attempt, "status_code")),
                Terminal.Escape(Fields.Text(attempt, "error")),
                Terminal.Escape(response.Length > 80 ? response[..80] + "…" : response));
        }

        context.Terminal.Out.Write(table);
    }

    private static string Last(JsonElement delivery, int maxLength = int.MaxValue)
    {
        if (Fields.Number(delivery, "last_status_code") is { } code)
        {
            return Tables.HttpStatus(code);
        }

        var error = Fields.Text(delivery, "last_error");
        return Terminal.Escape(error.Length > maxLength ? error[..(maxLength - 1)] + "…" : error);
    }
}
