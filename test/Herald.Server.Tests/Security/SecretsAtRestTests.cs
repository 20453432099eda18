using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Herald.Server.Storage;
using Herald.Server.Tests.Infrastructure;
using Herald.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Herald.Server.Tests.Security;

/// <summary>
/// What an attacker with a copy of the data folder or database gets: files only the server's user can read, and
/// webhook signing secrets encrypted with AES-GCM under a master key that is not stored with them. Master keys rotate:
/// old keys decrypt, the newest encrypts, and a restart re-encrypts everything under it.
/// </summary>
public sealed class SecretsAtRestTests
{
    private static string NewKey(string id) => $"{id}:{Convert.ToBase64String(RandomNumberGenerator.GetBytes(32))}";

    private static async Task<(string WebhookId, string Secret, string NextSecret)> CreateRotatedWebhookAsync(HeraldTestServer server, WebhookReceiver receiver)
    {
        var account = await server.CreateAccountAsync();
        var secret = "whsec_atrest_" + Convert.ToHexString(RandomNumberGenerator.GetBytes(12));
        var webhook = await server.PostAsync("/api/v1/webhooks/create", new JsonObject
        {
            ["account_id"] = account, ["url"] = receiver.Url(), ["all_events"] = true, ["secret"] = secret,
        });
        var id = webhook["id"]!.GetValue<string>();
        var rotated = await server.PostAsync($"/api/v1/webhooks/{id}/rotate_secret", new JsonObject { ["activate_after_seconds"] = 3600 });
        return (id, secret, rotated["secret"]!.GetValue<string>());
    }

    private static async Task<(string? Secret, string? NextSecret)> StoredSecretsAsync(HeraldTestServer server, string webhookId)
    {
        await using var connection = await server.OpenDatabaseAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = $"SELECT secret, next_secret FROM webhooks WHERE id = '{webhookId}'";
        await using var reader = await command.ExecuteReaderAsync();
        Assert.True(await reader.ReadAsync());
        return (reader.IsDBNull(0) ? null : reader.GetString(0), reader.IsDBNull(1) ? null : reader.GetString(1));
    }

    /// <summary>Every byte the database keeps on disk for this server: the SQLite file and its WAL, or PostgreSQL's files for the database and its WAL.</summary>
    private static async Task<byte[]> RawDatabaseBytesAsync(HeraldTestServer server)
    {
        var files = new List<string>();
        if (server.PostgresConnectionString is null)
        {
            files.AddRange(Directory.GetFiles(server.DataPath, "herald.db*"));
        }
        else
        {
            await using var connection = await server.OpenDatabaseAsync();
            await using var command = connection.CreateCommand();
            command.CommandText = "CHECKPOINT; SELECT current_setting('data_directory') || '/base/' || oid::text FROM pg_database WHERE datname = current_database()";
            var databaseFolder = (string)(await command.ExecuteScalarAsync())!;
            files.AddRange(Directory.GetFiles(databaseFolder));
            files.AddRange(Directory.GetFiles(Path.Combine(Path.GetDirectoryName(Path.GetDirectoryName(databaseFolder))!, "pg_wal")));
        }

        using var all = new MemoryStream();
        foreach (var file in files)
        {
            await using var stream = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            await stream.CopyToAsync(all);
        }

        return all.ToArray();
    }

    private static bool Holds(byte[] haystack, string secret) => haystack.AsSpan().IndexOf(Encoding.UTF8.GetBytes(secret)) >= 0;

    [Fact]
    public async Task With_a_master_key_the_raw_database_holds_no_signing_secret_and_deliveries_are_still_signed_with_it()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        await using var server = await HeraldTestServer.StartAsync(new Dictionary<string, string?> { ["HERALD_MASTER_KEYS"] = NewKey("k1") });
        var (id, secret, next) = await CreateRotatedWebhookAsync(server, receiver);
        var account = (await server.GetAsync($"/api/v1/webhooks/{id}"))["account_id"]!.GetValue<string>();

        await server.PublishAsync(account, "refund.received", id: "evt_signed");
        await receiver.WaitUntilAsync(requests => requests.Count == 1);

        var stored = await StoredSecretsAsync(server, id);
        Assert.StartsWith("herald:v1 k1 ", stored.Secret, StringComparison.Ordinal);
        Assert.StartsWith("herald:v1 k1 ", stored.NextSecret, StringComparison.Ordinal);
        var raw = await RawDatabaseBytesAsync(server);
        Assert.False(Holds(raw, secret), "the current secret is in the raw database");
        Assert.False(Holds(raw, next), "the next secret is in the raw database");
        var request = Assert.Single(receiver.Requests);
        Assert.True(Herald.Contracts.Signing.WebhookSignature.IsValid(secret, request.Headers["x-timestamp"]!, request.Body, request.Headers["x-signature"]));
    }

    [Fact]
    public async Task Without_a_master_key_the_raw_database_holds_the_secret_which_is_why_the_key_matters()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        await using var server = await HeraldTestServer.StartAsync();
        var (_, secret, _) = await CreateRotatedWebhookAsync(server, receiver);

        Assert.True(Holds(await RawDatabaseBytesAsync(server), secret));
    }

    [Fact]
    public async Task A_new_master_key_encrypts_new_secrets_old_keys_still_decrypt_and_a_restart_re_encrypts_everything()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        var dataPath = Directory.CreateTempSubdirectory("herald-test-").FullName;
        var postgres = HeraldTestServer.UsePostgres ? await PostgresServer.CreateDatabaseAsync("herald_server") : null;
        var (k1, k2) = (NewKey("k1"), NewKey("k2"));
        Dictionary<string, string?> Settings(string keys, bool reencrypt) => new()
        {
            ["HERALD_MASTER_KEYS"] = keys,
            ["Herald:Secrets:ReencryptOnStart"] = reencrypt ? "true" : "false",
            ["Herald:Storage:ConnectionString"] = postgres,
        };

        string oldId, oldSecret;
        await using (var first = await HeraldTestServer.StartAsync(Settings(k1, reencrypt: true), dataPath: dataPath, deleteDataOnDispose: false))
        {
            (oldId, oldSecret, _) = await CreateRotatedWebhookAsync(first, receiver);
        }

        // k2 added and active, no re-encryption yet: the old value still reads (k1), a new one is written under k2.
        string newId;
        await using (var second = await HeraldTestServer.StartAsync(Settings($"{k1},{k2}", reencrypt: false), dataPath: dataPath, deleteDataOnDispose: false))
        {
            Assert.StartsWith("herald:v1 k1 ", (await StoredSecretsAsync(second, oldId)).Secret, StringComparison.Ordinal);
            (newId, _, _) = await CreateRotatedWebhookAsync(second, receiver);
            Assert.StartsWith("herald:v1 k2 ", (await StoredSecretsAsync(second, newId)).Secret, StringComparison.Ordinal);
            var account = (await second.GetAsync($"/api/v1/webhooks/{oldId}"))["account_id"]!.GetValue<string>();
            await second.PublishAsync(account, "refund.received", id: "evt_old_key");
            await receiver.WaitUntilAsync(requests => requests.Any(r => r.Body.AsSpan().IndexOf("evt_old_key"u8) >= 0));
            var request = receiver.Requests.Single(r => r.Body.AsSpan().IndexOf("evt_old_key"u8) >= 0);
            Assert.True(Herald.Contracts.Signing.WebhookSignature.IsValid(oldSecret, request.Headers["x-timestamp"]!, request.Body, request.Headers["x-signature"]));
        }

        // A restart with re-encryption moves everything to k2; then k1 can go.
        await using (var third = await HeraldTestServer.StartAsync(Settings($"{k1},{k2}", reencrypt: true), dataPath: dataPath, deleteDataOnDispose: false))
        {
            Assert.StartsWith("herald:v1 k2 ", (await StoredSecretsAsync(third, oldId)).Secret, StringComparison.Ordinal);
            Assert.StartsWith("herald:v1 k2 ", (await StoredSecretsAsync(third, oldId)).NextSecret, StringComparison.Ordinal);
        }

        await using (var fourth = await HeraldTestServer.StartAsync(Settings(k2, reencrypt: false), dataPath: dataPath))
        {
            Assert.Equal(oldId, (await fourth.GetAsync($"/api/v1/webhooks/{oldId}"))["id"]!.GetValue<string>());
        }
    }

    [Fact]
    public async Task A_server_without_the_key_a_secret_was_encrypted_with_refuses_to_start_naming_the_key()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        var dataPath = Directory.CreateTempSubdirectory("herald-test-").FullName;
        var postgres = HeraldTestServer.UsePostgres ? await PostgresServer.CreateDatabaseAsync("herald_server") : null;
        await using (var first = await HeraldTestServer.StartAsync(new Dictionary<string, string?> { ["HERALD_MASTER_KEYS"] = NewKey("old"), ["Herald:Storage:ConnectionString"] = postgres }, dataPath: dataPath, deleteDataOnDispose: false))
        {
            await CreateRotatedWebhookAsync(first, receiver);
        }

        var withOtherKey = await Assert.ThrowsAsync<InvalidOperationException>(() => HeraldTestServer.StartAsync(
            new Dictionary<string, string?> { ["HERALD_MASTER_KEYS"] = NewKey("new"), ["Herald:Storage:ConnectionString"] = postgres }, dataPath: dataPath, deleteDataOnDispose: false));
        var withoutKey = await Assert.ThrowsAsync<InvalidOperationException>(() => HeraldTestServer.StartAsync(
            new Dictionary<string, string?> { ["Herald:Storage:ConnectionString"] = postgres }, dataPath: dataPath));

        Assert.Contains("'old'", withOtherKey.Message, StringComparison.Ordinal);
        Assert.Contains("no master key", withoutKey.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Master_keys_can_come_from_a_file()
    {
        var keyFile = Path.Combine(Directory.CreateTempSubdirectory("herald-keys-").FullName, "master-keys");
        await File.WriteAllTextAsync(keyFile, $"# rotated 2026-05\n{NewKey("file1")}\n");
        await using var receiver = await WebhookReceiver.StartAsync();
        await using var server = await HeraldTestServer.StartAsync(new Dictionary<string, string?> { ["Herald:Secrets:MasterKeyFile"] = keyFile });

        var (id, _, _) = await CreateRotatedWebhookAsync(server, receiver);

        Assert.StartsWith("herald:v1 file1 ", (await StoredSecretsAsync(server, id)).Secret, StringComparison.Ordinal);
    }

    [Fact]
    public async Task No_secret_or_key_is_ever_written_to_the_log()
    {
        var logs = new LogCollector();
        var masterKey = NewKey("logged");
        await using var receiver = await WebhookReceiver.StartAsync();
        receiver.Respond = _ => new ReceiverResponse(500);
        await using var server = await HeraldTestServer.StartAsync(new Dictionary<string, string?> { ["HERALD_MASTER_KEYS"] = masterKey }, services: services =>
            services.AddLogging(logging => logging.SetMinimumLevel(LogLevel.Trace)).AddSingleton<ILoggerProvider>(logs));
        var (id, secret, next) = await CreateRotatedWebhookAsync(server, receiver);
        var account = (await server.GetAsync($"/api/v1/webhooks/{id}"))["account_id"]!.GetValue<string>();
        var apiKey = (await server.PostAsync("/api/v1/api_keys/create", new JsonObject { ["account_id"] = account }))["key"]!.GetValue<string>();
        var app = await server.PostAsync("/api/v1/apps/create", new JsonObject { ["name"] = "Logged" });
        await server.PublishAsync(account, "refund.received", id: "evt_logged");
        await receiver.WaitUntilAsync(requests => requests.Count == 1);
        await server.WaitForIdleAsync();

        Assert.NotEmpty(logs.Lines);
        foreach (var sensitive in new[] { secret, next, apiKey, app["client_secret"]!.GetValue<string>(), HeraldTestServer.AdminKey, masterKey.Split(':')[1] })
        {
            Assert.DoesNotContain(logs.Lines, line => line.Contains(sensitive, StringComparison.Ordinal));
        }
    }

    [Fact]
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    public async Task The_data_folder_is_0700_and_the_database_and_admin_key_files_are_0600()
    {
        var dataPath = Path.Combine(Directory.CreateTempSubdirectory("herald-modes-").FullName, "data");
        await using (var server = await HeraldTestServer.StartAsync(new Dictionary<string, string?> { ["HERALD_ADMIN_KEY"] = null }, dataPath: dataPath, deleteDataOnDispose: false))
        {
            // Herald made the admin key (dev mode, none configured); a write makes the WAL and shared-memory files exist.
            using var client = new HttpClient { BaseAddress = server.Client.BaseAddress };
            client.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", (await File.ReadAllTextAsync(Path.Combine(dataPath, "admin-key"))).Trim());
            await server.PostAsync("/api/v1/accounts/create", new JsonObject { ["name"] = "Modes" }, client);
            Assert.Equal(PrivateFiles.PrivateFolderMode, File.GetUnixFileMode(dataPath) & (UnixFileMode)0x1FF);
            Assert.Equal(PrivateFiles.PrivateFileMode, File.GetUnixFileMode(Path.Combine(dataPath, "admin-key")) & (UnixFileMode)0x1FF);
            if (server.PostgresConnectionString is null)
            {
                foreach (var file in new[] { "herald.db", "herald.db-wal", "herald.db-shm" })
                {
                    var path = Path.Combine(dataPath, file);
                    Assert.True(File.Exists(path), file);
                    Assert.Equal(PrivateFiles.PrivateFileMode, File.GetUnixFileMode(path) & (UnixFileMode)0x1FF);
                }
            }
        }

        Directory.Delete(dataPath, recursive: true);
    }

    [Fact]
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    public async Task Files_an_older_Herald_left_world_readable_are_tightened_at_start()
    {
        Assert.SkipWhen(HeraldTestServer.UsePostgres, "the SQLite files");
        var dataPath = Directory.CreateTempSubdirectory("herald-modes-").FullName;
        await using (var first = await HeraldTestServer.StartAsync(dataPath: dataPath, deleteDataOnDispose: false))
        {
            await first.CreateAccountAsync();
        }

        var wide = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead;
        File.SetUnixFileMode(dataPath, wide | UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute);
        File.SetUnixFileMode(Path.Combine(dataPath, "herald.db"), wide);

        await using var second = await HeraldTestServer.StartAsync(dataPath: dataPath);

        Assert.Equal(PrivateFiles.PrivateFolderMode, File.GetUnixFileMode(dataPath) & (UnixFileMode)0x1FF);
        Assert.Equal(PrivateFiles.PrivateFileMode, File.GetUnixFileMode(Path.Combine(dataPath, "herald.db")) & (UnixFileMode)0x1FF);
    }
}
