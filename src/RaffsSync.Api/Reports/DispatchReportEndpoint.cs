using System.Globalization;
using System.Text.Json.Serialization;
using Marten;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Http.HttpResults;
using RaffsSync.Api.Access;
using RaffsSync.Api.Infrastructure.Http;
using RaffsSync.Api.Infrastructure.OpenApi;
using RaffsSync.Domain.Access;
using RaffsSync.Domain.Reports;
using Wolverine.Http;

namespace RaffsSync.Api.Reports;

/// <summary>Provider answer latency in milliseconds, over the calls that got an answer; percentiles are read from a histogram.</summary>
/// <param name="Samples">Answers measured.</param>
/// <param name="P50">The median; absent without samples.</param>
/// <param name="P95">The 95th percentile; absent without samples.</param>
/// <param name="P99">The 99th percentile; absent without samples.</param>
public sealed record LatencyPercentiles(long Samples, double? P50, double? P95, double? P99);

/// <summary>One group's counts. Only the grouping keys asked for in <c>group_by</c> are present.</summary>
/// <param name="Provider">The provider, when grouped by <c>provider</c>.</param>
/// <param name="RouteKey">The route, when grouped by <c>route_key</c>.</param>
/// <param name="TenantId">The location, when grouped by <c>tenant_id</c>.</param>
/// <param name="Day">The request day (UTC, <c>2026-11-01</c>), when grouped by <c>day</c>.</param>
/// <param name="Requested">Dispatches requested.</param>
/// <param name="Succeeded">Dispatches that succeeded.</param>
/// <param name="Failed">Dispatches that failed.</param>
/// <param name="DeadLettered">Dispatches that used up their attempts.</param>
/// <param name="Cancelled">Dispatches cancelled.</param>
/// <param name="OutcomeUnknown">Dispatches whose write timed out, outcome unknown.</param>
/// <param name="Attempts">Provider calls made.</param>
/// <param name="Retries">Retries scheduled.</param>
/// <param name="Replays">Replays requested.</param>
/// <param name="SuccessRate">Succeeded over succeeded, failed and dead-lettered, 0 to 1 (four decimals); absent when there are none.</param>
/// <param name="LatencyMs">Provider answer latency.</param>
public sealed record DispatchReportRowView(
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Provider,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? RouteKey,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? TenantId,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Day,
    int Requested,
    int Succeeded,
    int Failed,
    int DeadLettered,
    int Cancelled,
    int OutcomeUnknown,
    int Attempts,
    int Retries,
    int Replays,
    double? SuccessRate,
    LatencyPercentiles LatencyMs)
{
    public static DispatchReportRowView From(DispatchReportRow row) => new(
        row.Group.GetValueOrDefault("provider"), row.Group.GetValueOrDefault("route_key"),
        row.Group.GetValueOrDefault("tenant_id"), row.Group.GetValueOrDefault("day"),
        row.Requested, row.Succeeded, row.Failed, row.DeadLettered, row.Cancelled, row.OutcomeUnknown,
        row.Attempts, row.Retries, row.Replays, row.SuccessRate,
        new LatencyPercentiles(row.LatencySamples, row.LatencyP50Ms, row.LatencyP95Ms, row.LatencyP99Ms));
}

/// <summary>A dispatch report: the days it covers, how it is grouped, and one row per group.</summary>
/// <param name="From">The first request day covered (UTC).</param>
/// <param name="To">The last request day covered (UTC), inclusive.</param>
/// <param name="GroupBy">The grouping keys, as asked.</param>
/// <param name="Data">One row per group that had dispatches.</param>
public sealed record DispatchReportResponse(DateOnly From, DateOnly To, IReadOnlyList<string> GroupBy, IReadOnlyList<DispatchReportRowView> Data);

/// <summary>The query string of <c>GET /api/v1/reports/dispatches</c>.</summary>
public sealed class DispatchReportQuery : IQueryContract
{
    public static readonly IReadOnlyList<string> DefaultGroupBy = ["provider", "route_key"];

    public static IReadOnlyList<QueryParameter> Parameters { get; } =
    [
        new("group_by", $"The keys to group by, each once: any of {string.Join(", ", DispatchReport.GroupKeys)}.",
            Enum: DispatchReport.GroupKeys, Default: string.Join(",", DefaultGroupBy), CommaSeparated: true, MaxLength: 200),
        new("from", $"The first request day (UTC); {DispatchReportEndpoint.DefaultDays} days before `to` when absent.", QueryValue.Date),
        new("to", $"The last request day (UTC), inclusive, at most {DispatchReportEndpoint.MaxDays} days from `from`; today when absent.",
            QueryValue.Date),
        new("tenant_id", "Only these locations; another customer's location is 404.", CommaSeparated: true),
        new("provider", "Only these providers.", CommaSeparated: true),
        new("route_key", "Only these routes.", CommaSeparated: true)
    ];
}

public static class DispatchReportEndpoint
{
    public const int DefaultDays = 30;
    public const int MaxDays = 366;

    /// <summary>Report on dispatches</summary>
    /// <remarks>
    /// Dispatch outcomes, attempts, retries, replays and provider latency over a range of request days (the last 30 by default,
    /// at most 366), grouped by any of provider, route, location and day, for the locations the caller may see.
    /// A few seconds behind the dispatches themselves.
    /// </remarks>
    // Read from the daily report projection (async), hence the lag.
    [Authorize(Policy = Scopes.ReportsRead)]
    [Authorize(Policy = CallerPolicies.CustomerOrInternal)]
    [QueryString<DispatchReportQuery>]
    [WolverineGet("/api/v1/reports/dispatches", OperationId = "reportDispatches")]
    [ProblemResponses(404)]
    public static async Task<Results<Ok<DispatchReportResponse>, ProblemHttpResult>> Get(IQuerySession session, Caller caller,
        HttpContext context, TimeProvider clock, CancellationToken cancellation)
    {
        var query = context.Request.Query;
        var errors = new List<ProblemDetail>();
        IReadOnlyList<string> Values(string name) => QueryFilters.Values(query, name);

        DateOnly? Date(string name)
        {
            var text = query[name].ToString();
            if (text.Length == 0) return null;
            if (DateOnly.TryParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var date)) return date;
            errors.Add(new ProblemDetail(name, "invalid", "a date such as 2026-11-01"));
            return null;
        }

        foreach (var key in DispatchReportQuery.Parameters.UnknownIn(query))
            errors.Add(new ProblemDetail(key, "unknown_parameter", string.Join(", ", DispatchReportQuery.Parameters.Select(p => p.Name))));

        var groupBy = query.ContainsKey("group_by") ? Values("group_by") : DispatchReportQuery.DefaultGroupBy;
        foreach (var key in groupBy.Where(k => !DispatchReport.GroupKeys.Contains(k)))
            errors.Add(new ProblemDetail("group_by", "invalid", $"'{key}' is not a grouping; any of {string.Join(", ", DispatchReport.GroupKeys)}"));
        if (groupBy.Distinct().Count() != groupBy.Count) errors.Add(new ProblemDetail("group_by", "invalid", "each key once"));

        var today = DateOnly.FromDateTime(clock.GetUtcNow().UtcDateTime);
        var to = Date("to") ?? today;
        var from = Date("from") ?? to.AddDays(1 - DefaultDays);
        if (from > to) errors.Add(new ProblemDetail("from", "invalid", "not after 'to'"));
        else if (to.DayNumber - from.DayNumber >= MaxDays) errors.Add(new ProblemDetail("to", "invalid", $"at most {MaxDays} days from 'from'"));
        if (errors.Count > 0) return TypedResults.Problem(ApiProblems.Validation([.. errors]));

        var tenants = Values("tenant_id");
        if (tenants.FirstOrDefault(t => !caller.CanAccess(t)) is { } hidden)
            return TypedResults.Problem(ApiProblems.Create(404, "not_found", $"Location '{hidden}' was not found."));
        IReadOnlyList<string>? visible = tenants.Count > 0 ? tenants
            : caller.Class == CallerClass.Internal ? null : [.. caller.Locations];

        var days = session.Query<DispatchDay>().Where(d => d.AnyTenant() && d.Day >= from && d.Day <= to);
        if (visible is not null) days = days.Where(d => visible.Contains(d.TenantId));
        if (Values("provider") is { Count: > 0 } providers) days = days.Where(d => providers.Contains(d.Provider));
        if (Values("route_key") is { Count: > 0 } routeKeys) days = days.Where(d => routeKeys.Contains(d.RouteKey));

        var rows = DispatchReport.Summarize(await days.ToListAsync(cancellation), groupBy);
        return TypedResults.Ok(new DispatchReportResponse(from, to, groupBy, rows.Select(DispatchReportRowView.From).ToList()));
    }
}
