using Marten;
using Microsoft.AspNetCore.WebUtilities;
using RaffsSync.Api.Infrastructure.OpenApi;

namespace RaffsSync.Api.Infrastructure.Http;

/// <summary>The page style list of API.md (seed 003): totals, page links and <c>data</c>.</summary>
public sealed record PageEnvelope<T>(
    long Total,
    int PerPage,
    int CurrentPage,
    int LastPage,
    string FirstPageUrl,
    string LastPageUrl,
    string? NextPageUrl,
    string? PrevPageUrl,
    string Path,
    long? From,
    long? To,
    IReadOnlyList<T> Data);

/// <summary><c>?page=</c> (from 1) and <c>?per_page=</c> (1 to 100, default 15).</summary>
public sealed record PageRequest(int Page, int PerPage) : IQueryContract
{
    public const int MaxPerPage = 100;
    public const int DefaultPerPage = 15;

    public static IReadOnlyList<QueryParameter> Parameters { get; } =
    [
        new("page", "The page to answer, from 1. A page past the last answers an empty `data` with the real `total`.",
            QueryValue.Integer, Default: "1", Minimum: 1, Maximum: int.MaxValue),
        new("per_page", $"Items per page, 1 to {MaxPerPage}; larger values are read as {MaxPerPage}.",
            QueryValue.Integer, Default: DefaultPerPage.ToString(), Minimum: 1, Maximum: MaxPerPage)
    ];

    public int Skip => (Page - 1) * PerPage;

    public static PageRequest From(HttpRequest request)
    {
        var perPage = int.TryParse(request.Query["per_page"], out var n) ? Math.Clamp(n, 1, MaxPerPage) : DefaultPerPage;
        // A page so far out that its offset would overflow is past the end anyway: the furthest page that fits answers it.
        var page = int.TryParse(request.Query["page"], out var p) && p >= 1 ? Math.Min(p, int.MaxValue / perPage) : 1;
        return new PageRequest(page, perPage);
    }

    public PageEnvelope<T> Envelope<T>(IReadOnlyList<T> data, long total, HttpRequest request)
    {
        var lastPage = (int)Math.Max(1, (total + PerPage - 1) / PerPage);
        var path = $"{request.Scheme}://{request.Host}{request.PathBase}{request.Path}";

        string Url(int page)
        {
            var query = request.Query.ToDictionary(q => q.Key, q => (string?)q.Value.ToString());
            query["page"] = page.ToString();
            query["per_page"] = PerPage.ToString();
            return QueryHelpers.AddQueryString(path, query);
        }

        return new PageEnvelope<T>(total, PerPage, Page, lastPage, Url(1), Url(lastPage),
            Page < lastPage ? Url(Page + 1) : null,
            Page > 1 ? Url(Math.Min(Page - 1, lastPage)) : null,
            path,
            data.Count > 0 ? Skip + 1 : null,
            data.Count > 0 ? Skip + data.Count : null,
            data);
    }
}

public static class PagedQueries
{
    /// <summary>
    /// One page of an ordered query and the total it was taken from. Marten counts in the same query
    /// (<c>count(*) over ()</c>), which has no row to report on a page past the end: that one is counted again from the first row.
    /// </summary>
    public static async Task<(IReadOnlyList<T> Items, long Total)> PageAsync<T>(this IQueryable<T> ordered, PageRequest page,
        CancellationToken cancellation) where T : notnull
    {
        var items = await ordered.Stats(out var stats).Skip(page.Skip).Take(page.PerPage).ToListAsync(cancellation);
        if (items.Count > 0 || page.Skip == 0) return (items, stats.TotalResults);
        // Marten refuses statistics on a Count(); the first row's query counts the same set.
        await ordered.Stats(out var recount).Take(1).ToListAsync(cancellation);
        return (items, recount.TotalResults);
    }
}
