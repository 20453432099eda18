using Dapper;
using Microsoft.Extensions.Options;

namespace Herald.Server.Storage;

/// <summary>
/// Runs once at start, after the schema: refuses to start when a stored secret cannot be decrypted with the configured
/// keys (a key removed too early, or none configured), and with <see cref="SecretsOptions.ReencryptOnStart"/> rewrites
/// every secret that is plain or under an older key under the active one. Nodes may run it together: each row is
/// rewritten only if it still holds what was read.
/// </summary>
internal sealed partial class SecretKeyMaintenance(SqlDatabase database, SecretProtector protector, IOptions<SecretsOptions> options, ILogger<SecretKeyMaintenance> logger) : IHostedService
{
    private const int PageSize = 500;

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var rewritten = 0;
        string? after = string.Empty;
        while (after is not null)
        {
            List<SecretRow> page;
            await using (var connection = await database.OpenAsync(cancellationToken))
            {
                page = (await connection.QueryAsync<SecretRow>(new CommandDefinition(
                    "SELECT id AS Id, secret AS Secret, next_secret AS NextSecret FROM webhooks WHERE id > @after AND (secret IS NOT NULL OR next_secret IS NOT NULL) ORDER BY id LIMIT @take",
                    new { after, take = PageSize }, cancellationToken: cancellationToken))).AsList();
                foreach (var row in page)
                {
                    if (!protector.CanRead(row.Secret) || !protector.CanRead(row.NextSecret))
                    {
                        var keyId = SecretProtector.KeyIdOf(protector.CanRead(row.Secret) ? row.NextSecret : row.Secret);
                        throw new InvalidOperationException(protector.Enabled
                            ? $"Webhook secrets are encrypted with master key '{keyId}', which is not configured: add it back to Herald:Secrets (HERALD_MASTER_KEYS) until every secret is re-encrypted."
                            : $"Webhook secrets are encrypted (master key '{keyId}') but no master key is configured: set HERALD_MASTER_KEYS or Herald:Secrets:MasterKeyFile.");
                    }

                    if (protector.Enabled && options.Value.ReencryptOnStart && (NeedsRewrite(row.Secret) || NeedsRewrite(row.NextSecret)))
                    {
                        rewritten += await connection.ExecuteAsync(new CommandDefinition(
                            """
                            UPDATE webhooks SET secret = @secret, next_secret = @nextSecret
                            WHERE id = @id AND COALESCE(secret, '') = @oldSecret AND COALESCE(next_secret, '') = @oldNextSecret
                            """,
                            new
                            {
                                id = row.Id,
                                secret = protector.Protect(protector.Unprotect(row.Secret, row.Id), row.Id),
                                nextSecret = protector.Protect(protector.Unprotect(row.NextSecret, row.Id), row.Id),
                                oldSecret = row.Secret ?? string.Empty,
                                oldNextSecret = row.NextSecret ?? string.Empty,
                            },
                            cancellationToken: cancellationToken));
                    }
                }
            }

            after = page.Count == PageSize ? page[^1].Id : null;
        }

        if (rewritten > 0)
        {
            LogReencrypted(logger, rewritten, protector.ActiveKeyId!);
        }
        else if (!protector.Enabled)
        {
            LogPlainSecrets(logger);
        }
    }

    private bool NeedsRewrite(string? stored) => stored is not null && SecretProtector.KeyIdOf(stored) != protector.ActiveKeyId;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    [LoggerMessage(Level = LogLevel.Information, Message = "Re-encrypted the signing secrets of {Count} webhook(s) under master key {KeyId}")]
    private static partial void LogReencrypted(ILogger logger, int count, string keyId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Webhook signing secrets are stored in plain text: set HERALD_MASTER_KEYS (or Herald:Secrets:MasterKeyFile) to encrypt them at rest")]
    private static partial void LogPlainSecrets(ILogger logger);

    private sealed class SecretRow
    {
        public string Id { get; set; } = string.Empty;
        public string? Secret { get; set; }
        public string? NextSecret { get; set; }
    }
}
