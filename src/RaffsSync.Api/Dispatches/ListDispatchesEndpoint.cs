using Marten;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Http.HttpResults;
using RaffsSync.Api.Access;
using RaffsSync.Api.Infrastructure.Http;
using RaffsSync.Api.Infrastructure.OpenApi;
using RaffsSync.Domain;
using RaffsSync.Domain.Access;
using RaffsSync.Domain.Dispatches;
using Wolverine.Http;

namespace RaffsSync.Api.Dispatches;

/// <summary>
/// The filters and sort of <c>GET /api/v1/dispatches</c>, parsed against whitelists: an unknown
/// filter, sort key or value is a 400 naming it, never a query fragment.
/// </summary>
public sealed record DispatchListQuery(
    IReadOnlyList<string> Tenants,
    IReadOnlyList<DispatchStatus> Statuses,
    IReadOnlyList<string> Providers,
    IReadOnlyList<string> RouteKeys,
    DateTimeOffset? CreatedFrom,
    DateTimeOffset? CreatedBefore,
    IReadOnlyList<int> RouteVersions,
    IReadOnlyList<(string Key, bool Descending)> Sort) : IQueryContract
{
    public static readonly IReadOnlyList<string> SortKeys = ["created_at", "updated_at", "status", "provider", "route_key", "tenant_id"];

    /// <summary>The filters alone: a bulk replay takes these without paging or sort.</summary>
    public static IReadOnlyList<QueryParameter> Filters { get; } =
    [
        new("tenant_id", "Only these locations' dispatches.", CommaSeparated: true, Filter: true),
        new("status", "Only dispatches in these states.", Enum: Enum.GetValues<DispatchStatus>().Select(EnumNames.Snake).ToList(),
            CommaSeparated: true, Filter: true),
        new("provider", "Only dispatches to these providers.", CommaSeparated: true, Filter: true),
        new("route_key", "Only dispatches of these routes.", CommaSeparated: true, Filter: true),
        new("route_version", "Only dispatches pinned to these route versions (1, 2, ...).", CommaSeparated: true, Filter: true, MaxLength: 200),
        new("created_at[gte]", "Only dispatches created at or after this time.", QueryValue.DateTime, Filter: true),
        new("created_at[lt]", "Only dispatches created before this time.", QueryValue.DateTime, Filter: true)
    ];

    public static IReadOnlyList<QueryParameter> Parameters { get; } =
    [
        ..PageRequest.Parameters,
        new("sort", $"Comma-separated keys, each ascending or, with a leading `-`, descending: {string.Join(", ", SortKeys)}.",
            Default: "-created_at", MaxLength: 200),
        ..Filters
    ];

    private static readonly string FilterNames = string.Join(", ", Filters.Select(f => f.Name));

    public static (DispatchListQuery Query, IReadOnlyList<ProblemDetail> Errors) Parse(IQueryCollection query) => Parse(query, Parameters);

    /// <summary>The query, accepting only the parameters of <paramref name="contract"/> (the list's, or the filters alone).</summary>
    public static (DispatchListQuery Query, IReadOnlyList<ProblemDetail> Errors) Parse(IQueryCollection query, IReadOnlyList<QueryParameter> contract)
    {
        var errors = new List<ProblemDetail>();
        IReadOnlyList<string> Values(string name) => QueryFilters.Values(query, name);

        foreach (var key in contract.UnknownIn(query))
            errors.Add(new ProblemDetail(key, "unknown_filter", $"filters: {FilterNames}"));

        var statuses = new List<DispatchStatus>();
        foreach (var value in Values("status"))
        {
            var status = Enum.GetValues<DispatchStatus>().Where(s => EnumNames.Snake(s) == value).Cast<DispatchStatus?>().FirstOrDefault();
            if (status is { } known) statuses.Add(known);
            else errors.Add(new ProblemDetail("filter[status]", "invalid",
                $"'{value}' is not a status; one of {string.Join(", ", Enum.GetValues<DispatchStatus>().Select(EnumNames.Snake))}"));
        }

        var versions = new List<int>();
        foreach (var value in Values("route_version"))
        {
            if (int.TryParse(value, out var version) && version > 0) versions.Add(version);
            else errors.Add(new ProblemDetail("filter[route_version]", "invalid", $"'{value}' is not a route version (1, 2, ...)"));
        }

        var sort = new List<(string, bool)>();
        foreach (var term in (query["sort"].ToString() is { Length: > 0 } s ? s : "-created_at").Split(',', StringSplitOptions.TrimEntries))
        {
            var key = term.TrimStart('-');
            if (SortKeys.Contains(key)) sort.Add((key, term.StartsWith('-')));
            else errors.Add(new ProblemDetail("sort", "invalid", $"'{key}' cannot be sorted on; one of {string.Join(", ", SortKeys)}"));
        }

        return (new DispatchListQuery(Values("tenant_id"), statuses, Values("provider"), Values("route_key"),
            QueryFilters.Time(query, "created_at", "gte", errors), QueryFilters.Time(query, "created_at", "lt", errors), versions, sort), errors);
    }

    /// <summary>The filter for one caller: internal callers see every location, others only theirs (null tenants: no limit).</summary>
    public DispatchFilter ForCaller(Caller caller)
    {
        IReadOnlyList<string>? tenants = caller.Class == CallerClass.Internal
            ? (Tenants.Count > 0 ? Tenants : null)
            : (Tenants.Count > 0 ? Tenants.Where(caller.CanAccess) : caller.Locations).ToList();
        // A partner sees the dispatches to its own provider only.
        // (" " is no provider key: a filter naming only other providers matches nothing.)
        IReadOnlyList<string> providers = caller.Class != CallerClass.Partner ? Providers
            : Providers.Count == 0 ? [caller.Provider ?? " "]
            : [.. Providers.Where(caller.CanSeeProvider).DefaultIfEmpty(" ")];
        return new DispatchFilter(tenants, Statuses, providers, RouteKeys, CreatedFrom, CreatedBefore,
            RouteVersions.Count > 0 ? RouteVersions : null);
    }
}

public static class DispatchQueries
{
    /// <summary>Dispatches matching a filter, across the locations it allows.</summary>
    public static IQueryable<Dispatch> Matching(IQueryable<Dispatch> query, DispatchFilter filter, IReadOnlyList<DispatchStatus> statuses)
    {
        query = query.Where(d => d.AnyTenant());
        if (filter.Tenants is { } tenants) query = query.Where(d => tenants.Contains(d.TenantId));
        if (statuses.Count > 0) query = query.Where(d => statuses.Contains(d.Status));
        if (filter.Providers.Count > 0) query = query.Where(d => filter.Providers.Contains(d.Provider));
        if (filter.RouteKeys.Count > 0) query = query.Where(d => filter.RouteKeys.Contains(d.RouteKey));
        if (filter.RouteVersions is { Count: > 0 } versions) query = query.Where(d => versions.Contains(d.RouteVersion));
        if (filter.CreatedFrom is { } from) query = query.Where(d => d.CreatedAt >= from);
        if (filter.CreatedBefore is { } before) query = query.Where(d => d.CreatedAt < before);
        return query;
    }
}

public static class ListDispatchesEndpoint
{
    /// <summary>List dispatches</summary>
    /// <remarks>
    /// The dispatches of the locations the caller may see (a partner: those to its own provider), newest first unless
    /// <c>sort</c> says otherwise, a page at a time. Filters combine with AND; the values of one filter with OR.
    /// An unknown parameter, filter value or sort key is 400 naming it.
    /// </remarks>
    [Authorize(Policy = Scopes.DispatchesRead)]
    [QueryString<DispatchListQuery>]
    [WolverineGet("/api/v1/dispatches", OperationId = "listDispatches")]
    public static async Task<Results<Ok<PageEnvelope<DispatchView>>, ProblemHttpResult>> Get(IQuerySession session, HttpContext context,
        Caller caller, CancellationToken cancellation)
    {
        var (filter, errors) = DispatchListQuery.Parse(context.Request.Query);
        if (errors.Count > 0) return TypedResults.Problem(ApiProblems.Validation([.. errors]));

        var scoped = filter.ForCaller(caller);
        var query = DispatchQueries.Matching(session.Query<Dispatch>(), scoped, scoped.Statuses);

        var page = PageRequest.From(context.Request);
        var (dispatches, total) = await Sort(query, filter.Sort).PageAsync(page, cancellation);
        return TypedResults.Ok(page.Envelope(dispatches.Select(DispatchView.From).ToList(), total, context.Request));
    }

    private static IQueryable<Dispatch> Sort(IQueryable<Dispatch> query, IReadOnlyList<(string Key, bool Descending)> sort)
    {
        IOrderedQueryable<Dispatch>? ordered = null;
        foreach (var (key, descending) in sort)
        {
            ordered = key switch
            {
                "created_at" => Then(ordered, query, d => d.CreatedAt, descending),
                "updated_at" => Then(ordered, query, d => d.UpdatedAt, descending),
                "status" => Then(ordered, query, d => d.Status, descending),
                "provider" => Then(ordered, query, d => d.Provider, descending),
                "route_key" => Then(ordered, query, d => d.RouteKey, descending),
                _ => Then(ordered, query, d => d.TenantId, descending)
            };
        }
        return Then(ordered, query, d => d.Id, descending: false); // a stable order for paging
    }

    private static IOrderedQueryable<Dispatch> Then<TKey>(IOrderedQueryable<Dispatch>? ordered, IQueryable<Dispatch> query,
        System.Linq.Expressions.Expression<Func<Dispatch, TKey>> key, bool descending) => ordered is null
        ? descending ? query.OrderByDescending(key) : query.OrderBy(key)
        : descending ? ordered.ThenByDescending(key) : ordered.ThenBy(key);
}
