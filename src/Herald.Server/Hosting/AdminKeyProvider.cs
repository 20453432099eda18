using Herald.Core;
using Herald.Server.Auth;
using Herald.Server.Storage;
using Microsoft.Extensions.Options;

namespace Herald.Server.Hosting;

/// <summary>
/// Finds the admin key: <c>HERALD_ADMIN_KEY</c> (or <c>Herald:AdminKey</c>); in dev mode, when neither is set,
/// the key kept in the data folder, made on first start.
/// </summary>
internal sealed class AdminKeyProvider(IConfiguration configuration, IOptions<HeraldServerOptions> options)
{
    public const string FileName = "admin-key";
    public const int MinLength = 16;

    private readonly Lazy<(AdminKey Key, string? GeneratedKeyToShow, string? KeyFile)> _resolved = new(() => Resolve(configuration, options.Value));

    public AdminKey Key => _resolved.Value.Key;

    /// <summary>The key Herald made and keeps in the data folder (dev mode only), to show once on the console.</summary>
    public string? GeneratedKey => _resolved.Value.GeneratedKeyToShow;

    public string? KeyFile => _resolved.Value.KeyFile;

    private static (AdminKey Key, string? GeneratedKeyToShow, string? KeyFile) Resolve(IConfiguration configuration, HeraldServerOptions options)
    {
        var configured = configuration["HERALD_ADMIN_KEY"] is { Length: > 0 } fromEnvironment ? fromEnvironment : options.AdminKey;
        if (!string.IsNullOrEmpty(configured))
        {
            if (configured.Length < MinLength)
            {
                throw new InvalidOperationException($"HERALD_ADMIN_KEY is shorter than {MinLength} characters; use a long random value (e.g. `openssl rand -base64 32`).");
            }

            return (new AdminKey(configured), null, null);
        }

        if (!options.Dev)
        {
            throw new InvalidOperationException("HERALD_ADMIN_KEY is not set. Set it to a long random value, or start with --dev to have Herald make one.");
        }

        PrivateFiles.EnsureFolder(options.DataPath);
        var path = Path.GetFullPath(Path.Combine(options.DataPath, FileName));
        if (!File.Exists(path))
        {
            PrivateFiles.WriteNew(path, "hk_admin_" + Ids.RandomBase64Url(32));
        }

        PrivateFiles.Tighten(path);

        var key = File.ReadAllText(path).Trim();
        return (new AdminKey(key), key, path);
    }
}

/// <summary>Checks the admin key at start, so a missing or short key stops the server with its message rather than failing the first request.</summary>
internal sealed class AdminKeyValidator(AdminKeyProvider provider) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        _ = provider.Key;
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
