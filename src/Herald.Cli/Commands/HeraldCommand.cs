using System.CommandLine;

namespace Herald.Cli.Commands;

/// <summary>The <c>herald</c> root command and its tree.</summary>
internal static class HeraldCommand
{
    public static RootCommand Create(CommandServices services)
    {
        var root = new RootCommand(
            "herald: run a Herald webhook server, forward its events to a local app, publish sample events, sign and verify payloads, and manage webhooks, deliveries and events.")
        {
            services.Globals.Url,
            services.Globals.ApiKey,
            services.Globals.Json,
            ServeCommand.Create(services),
            StreamCommands.CreateListen(services),
            TriggerCommand.Create(services),
            SignatureCommands.CreateSign(services),
            SignatureCommands.CreateVerify(services),
            WebhookCommands.Create(services),
            DeliveryCommands.Create(services),
            EventCommands.Create(services),
            AccountCommands.Create(services),
            ProfileCommands.CreateLogin(services),
            ProfileCommands.CreateLogout(services),
        };
        return root;
    }
}
