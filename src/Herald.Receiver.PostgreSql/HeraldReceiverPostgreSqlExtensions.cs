using Herald.Receiver;
using Herald.Receiver.Inbox;
using Herald.Receiver.PostgreSql;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Chooses the PostgreSQL inbox for Herald.Receiver.</summary>
public static class HeraldReceiverPostgreSqlExtensions
{
    /// <summary>
    /// Keeps the receiver's durable inbox in PostgreSQL, using <see cref="HeraldReceiverOptions.InboxConnectionString"/>
    /// (for example from configuration). Several receiver instances can share one inbox; the tables are created,
    /// and their schema upgraded, on first use.
    /// </summary>
    /// <param name="builder">The receiver builder from <c>services.AddHeraldReceiver(…)</c>.</param>
    /// <returns>The builder.</returns>
    public static HeraldReceiverBuilder UsePostgresInbox(this HeraldReceiverBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        return Use(builder, provider =>
        {
            var connectionString = provider.GetRequiredService<IOptions<HeraldReceiverOptions>>().Value.InboxConnectionString;
            if (string.IsNullOrWhiteSpace(connectionString))
            {
                throw new InvalidOperationException(
                    "UsePostgresInbox() needs a connection string: pass one (UsePostgresInbox(\"Host=…;Database=…\")) or set HeraldReceiverOptions.InboxConnectionString (HeraldReceiver:InboxConnectionString).");
            }

            return (NpgsqlDataSource.Create(connectionString), true);
        });
    }

    /// <summary>Keeps the receiver's durable inbox in PostgreSQL (see <see cref="UsePostgresInbox(HeraldReceiverBuilder)"/>).</summary>
    /// <param name="builder">The receiver builder from <c>services.AddHeraldReceiver(…)</c>.</param>
    /// <param name="connectionString">An Npgsql connection string.</param>
    /// <returns>The builder.</returns>
    public static HeraldReceiverBuilder UsePostgresInbox(this HeraldReceiverBuilder builder, string connectionString)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentException.ThrowIfNullOrWhiteSpace(connectionString);
        return Use(builder, _ => (NpgsqlDataSource.Create(connectionString), true));
    }

    /// <summary>
    /// Keeps the receiver's durable inbox in PostgreSQL through your <see cref="NpgsqlDataSource"/> (shared with the
    /// rest of your app, so handlers' side effects can live in the same database). The receiver does not dispose it.
    /// </summary>
    /// <param name="builder">The receiver builder from <c>services.AddHeraldReceiver(…)</c>.</param>
    /// <param name="dataSource">The data source.</param>
    /// <returns>The builder.</returns>
    public static HeraldReceiverBuilder UsePostgresInbox(this HeraldReceiverBuilder builder, NpgsqlDataSource dataSource)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(dataSource);
        return Use(builder, _ => (dataSource, false));
    }

    /// <summary>
    /// Keeps the receiver's durable inbox in PostgreSQL through a <see cref="NpgsqlDataSource"/> taken from the
    /// services (for example one registered with <c>AddNpgsqlDataSource</c>). The receiver does not dispose it.
    /// </summary>
    /// <param name="builder">The receiver builder from <c>services.AddHeraldReceiver(…)</c>.</param>
    /// <param name="dataSource">Gets the data source from the services.</param>
    /// <returns>The builder.</returns>
    public static HeraldReceiverBuilder UsePostgresInbox(this HeraldReceiverBuilder builder, Func<IServiceProvider, NpgsqlDataSource> dataSource)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(dataSource);
        return Use(builder, provider => (dataSource(provider), false));
    }

    private static HeraldReceiverBuilder Use(HeraldReceiverBuilder builder, Func<IServiceProvider, (NpgsqlDataSource DataSource, bool Owned)> dataSource)
    {
        builder.Services.Replace(ServiceDescriptor.Singleton<SqlInboxStore>(provider =>
        {
            var (source, owned) = dataSource(provider);
            return new PostgresInboxStore(
                source,
                owned,
                provider.GetRequiredService<TimeProvider>(),
                provider.GetService<ILoggerFactory>()?.CreateLogger("Herald.Receiver.Inbox"));
        }));
        return builder;
    }
}
