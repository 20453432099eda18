namespace Herald.Server.Storage;

/// <summary>
/// Herald's files hold secrets (the dev admin key, webhook secrets, the events themselves): its data folder is 0700 and
/// its files 0600, set at creation (never briefly wider) and tightened on start when an older Herald left them wider.
/// </summary>
internal static class PrivateFiles
{
    public const UnixFileMode PrivateFolderMode = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;
    public const UnixFileMode PrivateFileMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    /// <summary>Creates the folder 0700, or makes an existing one 0700.</summary>
    public static void EnsureFolder(string path)
    {
        if (OperatingSystem.IsWindows())
        {
            Directory.CreateDirectory(path);
            return;
        }

        if (!Directory.Exists(path))
        {
            Directory.CreateDirectory(path, PrivateFolderMode);
        }

        File.SetUnixFileMode(path, PrivateFolderMode);
    }

    /// <summary>Creates an empty file 0600 when missing; makes an existing one 0600.</summary>
    public static void EnsureFile(string path)
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }

        if (!File.Exists(path))
        {
            using var _ = new FileStream(path, new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write, UnixCreateMode = PrivateFileMode });
        }
        else
        {
            File.SetUnixFileMode(path, PrivateFileMode);
        }
    }

    /// <summary>Writes a new file that is 0600 from its creation.</summary>
    public static void WriteNew(string path, string text)
    {
        var options = new FileStreamOptions { Mode = System.IO.FileMode.CreateNew, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = PrivateFileMode;
        }

        using var stream = new FileStream(path, options);
        using var writer = new StreamWriter(stream);
        writer.Write(text);
    }

    /// <summary>Makes an existing file 0600 (no-op when missing).</summary>
    public static void Tighten(string path)
    {
        if (!OperatingSystem.IsWindows() && File.Exists(path))
        {
            File.SetUnixFileMode(path, PrivateFileMode);
        }
    }
}
