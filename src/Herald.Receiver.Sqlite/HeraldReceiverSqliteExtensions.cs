using Herald.Receiver;
using Herald.Receiver.Inbox;
using Herald.Receiver.Sqlite;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Chooses the SQLite inbox for Herald.Receiver.</summary>
public static class HeraldReceiverSqliteExtensions
{
    /// <summary>
    /// Keeps the receiver's durable inbox in a SQLite file (WAL mode; created, and its schema upgraded, on first
    /// use). Suits one receiver process; for several processes sharing an inbox use PostgreSQL.
    /// </summary>
    /// <param name="builder">The receiver builder from <c>services.AddHeraldReceiver(…)</c>.</param>
    /// <param name="connectionString">
    /// A Microsoft.Data.Sqlite connection string such as <c>Data Source=/var/lib/myapp/herald-inbox.db</c>. Default:
    /// <see cref="HeraldReceiverOptions.InboxConnectionString"/>, else <see cref="SqliteInboxOptions.DefaultConnectionString"/>.
    /// </param>
    /// <param name="configure">Sets <see cref="SqliteInboxOptions"/> (durability).</param>
    /// <returns>The builder.</returns>
    public static HeraldReceiverBuilder UseSqliteInbox(this HeraldReceiverBuilder builder, string? connectionString = null, Action<SqliteInboxOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var options = builder.Services.AddOptions<SqliteInboxOptions>();
        if (configure is not null)
        {
            options.Configure(configure);
        }

        builder.Services.Replace(ServiceDescriptor.Singleton<SqlInboxStore>(provider =>
        {
            var receiver = provider.GetRequiredService<IOptions<HeraldReceiverOptions>>().Value;
            var sqlite = provider.GetRequiredService<IOptions<SqliteInboxOptions>>().Value;
            return new SqliteInboxStore(
                new[] { connectionString, receiver.InboxConnectionString }.FirstOrDefault(text => !string.IsNullOrWhiteSpace(text)) ?? SqliteInboxOptions.DefaultConnectionString,
                sqlite.Synchronous,
                provider.GetRequiredService<TimeProvider>(),
                provider.GetService<ILoggerFactory>()?.CreateLogger("Herald.Receiver.Inbox"));
        }));
        return builder;
    }
}
