using System.Text;
using System.Text.Json;

namespace Herald.Cli.Configuration;

/// <summary>What <c>herald login</c> saves: the server URL and the API key.</summary>
internal sealed record LoginProfile(string? Url, string? ApiKey);

/// <summary>
/// The profile file, <c>config.json</c> in <c>$HERALD_CONFIG_DIR</c>, else <c>$XDG_CONFIG_HOME/herald</c>, else
/// <c>~/.config/herald</c> (<c>%APPDATA%\herald</c> on Windows). It holds a key, so the folder is made 0700 and the
/// file 0600, written to a temporary file first and renamed, so it is never readable by others, even for a moment.
/// </summary>
internal static class ProfileStore
{
    public const string FileName = "config.json";

    public static string DefaultPath => Path.Combine(ConfigDirectory(), FileName);

    public static string ConfigDirectory()
    {
        if (Environment.GetEnvironmentVariable("HERALD_CONFIG_DIR") is { Length: > 0 } explicitDirectory)
        {
            return Path.GetFullPath(explicitDirectory);
        }

        if (OperatingSystem.IsWindows())
        {
            return Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.ApplicationData), "herald");
        }

        var configHome = Environment.GetEnvironmentVariable("XDG_CONFIG_HOME") is { Length: > 0 } xdg
            ? xdg
            : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".config");
        return Path.Combine(configHome, "herald");
    }

    /// <summary>Reads the profile; <see langword="null"/> when there is no file.</summary>
    public static LoginProfile? Load(string path)
    {
        byte[] bytes;
        try
        {
            bytes = File.ReadAllBytes(path);
        }
        catch (Exception exception) when (exception is FileNotFoundException or DirectoryNotFoundException)
        {
            return null;
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
        {
            throw CliException.Usage($"Cannot read the profile {path}: {exception.Message}");
        }

        try
        {
            using var document = JsonDocument.Parse(bytes);
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                throw new JsonException("the file is not a JSON object");
            }

            return new LoginProfile(ReadString(root, "url"), ReadString(root, "api_key"));
        }
        catch (JsonException exception)
        {
            throw CliException.Usage($"The profile {path} is not valid JSON ({exception.Message}).", "Run `herald login` again, or delete the file.");
        }
    }

    public static void Save(string path, LoginProfile profile)
    {
        var directory = Path.GetDirectoryName(Path.GetFullPath(path))!;
        if (OperatingSystem.IsWindows())
        {
            Directory.CreateDirectory(directory);
        }
        else
        {
            Directory.CreateDirectory(directory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }

        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true }))
        {
            writer.WriteStartObject();
            if (profile.Url is not null)
            {
                writer.WriteString("url", profile.Url);
            }

            if (profile.ApiKey is not null)
            {
                writer.WriteString("api_key", profile.ApiKey);
            }

            writer.WriteEndObject();
        }

        buffer.Write(Encoding.UTF8.GetBytes(Environment.NewLine));
        var temporary = Path.Combine(directory, $".{FileName}.{Environment.ProcessId}.tmp");
        var options = new FileStreamOptions { Mode = FileMode.Create, Access = FileAccess.Write, Share = FileShare.None };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }

        using (var file = new FileStream(temporary, options))
        {
            file.Write(buffer.GetBuffer(), 0, (int)buffer.Length);
            file.Flush(flushToDisk: true);
        }

        if (!OperatingSystem.IsWindows())
        {
            // UnixCreateMode applies only to a new file, and the umask may narrow it further; state it outright.
            File.SetUnixFileMode(temporary, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }

        File.Move(temporary, path, overwrite: true);
    }

    /// <summary>Deletes the profile; <see langword="false"/> when there was none.</summary>
    public static bool Delete(string path)
    {
        if (!File.Exists(path))
        {
            return false;
        }

        File.Delete(path);
        return true;
    }

    private static string? ReadString(JsonElement root, string name) =>
        root.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String && value.GetString() is { Length: > 0 } text ? text : null;
}
