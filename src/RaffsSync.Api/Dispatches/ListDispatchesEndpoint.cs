using Marten;
using Microsoft.AspNetCore.Authorization;
using RaffsSync.Api.Access;
using RaffsSync.Api.Infrastructure.Http;
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
    IReadOnlyList<(string Key, bool Descending)> Sort)
{
    public static readonly IReadOnlyList<string> SortKeys = ["created_at", "updated_at", "status", "provider", "route_key", "tenant_id"];
    private static readonly IReadOnlyList<string> Paging = ["page", "per_page", "sort"];
    private static readonly HashSet<string> Filters =
        QueryFilters.Spellings(["tenant_id", "status", "provider", "route_key", "route_version"], "created_at").ToHashSet();

    public static (DispatchListQuery Query, IReadOnlyList<ProblemDetail> Errors) Parse(IQueryCollection query)
    {
        var errors = new List<ProblemDetail>();
        IReadOnlyList<string> Values(string name) => QueryFilters.Values(query, name);

        foreach (var key in query.Keys.Where(k => !Paging.Contains(k) && !Filters.Contains(k)))
            errors.Add(new ProblemDetail(key, "unknown_filter",
                "filters: tenant_id, status, provider, route_key, route_version, created_at[gte], created_at[lt]"));

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
    /// <summary>Dispatches of the locations the caller may see, filtered, sorted and paged.</summary>
    [Authorize(Policy = Scopes.DispatchesRead)]
    [WolverineGet("/api/v1/dispatches")]
    public static async Task<IResult> Get(IQuerySession session, HttpContext context, Caller caller, CancellationToken cancellation)
    {
        var (filter, errors) = DispatchListQuery.Parse(context.Request.Query);
        if (errors.Count > 0) return Results.Problem(ApiProblems.Validation([.. errors]));

        var scoped = filter.ForCaller(caller);
        var query = DispatchQueries.Matching(session.Query<Dispatch>(), scoped, scoped.Statuses);

        var page = PageRequest.From(context.Request);
        var (dispatches, total) = await Sort(query, filter.Sort).PageAsync(page, cancellation);
        return Results.Ok(page.Envelope(dispatches.Select(DispatchView.From).ToList(), total, context.Request));
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
