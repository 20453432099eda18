using Herald.Server.Auth;
using Herald.Server.Storage;

namespace Herald.Server.Hosting;

/// <summary>
/// Finds the admin key: <c>HERALD_ADMIN_KEY</c> (or <c>Herald:AdminKey</c>); in dev mode, when neither is set,
/// the key kept in the data folder, made on first start.
/// </summary>
internal static class AdminKeyProvider
{
    public const string FileName = "admin-key";

    public static (AdminKey Key, string? GeneratedKeyToShow, string? KeyFile) Resolve(IConfiguration configuration, HeraldServerOptions options)
    {
        var configured = configuration["HERALD_ADMIN_KEY"] is { Length: > 0 } fromEnvironment ? fromEnvironment : options.AdminKey;
        if (!string.IsNullOrEmpty(configured))
        {
            if (configured.Length < 16)
            {
                throw new InvalidOperationException("HERALD_ADMIN_KEY is shorter than 16 characters; use a long random value (e.g. `openssl rand -base64 32`).");
            }

            return (new AdminKey(configured), null, null);
        }

        if (!options.Dev)
        {
            throw new InvalidOperationException("HERALD_ADMIN_KEY is not set. Set it to a long random value, or start with --dev to have Herald make one.");
        }

        Directory.CreateDirectory(options.DataPath);
        var path = Path.GetFullPath(Path.Combine(options.DataPath, FileName));
        if (!File.Exists(path))
        {
            File.WriteAllText(path, "hk_admin_" + Ids.RandomBase64Url(32));
            if (!OperatingSystem.IsWindows())
            {
                File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
            }
        }

        var key = File.ReadAllText(path).Trim();
        return (new AdminKey(key), key, path);
    }
}
