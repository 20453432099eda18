using System.CommandLine;
using System.Text.Json;
using Herald.Cli.Output;
using Herald.Cli.Signing;
using Herald.Contracts.Envelope;
using Herald.Contracts.Signing;
using Herald.Receiver;

namespace Herald.Cli.Commands;

/// <summary><c>herald sign</c> and <c>herald verify</c>: the contract's x-signature over a payload file or standard input.</summary>
internal static class SignatureCommands
{
    public static Command CreateSign(CommandServices services)
    {
        var secret = new Option<string>("--secret") { Description = "The endpoint secret exactly as shown, whsec_ prefix included.", Required = true, HelpName = "SECRET" };
        var timestamp = new Option<string?>("--timestamp") { Description = "The x-timestamp to sign: Unix time in milliseconds. Default: now.", HelpName = "MS" };
        var payload = PayloadOption();
        var command = new Command("sign", "Print the x-timestamp and x-signature headers Herald would send with this body and secret.")
        {
            secret,
            timestamp,
            payload,
        };
        command.SetHandler(services, async (context, cancellationToken) =>
        {
            var stamp = context.Get(timestamp) ?? WebhookTimestamps.FormatSignatureTimestamp(context.Time.GetUtcNow());
            if (stamp.Length is 0 or > 18 || !stamp.All(char.IsAsciiDigit))
            {
                throw CliException.Usage($"--timestamp '{stamp}' is not Unix time in milliseconds (decimal digits, e.g. 1779285260123).");
            }

            var body = await PayloadSource.ReadAsync(context.Get(payload), cancellationToken);
            var signature = WebhookSignature.Sign(context.Get(secret)!, stamp, body);
            if (context.Json)
            {
                context.Terminal.WriteJson(Serialize(writer =>
                {
                    writer.WriteString("x_timestamp", stamp);
                    writer.WriteString("x_signature", signature);
                }));
            }
            else
            {
                context.Terminal.WriteLine($"{WebhookSignature.TimestampHeader}: {stamp}");
                context.Terminal.WriteLine($"{WebhookSignature.SignatureHeader}: {signature}");
            }

            return ExitCodes.Success;
        });
        return command;
    }

    public static Command CreateVerify(CommandServices services)
    {
        var secrets = new Option<string[]>("--secret")
        {
            Description = "The endpoint secret exactly as shown, whsec_ prefix included. Repeat it to accept several (during a rotation).",
            Required = true,
            HelpName = "SECRET",
        };
        var timestamp = new Option<string>("--timestamp") { Description = "The x-timestamp header exactly as received.", Required = true, HelpName = "MS" };
        var signature = new Option<string>("--signature") { Description = "The x-signature header exactly as received.", Required = true, HelpName = "HEX" };
        var tolerance = new Option<string>("--tolerance")
        {
            Description = "How far x-timestamp may be from now, either way, as Herald.Receiver checks it: e.g. 300s, 5m, 1h, or none to check the signature only.",
            DefaultValueFactory = _ => "5m",
            HelpName = "DURATION",
        };
        var payload = PayloadOption();
        var command = new Command("verify", "Check an x-signature over a payload the way Herald.Receiver does. Exit code 0 when valid, 1 when not (with the reason).")
        {
            secrets,
            timestamp,
            signature,
            tolerance,
            payload,
        };
        command.SetHandler(services, async (context, cancellationToken) =>
        {
            var toleranceText = context.Get(tolerance)!;
            if (!DurationText.TryParse(toleranceText, out var window))
            {
                throw CliException.Usage($"--tolerance '{toleranceText}' is not a duration: use e.g. 300s, 5m, 1h or none.");
            }

            var body = await PayloadSource.ReadAsync(context.Get(payload), cancellationToken);
            var verifier = new WebhookVerifier(context.Get(secrets) ?? [], window, context.Time);
            var result = verifier.Verify(context.Get(timestamp), context.Get(signature), body);
            if (context.Json)
            {
                context.Terminal.WriteJson(Serialize(writer =>
                {
                    writer.WriteBoolean("valid", result.IsValid);
                    writer.WriteString("status", JsonNamingPolicy.SnakeCaseLower.ConvertName(result.Status.ToString()));
                    writer.WriteString("message", result.PublicMessage);
                    writer.WriteString("explanation", result.Explanation);
                    if (result.SignedAt is { } at)
                    {
                        writer.WriteString("signed_at", WebhookTimestamps.FormatCreatedAt(at));
                    }

                    if (result.SecretIndex >= 0)
                    {
                        writer.WriteNumber("secret_index", result.SecretIndex);
                    }
                }));
            }
            else if (result.IsValid)
            {
                var which = verifier.SecretCount > 1 ? $" with secret #{result.SecretIndex + 1}" : string.Empty;
                context.Terminal.MarkupLine($"[green]Valid[/]{which}: signed at {Terminal.Escape(WebhookTimestamps.FormatCreatedAt(result.SignedAt!.Value))}.");
            }
            else
            {
                context.Terminal.MarkupLine($"[red]Invalid:[/] {Terminal.Escape(result.PublicMessage)}.");
                context.Terminal.WriteLine(result.Explanation);
                if (result.Status == WebhookVerificationStatus.TimestampOutsideTolerance)
                {
                    context.Terminal.MarkupLine("[grey]hint: --tolerance none checks the signature only (for a payload saved earlier).[/]");
                }
            }

            return result.IsValid ? ExitCodes.Success : ExitCodes.Failure;
        });
        return command;
    }

    private static Option<string?> PayloadOption() => new("--payload")
    {
        Description = "The raw body file (its exact bytes). Default, or -: standard input.",
        HelpName = "FILE",
    };

    private static byte[] Serialize(Action<Utf8JsonWriter> write)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            write(writer);
            writer.WriteEndObject();
        }

        return buffer.ToArray();
    }
}
