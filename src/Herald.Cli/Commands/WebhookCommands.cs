using System.CommandLine;
using System.Text.Json;
using System.Text.Json.Nodes;
using Herald.Cli.Api;
using Herald.Cli.Output;
using Spectre.Console;

namespace Herald.Cli.Commands;

/// <summary><c>herald webhooks list|show|create|update|delete|test|rotate-secret</c>.</summary>
internal static class WebhookCommands
{
    public static Command Create(CommandServices services) => new("webhooks", "Manage webhook endpoints (account-level).")
    {
        List(services),
        Show(services),
        CreateWebhook(services),
        Update(services),
        Delete(services),
        Test(services),
        RotateSecret(services),
    };

    private static Argument<string> IdArgument() => new("id") { Description = "The webhook id (wh_…)." };

    private static Command List(CommandServices services)
    {
        var list = new ListOptions();
        var command = new Command("list", "List webhooks.");
        list.AddTo(command);
        command.SetHandler(services, async (context, cancellationToken) =>
        {
            using var api = context.CreateApiClient();
            var response = await api.GetAsync(HeraldApiClient.WithQuery("api/v1/webhooks", list.Query(context)), cancellationToken);
            context.Show(response, r =>
            {
                var table = Tables.Create("ID", "URL", "EVENTS", "STATUS", "ACCOUNT");
                var count = 0;
                foreach (var webhook in Fields.Items(r.Root))
                {
                    count++;
                    table.Row(
                        Terminal.Escape(Fields.Text(webhook, "id")),
                        Terminal.Escape(Fields.Text(webhook, "url")),
                        Terminal.Escape(EventsSummary(webhook)),
                        Tables.Status(Fields.Text(webhook, "status")),
                        Terminal.Escape(Fields.Text(webhook, "account_id") is { Length: > 0 } accountId ? accountId : Fields.Text(webhook, "app_id")));
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
        var id = IdArgument();
        var command = new Command("show", "Show one webhook.") { id };
        command.SetHandler(services, async (context, cancellationToken) =>
        {
            using var api = context.CreateApiClient();
            var response = await api.GetAsync($"api/v1/webhooks/{HeraldApiClient.Segment(context.Get(id)!)}", cancellationToken);
            context.Show(response, r => RenderWebhook(context, r.Root));
            return ExitCodes.Success;
        });
        return command;
    }

    private static Command CreateWebhook(CommandServices services)
    {
        var url = new Argument<string>("endpoint") { Description = "The endpoint URL Herald POSTs to (https outside dev mode)." };
        var events = new Option<string[]>("--events") { Description = "Event names to subscribe to, comma-separated or repeated.", HelpName = "NAMES" };
        var allEvents = new Option<bool>("--all-events") { Description = "Subscribe to every event, including names added later." };
        var secret = new Option<string?>("--secret") { Description = "The signing secret to use; Herald makes a whsec_ one when not given.", HelpName = "SECRET" };
        var noSecret = new Option<bool>("--no-secret") { Description = "Send unsigned requests (no x-signature)." };
        var description = new Option<string?>("--description") { Description = "A note for people.", HelpName = "TEXT" };
        var account = new Option<string?>("--account") { Description = "The account that owns it (needed with the admin or an organization key).", HelpName = "ID" };
        var command = new Command("create", "Create a webhook. The answer shows its secret, once.")
        {
            url,
            events,
            allEvents,
            secret,
            noSecret,
            description,
            account,
        };
        command.SetHandler(services, async (context, cancellationToken) =>
        {
            var names = EventNames.Parse(context.Get(events), "--events");
            if (names.Count == 0 && !context.Get(allEvents))
            {
                throw CliException.Usage("Say what to subscribe to: --events a,b or --all-events.");
            }

            if (context.Get(noSecret) && context.Get(secret) is not null)
            {
                throw CliException.Usage("--secret and --no-secret contradict each other; give one.");
            }

            var body = new JsonObject { ["url"] = context.Get(url) };
            if (names.Count > 0)
            {
                body["events"] = new JsonArray([.. names.Select(name => (JsonNode)name)]);
            }

            if (context.Get(allEvents))
            {
                body["all_events"] = true;
            }

            if (context.Get(noSecret))
            {
                body["secret"] = string.Empty;
            }
            else if (context.Get(secret) is { } chosen)
            {
                body["secret"] = chosen;
            }

            AddIfGiven(body, "description", context.Get(description));
            AddIfGiven(body, "account_id", context.Get(account));
            using var api = context.CreateApiClient();
            var response = await api.PostAsync("api/v1/webhooks/create", body, cancellationToken);
            context.Show(response, r =>
            {
                context.Terminal.MarkupLine($"[green]Created[/] webhook [bold]{Terminal.Escape(Fields.Text(r.Root, "id"))}[/]");
                RenderWebhook(context, r.Root);
                if (Fields.Text(r.Root, "secret") is { Length: > 0 })
                {
                    context.Terminal.Note("[yellow]The secret is shown only now: copy it into your receiver's configuration.[/]");
                }
            });
            return ExitCodes.Success;
        });
        return command;
    }

    private static Command Update(CommandServices services)
    {
        var id = IdArgument();
        var url = new Option<string?>("--endpoint") { Description = "A new endpoint URL.", HelpName = "URL" };
        var events = new Option<string[]>("--events") { Description = "Replace the subscribed event names (comma-separated or repeated).", HelpName = "NAMES" };
        var allEvents = new Option<bool?>("--all-events") { Description = "true: subscribe to every event; false: only --events.", HelpName = "true|false" };
        var description = new Option<string?>("--description") { Description = "A new description.", HelpName = "TEXT" };
        var enable = new Option<bool>("--enable") { Description = "Enable it (also after Herald disabled it)." };
        var disable = new Option<bool>("--disable") { Description = "Disable it: no new deliveries." };
        var command = new Command("update", "Change a webhook's URL, events, description or status; what is not given stays.")
        {
            id,
            url,
            events,
            allEvents,
            description,
            enable,
            disable,
        };
        command.SetHandler(services, async (context, cancellationToken) =>
        {
            if (context.Get(enable) && context.Get(disable))
            {
                throw CliException.Usage("--enable and --disable contradict each other; give one.");
            }

            var body = new JsonObject();
            AddIfGiven(body, "url", context.Get(url));
            if (context.Has(events))
            {
                body["events"] = new JsonArray([.. EventNames.Parse(context.Get(events), "--events").Select(name => (JsonNode)name)]);
            }

            if (context.Get(allEvents) is { } all)
            {
                body["all_events"] = all;
            }

            AddIfGiven(body, "description", context.Get(description));
            if (context.Get(enable))
            {
                body["status"] = "ENABLED";
            }
            else if (context.Get(disable))
            {
                body["status"] = "DISABLED";
            }

            if (body.Count == 0)
            {
                throw CliException.Usage("Nothing to change: give --endpoint, --events, --all-events, --description, --enable or --disable.");
            }

            using var api = context.CreateApiClient();
            var response = await api.PostAsync($"api/v1/webhooks/{HeraldApiClient.Segment(context.Get(id)!)}/update", body, cancellationToken);
            context.Show(response, r =>
            {
                context.Terminal.MarkupLine($"[green]Updated[/] webhook [bold]{Terminal.Escape(Fields.Text(r.Root, "id"))}[/]");
                RenderWebhook(context, r.Root);
            });
            return ExitCodes.Success;
        });
        return command;
    }

    private static Command Delete(CommandServices services)
    {
        var id = IdArgument();
        var command = new Command("delete", "Delete a webhook: its queued deliveries are cancelled.") { id };
        command.SetHandler(services, async (context, cancellationToken) =>
        {
            using var api = context.CreateApiClient();
            var response = await api.PostAsync($"api/v1/webhooks/{HeraldApiClient.Segment(context.Get(id)!)}/delete", null, cancellationToken);
            context.Show(response, r => context.Terminal.MarkupLine($"[green]Deleted[/] webhook [bold]{Terminal.Escape(Fields.Text(r.Root, "id"))}[/]"));
            return ExitCodes.Success;
        });
        return command;
    }

    private static Command Test(CommandServices services)
    {
        var id = IdArgument();
        var eventName = new Argument<string>("event")
        {
            Description = "The event type to send a sample of.",
            DefaultValueFactory = _ => "payment_intent.succeeded",
        };
        eventName.AddCatalogCompletions();
        var command = new Command("test", "Send one signed sample event to the webhook now (not stored, not retried) and show the answer. Exit code 1 when the endpoint does not accept it.")
        {
            id,
            eventName,
        };
        command.SetHandler(services, async (context, cancellationToken) =>
        {
            var type = EventNames.Require(context.Get(eventName)!, "webhooks test");
            using var api = context.CreateApiClient();
            var path = $"api/v1/webhooks/{HeraldApiClient.Segment(context.Get(id)!)}/test";
            var body = new JsonObject { ["name"] = type.Name };
            var response = Terminal.IsInteractive && !context.Json
                ? await context.Terminal.Out.Status().StartAsync($"Sending {type.Name}…", _ => api.PostAsync(path, body, cancellationToken))
                : await api.PostAsync(path, body, cancellationToken);
            var root = response.Root;
            var success = Fields.Flag(root, "success");
            context.Show(response, _ =>
            {
                var outcome = success ? "[green]Accepted[/]" : "[red]Not accepted[/]";
                var status = Fields.Number(root, "status_code") is { } code ? $"HTTP {Tables.HttpStatus(code)}" : Terminal.Escape(Fields.Text(root, "error"));
                context.Terminal.MarkupLine(
                    $"{outcome}: {Terminal.Escape(type.Name)} {Terminal.Escape(Fields.Text(root, "event_id"))} → {status} in {Fields.Text(root, "duration_ms")} ms");
                if (Fields.Text(root, "response_body") is { Length: > 0 } answer)
                {
                    context.Terminal.MarkupLine($"[grey]response:[/] {Terminal.Escape(answer.Length > 500 ? answer[..500] + "…" : answer)}");
                }
            });
            return success ? ExitCodes.Success : ExitCodes.Failure;
        });
        return command;
    }

    private static Command RotateSecret(CommandServices services)
    {
        var id = IdArgument();
        var after = new Option<long?>("--activate-after") { Description = "Seconds until the new secret starts signing (default 86400: a day to install it first; 0: now).", HelpName = "SECONDS" };
        var command = new Command("rotate-secret", "Make the webhook's next secret; the old one keeps signing until it activates.") { id, after };
        command.SetHandler(services, async (context, cancellationToken) =>
        {
            var body = new JsonObject();
            if (context.Get(after) is { } seconds)
            {
                body["activate_after_seconds"] = seconds;
            }

            using var api = context.CreateApiClient();
            var response = await api.PostAsync($"api/v1/webhooks/{HeraldApiClient.Segment(context.Get(id)!)}/rotate_secret", body, cancellationToken);
            context.Show(response, r =>
            {
                context.Terminal.MarkupLine($"New secret [bold]{Terminal.Escape(Fields.Text(r.Root, "secret"))}[/] signs from {Terminal.Escape(Fields.Text(r.Root, "activates_at"))}.");
                context.Terminal.Note("[yellow]The secret is shown only now: add it to your receiver's secrets before it activates.[/]");
            });
            return ExitCodes.Success;
        });
        return command;
    }

    private static void RenderWebhook(CommandContext context, JsonElement webhook)
    {
        var table = Tables.Details()
            .Detail("id", Terminal.Escape(Fields.Text(webhook, "id")))
            .Detail("url", Terminal.Escape(Fields.Text(webhook, "url")))
            .Detail("events", Terminal.Escape(Fields.Flag(webhook, "all_events") ? "all events" : string.Join(", ", Fields.Strings(webhook, "events"))))
            .Detail("status", Tables.Status(Fields.Text(webhook, "status")) + (Fields.Text(webhook, "disabled_reason") is { Length: > 0 } reason ? $" [grey]({Terminal.Escape(reason)})[/]" : string.Empty))
            .Detail("account", Terminal.Escape(Fields.Text(webhook, "account_id")))
            .Detail("app", Terminal.Escape(Fields.Text(webhook, "app_id")))
            .Detail("description", Terminal.Escape(Fields.Text(webhook, "description")))
            .Detail("secret", Fields.Text(webhook, "secret") is { Length: > 0 } secret
                ? $"[bold]{Terminal.Escape(secret)}[/]"
                : Fields.Flag(webhook, "has_secret") ? "[grey](set; shown only at creation)[/]" : "[yellow]none (requests are not signed)[/]")
            .Detail("created", Terminal.Escape(Fields.Text(webhook, "created_at")))
            .Detail("updated", Terminal.Escape(Fields.Text(webhook, "updated_at")));
        context.Terminal.Out.Write(table);
    }

    private static string EventsSummary(JsonElement webhook)
    {
        if (Fields.Flag(webhook, "all_events"))
        {
            return "all";
        }

        var names = Fields.Strings(webhook, "events");
        return names.Count <= 1 ? string.Join(", ", names) : $"{names[0]} +{names.Count - 1}";
    }

    private static void AddIfGiven(JsonObject body, string name, string? value)
    {
        if (value is not null)
        {
            body[name] = value;
        }
    }
}
