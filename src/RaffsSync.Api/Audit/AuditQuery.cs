using System.Globalization;
using System.Text;
using Microsoft.AspNetCore.WebUtilities;
using RaffsSync.Api.Access;
using RaffsSync.Api.Infrastructure.Http;
using RaffsSync.Api.Infrastructure.OpenApi;
using RaffsSync.Domain.Access;
using RaffsSync.Domain.Audit;
using RaffsSync.Domain.Registry;

namespace RaffsSync.Api.Audit;

/// <summary>The filters of the audit endpoints, parsed against a whitelist. Every list value may be comma-separated.</summary>
public sealed record AuditFilter(
    IReadOnlyList<string> Tenants,
    IReadOnlyList<string> EventTypes,
    IReadOnlyList<string> StreamIds,
    IReadOnlyList<string> Actors,
    IReadOnlyList<string> RequestIds,
    DateTimeOffset? OccurredFrom,
    DateTimeOffset? OccurredBefore)
{
    /// <summary>The filters of every audit read (each also spelled <c>filter[name]</c>).</summary>
    public static IReadOnlyList<QueryParameter> Filters { get; } =
    [
        new("tenant_id", "Only entries of these locations; another customer's location is 404.", CommaSeparated: true, Filter: true),
        new("event_type", "Only these event types, such as `route_revised` or `dispatch_succeeded`.", CommaSeparated: true, Filter: true),
        new("stream_id", "Only entries of these streams: a stream's id (a dispatch's id, for one), or `route:{provider}/{route_key}`, `provider:{key}`.",
            CommaSeparated: true, Filter: true),
        new("actor", "Only entries caused by these API key ids or OAuth client ids.", CommaSeparated: true, Filter: true),
        new("request_id", "Only entries caused by the requests with these `X-Request-Id`s.", CommaSeparated: true, Filter: true),
        new("occurred_at[gte]", "Only entries recorded at or after this time.", QueryValue.DateTime, Filter: true),
        new("occurred_at[lt]", "Only entries recorded before this time.", QueryValue.DateTime, Filter: true)
    ];

    private static readonly string FilterNames = string.Join(", ", Filters.Select(f => f.Name));

    /// <summary>The filters, accepting only the parameters of <paramref name="contract"/> (the endpoint's, filters included).</summary>
    public static (AuditFilter Filter, List<ProblemDetail> Errors) Parse(IQueryCollection query, IReadOnlyList<QueryParameter> contract)
    {
        var errors = new List<ProblemDetail>();
        IReadOnlyList<string> Values(string name) => QueryFilters.Values(query, name);

        var others = string.Join(", ", contract.Where(p => !Filters.Contains(p)).Select(p => p.Name));
        foreach (var key in contract.UnknownIn(query))
            errors.Add(new ProblemDetail(key, "unknown_filter", $"filters: {FilterNames}; also {others}"));

        return (new AuditFilter(Values("tenant_id"), Values("event_type"), Values("stream_id").Select(StreamId).ToList(),
            Values("actor"), Values("request_id"),
            QueryFilters.Time(query, "occurred_at", "gte", errors), QueryFilters.Time(query, "occurred_at", "lt", errors)), errors);
    }

    /// <summary>Registry streams can be named by what they hold: <c>route:takeapp/orders.push</c>, <c>provider:takeapp</c>.</summary>
    public static string StreamId(string value) => value.Split(':', 2) switch
    {
        ["route", var route] when route.Split('/', 2) is [var provider, var routeKey] => RegistryIds.Route(provider, routeKey).ToString(),
        ["provider", var provider] => RegistryIds.Provider(provider).ToString(),
        _ => value
    };
}

/// <summary>
/// Which entries a caller may read: internal callers all of them; customers their locations' and
/// their own customer's entries, and the registry's (routes and providers are shared by everyone).
/// </summary>
public sealed record AuditVisibility(bool Everything, IReadOnlyList<string> Locations, string? CustomerId)
{
    public static AuditVisibility For(Caller caller) =>
        new(caller.Class == CallerClass.Internal, [.. caller.Locations], caller.CustomerId);

    public bool CanSeeLocation(string tenantId) => Everything || Locations.Contains(tenantId);
}

/// <summary>How a list is read: a page (<c>page</c>, <c>per_page</c>) or a cursor on the global sequence (<c>cursor</c>, <c>limit</c>).</summary>
public sealed record AuditPaging(bool Descending, PageRequest? Page, long? After, int Limit)
{
    public const int MaxPageDepth = 10_000;
    public const int DefaultLimit = 100;
    public const int MaxLimit = 1_000;
    public static readonly IReadOnlyList<string> SortKeys = ["occurred_at", "sequence"];

    /// <summary>Page style (<c>page</c>, <c>per_page</c>) or cursor style (<c>cursor</c>, <c>limit</c>), and the direction.</summary>
    public static IReadOnlyList<QueryParameter> Parameters { get; } =
    [
        PageRequest.Parameters[0] with
        {
            Description = $"Page style: the page to answer, from 1. Pages reach {MaxPageDepth} entries deep (`page` * `per_page`); " +
                          "further is 400 `too_deep`: use the cursor."
        },
        PageRequest.Parameters[1] with { Description = "Page style: " + PageRequest.Parameters[1].Description },
        new("sort", "`occurred_at` or `sequence` (the same order: oldest first); with a leading `-`, newest first. " +
                    "A cursor keeps the direction it was made in.",
            Enum: [.. SortKeys.SelectMany(key => new[] { key, "-" + key })], Default: "occurred_at"),
        new("cursor", "Cursor style: `next_cursor` of the previous page, unchanged. Cannot be combined with `page` or `per_page`."),
        new("limit", $"Cursor style: entries per page, 1 to {MaxLimit} (default {DefaultLimit}). Sending `limit` or `cursor` selects cursor style; " +
                     "it cannot be combined with `page` or `per_page`.", QueryValue.Integer, Minimum: 1, Maximum: MaxLimit)
    ];

    public bool IsCursor => Page is null;

    public static (AuditPaging Paging, List<ProblemDetail> Errors) Parse(HttpRequest request)
    {
        var query = request.Query;
        var errors = new List<ProblemDetail>();
        var sort = query["sort"].ToString() is { Length: > 0 } s ? s : "occurred_at";
        if (!SortKeys.Contains(sort.TrimStart('-')))
            errors.Add(new ProblemDetail("sort", "invalid", "occurred_at or sequence, '-' first for newest first"));
        var descending = sort.StartsWith('-');

        var cursorMode = query.ContainsKey("cursor") || query.ContainsKey("limit");
        if (cursorMode && (query.ContainsKey("page") || query.ContainsKey("per_page")))
            errors.Add(new ProblemDetail("cursor", "conflict", "use either cursor and limit, or page and per_page"));

        long? after = null;
        if (query["cursor"].ToString() is { Length: > 0 } cursor)
        {
            if (Cursor.TryDecode(cursor, out var sequence, out var cursorDescending)) (after, descending) = (sequence, cursorDescending);
            else errors.Add(new ProblemDetail("cursor", "invalid", "pass next_cursor from the previous page unchanged"));
        }

        var limit = DefaultLimit;
        if (query["limit"].ToString() is { Length: > 0 } limitText && (!int.TryParse(limitText, out limit) || limit is < 1 or > MaxLimit))
            errors.Add(new ProblemDetail("limit", "invalid", $"1 to {MaxLimit}"));

        var page = cursorMode ? null : PageRequest.From(request);
        if (page is not null && page.Page * (long)page.PerPage > MaxPageDepth)
            errors.Add(new ProblemDetail("page", "too_deep", $"pages reach {MaxPageDepth} entries; go further with cursor pagination (?limit=100)"));

        return (new AuditPaging(descending, page, after, limit), errors);
    }
}

/// <summary>An opaque cursor: the last sequence returned and the direction of travel.</summary>
public static class Cursor
{
    public static string Encode(long sequence, bool descending) =>
        WebEncoders.Base64UrlEncode(Encoding.UTF8.GetBytes($"{(descending ? "d" : "a")}{sequence}"));

    public static bool TryDecode(string cursor, out long sequence, out bool descending)
    {
        (sequence, descending) = (0, false);
        try
        {
            var text = Encoding.UTF8.GetString(WebEncoders.Base64UrlDecode(cursor));
            if (text.Length < 2 || text[0] is not ('a' or 'd')) return false;
            descending = text[0] == 'd';
            return long.TryParse(text[1..], NumberStyles.None, CultureInfo.InvariantCulture, out sequence);
        }
        catch (FormatException)
        {
            return false;
        }
    }
}

/// <summary>A cursor page: the entries, and where the next page starts.</summary>
/// <param name="Data">The entries of this page.</param>
/// <param name="NextCursor">Pass it as <c>cursor</c> for the next page. Given even on the last page (follow it later for what was appended since); absent only when nothing has been read yet.</param>
/// <param name="HasMore">Whether more entries follow now.</param>
public sealed record CursorPage<T>(IReadOnlyList<T> Data, string? NextCursor, bool HasMore);

/// <summary>The query string of <c>GET /api/v1/audit</c>.</summary>
public sealed class AuditListQuery : IQueryContract
{
    public static IReadOnlyList<QueryParameter> Parameters { get; } = [.. AuditPaging.Parameters, .. AuditFilter.Filters];
}

/// <summary>The query string of <c>GET /api/v1/audit/export</c>.</summary>
public sealed class AuditExportQuery : IQueryContract
{
    public static readonly IReadOnlyList<string> Formats = ["ndjson", "csv"];

    public static IReadOnlyList<QueryParameter> Parameters { get; } =
    [
        new("format", "`ndjson` (one entry per line) or `csv` (a header row, then one entry per row). " +
                      "Without it, `Accept: text/csv` selects CSV and anything else NDJSON.", Enum: Formats),
        .. AuditFilter.Filters
    ];
}

/// <summary>The query string of <c>GET /api/v1/audit/verify</c>: a range of global sequence numbers, both ends optional.</summary>
public sealed class AuditVerifyQuery : IQueryContract
{
    public static IReadOnlyList<QueryParameter> Parameters { get; } =
    [
        new("from", "The first sequence to check (an entry's `sequence`); from the first entry when absent.", QueryValue.Long, Minimum: 0),
        new("to", "The last sequence to check, not before `from`; to the last entry when absent.", QueryValue.Long, Minimum: 0)
    ];
}
