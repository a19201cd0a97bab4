using System.Globalization;
using System.Text;
using Microsoft.AspNetCore.WebUtilities;
using RaffsSync.Api.Access;
using RaffsSync.Api.Infrastructure.Http;
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
    public static readonly IReadOnlyList<string> Names = ["tenant_id", "event_type", "stream_id", "actor", "request_id"];

    public static (AuditFilter Filter, List<ProblemDetail> Errors) Parse(IQueryCollection query, IReadOnlyList<string> otherParameters)
    {
        var errors = new List<ProblemDetail>();
        IReadOnlyList<string> Values(string name) => QueryFilters.Values(query, name);

        var known = QueryFilters.Spellings(Names, "occurred_at").Concat(otherParameters).ToHashSet();
        foreach (var key in query.Keys.Where(k => !known.Contains(k)))
            errors.Add(new ProblemDetail(key, "unknown_filter",
                $"filters: {string.Join(", ", Names)}, occurred_at[gte], occurred_at[lt]; also {string.Join(", ", otherParameters)}"));

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
    public static readonly IReadOnlyList<string> Parameters = ["page", "per_page", "sort", "cursor", "limit"];

    public bool IsCursor => Page is null;

    public static (AuditPaging Paging, List<ProblemDetail> Errors) Parse(HttpRequest request)
    {
        var query = request.Query;
        var errors = new List<ProblemDetail>();
        var sort = query["sort"].ToString() is { Length: > 0 } s ? s : "occurred_at";
        if (sort.TrimStart('-') is not ("occurred_at" or "sequence"))
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

public sealed record CursorPage<T>(IReadOnlyList<T> Data, string? NextCursor, bool HasMore);
