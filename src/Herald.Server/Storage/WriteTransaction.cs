using System.Data.Common;

namespace Herald.Server.Storage;

/// <summary>
/// A write transaction and, on SQLite, this process's turn at the database's single write lock. Disposing rolls back
/// what was not committed and hands the turn to the next writer.
/// </summary>
internal sealed class WriteTransaction(DbTransaction transaction, SemaphoreSlim? turn) : IAsyncDisposable
{
    private SemaphoreSlim? _turn = turn;

    public DbTransaction Transaction { get; } = transaction;

    public async ValueTask DisposeAsync()
    {
        try
        {
            await Transaction.DisposeAsync();
        }
        finally
        {
            Interlocked.Exchange(ref _turn, null)?.Release();
        }
    }
}
