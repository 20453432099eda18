using System.Buffers.Text;
using System.Security.Cryptography;

namespace Herald.Core;

/// <summary>Makes object ids in the Airwallex style: a type prefix and 16 random bytes in base64url (22 characters).</summary>
internal static class Ids
{
    public const string Account = "acct";
    public const string Organization = "org";
    public const string App = "appid";
    public const string Webhook = "wh";
    public const string Event = "evt";
    public const string TestEvent = "evt_test";
    public const string Delivery = "dlv";
    public const string ApiKey = "key";

    public static string New(string prefix) => $"{prefix}_{RandomBase64Url(16)}";

    public static string RandomBase64Url(int byteCount)
    {
        Span<byte> bytes = stackalloc byte[byteCount];
        RandomNumberGenerator.Fill(bytes);
        return Base64Url.EncodeToString(bytes);
    }
}
