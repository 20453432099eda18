namespace Herald.Cli.Signing;

/// <summary>Reads the exact payload bytes to sign or verify: a file, or standard input (<c>-</c> or no <c>--payload</c>).</summary>
internal static class PayloadSource
{
    // A webhook body is at most a few hundred KiB; a bigger input is almost surely the wrong file.
    private const long MaxBytes = 64L * 1024 * 1024;

    public static async Task<byte[]> ReadAsync(string? path, CancellationToken cancellationToken)
    {
        if (path is null or "-")
        {
            if (path is null && !Console.IsInputRedirected)
            {
                throw CliException.Usage("No payload: pass --payload FILE, or pipe the raw body on standard input.", "e.g. herald sign --secret whsec_… --payload body.json");
            }

            await using var input = Console.OpenStandardInput();
            using var buffer = new MemoryStream();
            await input.CopyToAsync(buffer, cancellationToken);
            return buffer.ToArray();
        }

        try
        {
            var info = new FileInfo(path);
            if (info.Exists && info.Length > MaxBytes)
            {
                throw CliException.Usage($"The payload file {path} is {info.Length} bytes; a webhook body this large is not expected.");
            }

            return await File.ReadAllBytesAsync(path, cancellationToken);
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
        {
            throw CliException.Usage($"Cannot read the payload file {path}: {exception.Message}");
        }
    }
}
