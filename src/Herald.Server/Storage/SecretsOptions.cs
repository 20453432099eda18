using System.Buffers.Text;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Options;

namespace Herald.Server.Storage;

/// <summary>
/// Master keys that encrypt webhook signing secrets at rest (AES-256-GCM). Bound from <c>Herald:Secrets</c>; the keys
/// may also come from the <c>HERALD_MASTER_KEYS</c> environment variable or a file. Without a key, secrets are stored in
/// plain text (and a warning is logged at start).
/// </summary>
internal sealed partial class SecretsOptions
{
    public const string SectionName = "Herald:Secrets";
    public const string EnvironmentVariable = "HERALD_MASTER_KEYS";

    /// <summary>
    /// The key ring: <c>id:base64key</c> entries (32 random bytes each, e.g. <c>openssl rand -base64 32</c>) separated by
    /// commas, semicolons or new lines; also read from <c>HERALD_MASTER_KEYS</c>. Every listed key decrypts; the active
    /// one encrypts. Default: none.
    /// </summary>
    public string? MasterKeys { get; set; }

    /// <summary>A file holding the key ring in the same form, one entry per line (<c>#</c> starts a comment); keep it 0600. Default: none.</summary>
    public string? MasterKeyFile { get; set; }

    /// <summary>The id of the key that encrypts new secrets. Default: the last key listed (the file's after the variable's).</summary>
    public string? ActiveKeyId { get; set; }

    /// <summary>
    /// At start, re-encrypt every stored secret that is in plain text or under another key than the active one, so that
    /// an old key can be removed after one restart. Default on.
    /// </summary>
    public bool ReencryptOnStart { get; set; } = true;

    /// <summary>The keys in the order given (variable or setting, then file); ids are unique.</summary>
    public IReadOnlyList<MasterKey> ParseKeys()
    {
        var entries = new List<string>();
        entries.AddRange(Split(MasterKeys));
        if (!string.IsNullOrWhiteSpace(MasterKeyFile))
        {
            entries.AddRange(Split(string.Join('\n', File.ReadAllLines(MasterKeyFile).Select(line => line.Split('#', 2)[0]))));
        }

        var keys = new List<MasterKey>();
        foreach (var entry in entries)
        {
            var parts = entry.Split(':', 2, StringSplitOptions.TrimEntries);
            if (parts.Length != 2 || !KeyIdPattern().IsMatch(parts[0]))
            {
                throw new FormatException("Each master key is id:base64key, the id being 1 to 32 letters, digits, '_' or '-'.");
            }

            var bytes = new byte[48];
            if (!Convert.TryFromBase64String(parts[1], bytes, out var length) && !Base64Url.TryDecodeFromChars(parts[1], bytes, out length))
            {
                throw new FormatException($"Master key '{parts[0]}' is not base64.");
            }

            if (length != 32)
            {
                throw new FormatException($"Master key '{parts[0]}' must be 32 bytes (openssl rand -base64 32), not {length}.");
            }

            if (keys.Any(k => k.Id == parts[0]))
            {
                throw new FormatException($"Master key id '{parts[0]}' is listed twice.");
            }

            keys.Add(new MasterKey(parts[0], bytes[..32]));
        }

        return keys;

        static IEnumerable<string> Split(string? text) =>
            (text ?? string.Empty).Split([',', ';', '\n', '\r'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
    }

    [GeneratedRegex(@"\A[A-Za-z0-9_-]{1,32}\z")]
    private static partial Regex KeyIdPattern();
}

/// <summary>One master key: its id (written with every value it encrypts) and its 32 bytes.</summary>
internal sealed record MasterKey(string Id, byte[] Key);

internal sealed class SecretsOptionsValidator : IValidateOptions<SecretsOptions>
{
    public ValidateOptionsResult Validate(string? name, SecretsOptions options)
    {
        IReadOnlyList<MasterKey> keys;
        try
        {
            keys = options.ParseKeys();
        }
        catch (Exception exception) when (exception is FormatException or IOException or UnauthorizedAccessException)
        {
            // The message names the key id, never its bytes.
            return ValidateOptionsResult.Fail($"Herald:Secrets: {exception.Message}");
        }

        return options.ActiveKeyId is { } active && keys.All(k => k.Id != active)
            ? ValidateOptionsResult.Fail($"Herald:Secrets:ActiveKeyId '{active}' is not among the configured master keys.")
            : ValidateOptionsResult.Success;
    }
}
