using System.CommandLine;
using System.Text.Json;
using Herald.Cli.Output;
using Herald.Cli.Signing;
using Herald.Cli.Streaming;

namespace Herald.Cli.Commands;

/// <summary><c>herald listen</c> and <c>herald events tail</c>: clients of the server's event stream.</summary>
internal static class StreamCommands
{
    public static Command CreateListen(CommandServices services)
    {
        var forwardTo = new Option<string>("--forward-to", "-f") { Description = "The local URL to POST each event to, e.g. http://localhost:5080/webhooks/airwallex.", Required = true, HelpName = "URL" };
        var (events, account, idleTimeout) = StreamOptions();
        var secret = new Option<string?>("--secret") { Description = "The signing secret to use instead of a new random whsec_ one (so a receiver's configuration can stay put).", HelpName = "SECRET" };
        var command = new Command(
            "listen",
            "Stream the key's new events from Herald and POST each, signed with a local secret, to a local URL, showing each result live. Reconnects and resumes after a dropped connection without gaps or repeats; Ctrl+C stops.")
        {
            forwardTo,
            events,
            account,
            secret,
            idleTimeout,
        };
        command.SetHandler(services, async (context, cancellationToken) =>
        {
            var target = ParseTarget(context.Get(forwardTo)!);
            var query = new StreamQuery(context.Get(account), EventNames.Parse(context.Get(events), "--events"));
            var signingSecret = context.Get(secret) is { Length: > 0 } chosen ? chosen : LocalForwarder.NewSecret();
            var settings = context.Settings;
            using var forwarder = new LocalForwarder(target, signingSecret, context.Time);
            using var stream = new EventStreamClient(settings, context.Time, new StreamStatus(context.Terminal), IdleTimeout(context, idleTimeout));
            context.Terminal.Note($"[green]Ready![/] Forwarding events from {Terminal.Escape(settings.Url.Value)} to [bold]{Terminal.Escape(target.ToString())}[/]{Describe(query)}");
            context.Terminal.Note($"Your webhook signing secret is [bold]{Terminal.Escape(signingSecret)}[/] [grey](Ctrl+C to quit)[/]");
            await stream.RunAsync(query, async (item, token) =>
            {
                var summary = EnvelopeSummary.Read(item.Envelope);
                var result = await forwarder.ForwardAsync(item.Envelope, token);
                if (context.Json)
                {
                    context.Terminal.WriteJson(ForwardJson(summary, item, result));
                    return;
                }

                var outcome = result.StatusCode is { } code
                    ? $"{Tables.HttpStatus(code)}"
                    : $"[red]failed[/] {Terminal.Escape(result.Error)}";
                context.Terminal.MarkupLine(
                    $"{Terminal.Escape(summary.CreatedAt)}  --> [bold]{Terminal.Escape(summary.Name)}[/] [grey]{Terminal.Escape(summary.Id)}[/]  <-- {outcome} [grey]({Terminal.Milliseconds(result.Duration.TotalMilliseconds)})[/]");
                if (!result.Succeeded && result.ResponsePrefix is { Length: > 0 } answer)
                {
                    context.Terminal.MarkupLine($"    [grey]{Terminal.Escape(answer.ReplaceLineEndings(" ").Trim())}[/]");
                }
            }, cancellationToken);
            return ExitCodes.Success;
        });
        return command;
    }

    public static Command CreateTail(CommandServices services)
    {
        var (events, account, idleTimeout) = StreamOptions();
        var command = new Command("tail", "Print the key's new events as they are published (--json: each envelope's exact bytes, one per line). Reconnects and resumes like listen; Ctrl+C stops.")
        {
            events,
            account,
            idleTimeout,
        };
        command.SetHandler(services, async (context, cancellationToken) =>
        {
            var query = new StreamQuery(context.Get(account), EventNames.Parse(context.Get(events), "--events"));
            using var stream = new EventStreamClient(context.Settings, context.Time, new StreamStatus(context.Terminal), IdleTimeout(context, idleTimeout));
            context.Terminal.Note($"Waiting for events from {Terminal.Escape(context.Settings.Url.Value)}{Describe(query)} [grey](Ctrl+C to quit)[/]");
            await stream.RunAsync(query, (item, _) =>
            {
                if (context.Json)
                {
                    context.Terminal.WriteJson(item.Envelope);
                }
                else
                {
                    var summary = EnvelopeSummary.Read(item.Envelope);
                    context.Terminal.MarkupLine($"{Terminal.Escape(summary.CreatedAt)}  [bold]{Terminal.Escape(summary.Name)}[/]  {Terminal.Escape(summary.Id)}  [grey]{Terminal.Escape(summary.Owner)}[/]");
                }

                return Task.CompletedTask;
            }, cancellationToken);
            return ExitCodes.Success;
        });
        return command;
    }

    private static (Option<string[]> Events, Option<string?> Account, Option<string?> IdleTimeout) StreamOptions() =>
        (new Option<string[]>("--events") { Description = "Only these event names, comma-separated or repeated (default: all).", HelpName = "NAMES" },
         new Option<string?>("--account") { Description = "Only this account's events (with an admin or organization key).", HelpName = "ID" },
         new Option<string?>("--idle-timeout")
         {
             Description = "Reconnect when nothing, not even a keep-alive, arrives for this long (default 45s).",
             HelpName = "DURATION",
             Hidden = true,
         });

    private static TimeSpan? IdleTimeout(CommandContext context, Option<string?> option)
    {
        if (context.Get(option) is not { } text)
        {
            return null;
        }

        return DurationText.TryParse(text, out var timeout) && timeout != Timeout.InfiniteTimeSpan
            ? timeout
            : throw CliException.Usage($"--idle-timeout '{text}' is not a duration such as 30s.");
    }

    private static Uri ParseTarget(string text)
    {
        // "localhost:5080/hooks" is what people type; http is what a local app speaks.
        var candidate = text.Contains("://", StringComparison.Ordinal) ? text : "http://" + text;
        return Uri.TryCreate(candidate, UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttp || uri.Scheme == Uri.UriSchemeHttps)
            ? uri
            : throw CliException.Usage($"--forward-to '{text}' is not an http:// or https:// URL, e.g. http://localhost:5080/webhooks.");
    }

    private static string Describe(StreamQuery query) =>
        (query.AccountId is null ? string.Empty : $" for {Terminal.Escape(query.AccountId)}")
        + (query.Events.Count == 0 ? string.Empty : $" ({Terminal.Escape(string.Join(", ", query.Events))})");

    private static byte[] ForwardJson(EnvelopeSummary summary, StreamedEvent item, ForwardResult result)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteString("id", summary.Id);
            writer.WriteString("name", summary.Name);
            if (item.Cursor is not null)
            {
                writer.WriteString("cursor", item.Cursor);
            }

            if (result.StatusCode is { } code)
            {
                writer.WriteNumber("status_code", code);
            }

            writer.WriteNumber("duration_ms", Math.Round(result.Duration.TotalMilliseconds, 1));
            if (result.Error is not null)
            {
                writer.WriteString("error", result.Error);
            }

            writer.WriteEndObject();
        }

        return buffer.ToArray();
    }

    /// <summary>Shows the connection's state on standard error, apart from the event lines.</summary>
    private sealed class StreamStatus(Terminal terminal) : IStreamObserver
    {
        public void Connected(string? resumedAfter) => terminal.Note(resumedAfter is null
            ? "[grey]Connected.[/]"
            : $"[grey]Reconnected; resuming after {Terminal.Escape(resumedAfter)}.[/]");

        public void Disconnected(string reason, TimeSpan retryIn) =>
            terminal.Note($"[yellow]{Terminal.Escape(reason)}[/]; reconnecting in {Terminal.Milliseconds(retryIn.TotalMilliseconds)}…");
    }
}
