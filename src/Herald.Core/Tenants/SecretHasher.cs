using System.Security.Cryptography;
using System.Text;

namespace Herald.Core.Tenants;

/// <summary>
/// API keys and app secrets are 256-bit random values, so a single SHA-256 is a sound way to store them
/// (no dictionary to defend against) and lets a key be found by its hash in one indexed lookup.
/// </summary>
internal static class SecretHasher
{
    public static byte[] Hash(string secret) => SHA256.HashData(Encoding.UTF8.GetBytes(secret));

    /// <summary>Compares a presented secret with a stored hash in constant time.</summary>
    public static bool FixedTimeEquals(string presented, ReadOnlySpan<byte> expectedHash)
    {
        Span<byte> hash = stackalloc byte[SHA256.HashSizeInBytes];
        SHA256.HashData(Encoding.UTF8.GetBytes(presented), hash);
        return CryptographicOperations.FixedTimeEquals(hash, expectedHash);
    }
}
