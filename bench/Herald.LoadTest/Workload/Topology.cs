using Herald.LoadTest.Processes;

namespace Herald.LoadTest.Workload;

/// <summary>
/// Who receives what: <paramref name="Accounts"/> accounts with <paramref name="WebhooksPerAccount"/> webhooks
/// each, all subscribed to the benchmark event, so every event fans out to one account's webhooks. The first
/// <paramref name="HangingPerAccount"/> webhooks of each account hang. Endpoint numbers are
/// <c>account × WebhooksPerAccount + webhook</c>.
/// </summary>
internal sealed record Topology(int Accounts, int WebhooksPerAccount, int HangingPerAccount = 0)
{
    public static readonly Topology OneEndpoint = new(1, 1);

    public int Endpoints => Accounts * WebhooksPerAccount;

    /// <summary>Healthy deliveries per event.</summary>
    public int Fanout => WebhooksPerAccount - HangingPerAccount;

    public IReadOnlyList<int> HealthyEndpoints =>
        [.. Enumerable.Range(0, Endpoints).Where(endpoint => endpoint % WebhooksPerAccount >= HangingPerAccount)];

    public string Describe() => HangingPerAccount == 0
        ? $"{Endpoints:N0} × fan-out {Fanout}"
        : $"{Endpoints:N0} ({Accounts * HangingPerAccount:N0} hanging) × fan-out {WebhooksPerAccount}";

    /// <summary>Creates the accounts and webhooks through the API; returns the account ids in order.</summary>
    public async Task<IReadOnlyList<string>> CreateAsync(HeraldApi api, ReceiverProcess receiver)
    {
        var accounts = new string[Accounts];
        await Parallel.ForEachAsync(Enumerable.Range(0, Accounts), new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (account, _) =>
        {
            accounts[account] = await api.CreateAccountAsync($"Bench {account}");
            for (var webhook = 0; webhook < WebhooksPerAccount; webhook++)
            {
                var behaviour = webhook < HangingPerAccount ? EndpointBehaviour.Hanging : EndpointBehaviour.Healthy;
                await api.CreateWebhookAsync(accounts[account], receiver.Endpoint(behaviour, (account * WebhooksPerAccount) + webhook));
            }
        });
        return accounts;
    }
}
