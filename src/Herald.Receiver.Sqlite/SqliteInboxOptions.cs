namespace Herald.Receiver;

/// <summary>How hard SQLite makes each inbox commit durable (its <c>synchronous</c> setting).</summary>
public enum SqliteInboxSynchronous
{
    /// <summary>
    /// <c>FULL</c>, the default: every commit is flushed to disk before the sender gets its 200, so an acknowledged
    /// event survives a power loss. Concurrent requests share commits (group commit), so this costs little.
    /// </summary>
    Full = 0,

    /// <summary><c>NORMAL</c>: survives a crash of the process, not of the machine; fewer flushes.</summary>
    Normal = 1,
}

/// <summary>Settings of the SQLite inbox (<c>.UseSqliteInbox(connectionString, options => …)</c>).</summary>
public sealed class SqliteInboxOptions
{
    /// <summary>The connection string used when neither <c>UseSqliteInbox</c> nor <see cref="HeraldReceiverOptions.InboxConnectionString"/> gives one: a file in the working directory.</summary>
    public const string DefaultConnectionString = "Data Source=herald-inbox.db";

    /// <summary>The durability of each commit. Default <see cref="SqliteInboxSynchronous.Full"/>.</summary>
    public SqliteInboxSynchronous Synchronous { get; set; } = SqliteInboxSynchronous.Full;
}
