using System.Security.Cryptography;
using System.Text;
using Herald.Core.Tenants;

namespace Herald.Server.Auth;

/// <summary>The operator's key, held only as a hash so that comparison is constant-time and the key is never kept around.</summary>
internal sealed class AdminKey(string key)
{
    private readonly byte[] _hash = SHA256.HashData(Encoding.UTF8.GetBytes(key));

    public bool Matches(string presented) => SecretHasher.FixedTimeEquals(presented, _hash);
}
