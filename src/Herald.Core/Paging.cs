namespace Herald.Core;

/// <summary>One page of a list: <see cref="Number"/> from 0, <see cref="Size"/> items.</summary>
internal sealed record Page(int Number, int Size)
{
    public const int DefaultSize = 100;
    public const int MaxSize = 1000;
    public const int MaxNumber = 1_000_000;

    public static Page First { get; } = new(0, DefaultSize);

    public int Offset => Number * Size;
}

/// <summary>A page of results and whether more follow.</summary>
internal sealed record PagedList<T>(IReadOnlyList<T> Items, bool HasMore)
{
    public PagedList<TOut> Select<TOut>(Func<T, TOut> map) => new([.. Items.Select(map)], HasMore);

    /// <summary>Builds a page from a query that fetched <c>page.Size + 1</c> rows to learn whether more follow.</summary>
    public static PagedList<T> FromOverfetch(IEnumerable<T> rows, Page page)
    {
        var list = rows as List<T> ?? [.. rows];
        var hasMore = list.Count > page.Size;
        if (hasMore)
        {
            list.RemoveAt(list.Count - 1);
        }

        return new PagedList<T>(list, hasMore);
    }
}
