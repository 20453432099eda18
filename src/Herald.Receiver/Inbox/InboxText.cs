namespace Herald.Receiver.Inbox;

/// <summary>What text the inbox stores in its keys (event ids, names, object and partner ids).</summary>
internal static class InboxText
{
    /// <summary>
    /// The longest key. Real ids are far shorter (Airwallex's are UUIDs, Herald's at most 128 characters); the bound
    /// keeps every key indexable (PostgreSQL refuses index entries over about 2.7 kB).
    /// </summary>
    public const int MaxKeyLength = 256;

    /// <summary>
    /// Whether <paramref name="value"/> can be an inbox key on every database: 1 to <see cref="MaxKeyLength"/>
    /// characters, none of them a control character (PostgreSQL text cannot hold NUL; a newline or other control
    /// character in an id is a producer bug that would make a different id).
    /// </summary>
    public static bool IsKey(string? value)
    {
        if (string.IsNullOrEmpty(value) || value.Length > MaxKeyLength)
        {
            return false;
        }

        foreach (var c in value)
        {
            if (char.IsControl(c))
            {
                return false;
            }
        }

        return true;
    }
}
