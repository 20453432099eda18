using System.Globalization;
using Herald.Core;
using Microsoft.AspNetCore.Mvc;

namespace Herald.Server.Api;

/// <summary>
/// <c>page_num</c> (from 0) and <c>page_size</c> (default 100, at most 1000). Bound as text so that a bad value is
/// answered in the error format, naming the parameter.
/// </summary>
internal sealed record PageQuery
{
    [FromQuery(Name = "page_num")]
    public string? PageNum { get; init; }

    [FromQuery(Name = "page_size")]
    public string? PageSize { get; init; }

    public Page ToPage() => new(
        Read(PageNum, "page_num", 0, 0, Page.MaxNumber),
        Read(PageSize, "page_size", Page.DefaultSize, 1, Page.MaxSize));

    private static int Read(string? text, string name, int fallback, int min, int max)
    {
        if (string.IsNullOrEmpty(text))
        {
            return fallback;
        }

        if (!int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var value) || value < min || value > max)
        {
            throw HeraldException.Validation($"{name} must be a whole number from {min} to {max}.", name);
        }

        return value;
    }
}

/// <summary>A page of items: <c>{"items":[…],"has_more":bool}</c>.</summary>
internal sealed record ListResponse<T>(IReadOnlyList<T> Items, bool HasMore)
{
    public static ListResponse<T> From<TIn>(PagedList<TIn> page, Func<TIn, T> map) => new([.. page.Items.Select(map)], page.HasMore);
}
