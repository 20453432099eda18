using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using Herald.Core.Deliveries;
using Herald.Core.Webhooks;
using Microsoft.Extensions.Options;

namespace Herald.Server.Storage;

/// <summary>
/// Encrypts webhook signing secrets for storage with AES-256-GCM under the active master key, and decrypts them with
/// whichever configured key wrote them. A stored value is <c>herald:v1 &lt;key id&gt; &lt;base64url(nonce | ciphertext | tag)&gt;</c>;
/// it holds a space, which a secret never does (they are refused with whitespace), so encrypted and plain values never
/// mix up. The webhook id is bound in as associated data: a value copied onto another webhook does not decrypt.
/// </summary>
internal sealed class SecretProtector
{
    public const string Prefix = "herald:v1 ";
    private const int NonceSize = 12;
    private const int TagSize = 16;

    private readonly Dictionary<string, byte[]> _keys;
    private readonly MasterKey? _active;

    public SecretProtector(IOptions<SecretsOptions> options)
    {
        var keys = options.Value.ParseKeys();
        _keys = keys.ToDictionary(k => k.Id, k => k.Key, StringComparer.Ordinal);
        _active = options.Value.ActiveKeyId is { } id ? keys.Single(k => k.Id == id) : keys.Count > 0 ? keys[^1] : null;
    }

    /// <summary>Whether new secrets are encrypted.</summary>
    public bool Enabled => _active is not null;

    public string? ActiveKeyId => _active?.Id;

    public static bool IsEncrypted(string? stored) => stored?.StartsWith(Prefix, StringComparison.Ordinal) == true;

    /// <summary>The id of the key a stored value was encrypted with; null for a plain value.</summary>
    public static string? KeyIdOf(string? stored) =>
        IsEncrypted(stored) && stored!.IndexOf(' ', Prefix.Length) is var end and > 0 ? stored[Prefix.Length..end] : null;

    /// <summary>Whether this node can decrypt the value (plain values always).</summary>
    public bool CanRead(string? stored) => KeyIdOf(stored) is not { } id || _keys.ContainsKey(id);

    /// <summary>The value to store for <paramref name="secret"/> of webhook <paramref name="webhookId"/>.</summary>
    public string? Protect(string? secret, string webhookId)
    {
        if (secret is null || _active is null)
        {
            return secret;
        }

        var plain = Encoding.UTF8.GetBytes(secret);
        var sealedBytes = new byte[NonceSize + plain.Length + TagSize];
        var nonce = sealedBytes.AsSpan(0, NonceSize);
        RandomNumberGenerator.Fill(nonce);
        using (var aes = new AesGcm(_active.Key, TagSize))
        {
            aes.Encrypt(nonce, plain, sealedBytes.AsSpan(NonceSize, plain.Length), sealedBytes.AsSpan(NonceSize + plain.Length), AssociatedData(webhookId));
        }

        CryptographicOperations.ZeroMemory(plain);
        return $"{Prefix}{_active.Id} {Base64Url.EncodeToString(sealedBytes)}";
    }

    /// <summary>The secret a stored value holds; plain values pass through.</summary>
    public string? Unprotect(string? stored, string webhookId)
    {
        if (!IsEncrypted(stored))
        {
            return stored;
        }

        var keyId = KeyIdOf(stored) ?? throw new CryptographicException("A stored webhook secret is malformed.");
        if (!_keys.TryGetValue(keyId, out var key))
        {
            throw new CryptographicException($"A webhook secret is encrypted with master key '{keyId}', which is not configured (Herald:Secrets).");
        }

        var sealedBytes = Base64Url.DecodeFromChars(stored.AsSpan(Prefix.Length + keyId.Length + 1));
        if (sealedBytes.Length < NonceSize + TagSize)
        {
            throw new CryptographicException("A stored webhook secret is malformed.");
        }

        var plain = new byte[sealedBytes.Length - NonceSize - TagSize];
        using (var aes = new AesGcm(key, TagSize))
        {
            aes.Decrypt(sealedBytes.AsSpan(0, NonceSize), sealedBytes.AsSpan(NonceSize, plain.Length), sealedBytes.AsSpan(NonceSize + plain.Length), plain, AssociatedData(webhookId));
        }

        return Encoding.UTF8.GetString(plain);
    }

    /// <summary>A claimed delivery with its webhook's secrets decrypted (the claim query reads them as stored).</summary>
    public ClaimedDelivery Unprotect(ClaimedDelivery claimed) =>
        IsEncrypted(claimed.Secret) || IsEncrypted(claimed.NextSecret)
            ? claimed with { Secret = Unprotect(claimed.Secret, claimed.WebhookId), NextSecret = Unprotect(claimed.NextSecret, claimed.WebhookId) }
            : claimed;

    /// <summary>A webhook with its secrets decrypted.</summary>
    public Webhook Unprotect(Webhook webhook) =>
        IsEncrypted(webhook.Secret) || IsEncrypted(webhook.NextSecret)
            ? webhook with { Secret = Unprotect(webhook.Secret, webhook.Id), NextSecret = Unprotect(webhook.NextSecret, webhook.Id) }
            : webhook;

    private static byte[] AssociatedData(string webhookId) => Encoding.UTF8.GetBytes("herald/webhook-secret/" + webhookId);
}
