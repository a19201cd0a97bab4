using System.Globalization;
using System.Text.Json.Serialization;
using Marten;
using Microsoft.AspNetCore.Authorization;
using RaffsSync.Api.Access;
using RaffsSync.Api.Infrastructure.Http;
using RaffsSync.Domain.Access;
using RaffsSync.Domain.Reports;
using Wolverine.Http;

namespace RaffsSync.Api.Reports;

public sealed record LatencyPercentiles(long Samples, double? P50, double? P95, double? P99);

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

public sealed record DispatchReportResponse(DateOnly From, DateOnly To, IReadOnlyList<string> GroupBy, IReadOnlyList<DispatchReportRowView> Data);

public static class DispatchReportEndpoint
{
    public const int DefaultDays = 30;
    public const int MaxDays = 366;
    private static readonly string[] Parameters = ["group_by", "from", "to", "tenant_id", "provider", "route_key"];

    /// <summary>
    /// Dispatch outcomes, attempts and provider latency by any of provider, route_key, tenant_id and
    /// day, over the request days from..to (inclusive, UTC; the last 30 days by default). Read from the
    /// daily report projection, so a few seconds behind the dispatches themselves.
    /// </summary>
    [Authorize(Policy = Scopes.ReportsRead)]
    [Authorize(Policy = CallerPolicies.CustomerOrInternal)]
    [WolverineGet("/api/v1/reports/dispatches")]
    public static async Task<IResult> Get(IQuerySession session, Caller caller, HttpContext context, TimeProvider clock,
        CancellationToken cancellation)
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

        foreach (var key in query.Keys.Where(k => !Parameters.Contains(k)))
            errors.Add(new ProblemDetail(key, "unknown_parameter", string.Join(", ", Parameters)));

        var groupBy = query.ContainsKey("group_by") ? Values("group_by") : ["provider", "route_key"];
        foreach (var key in groupBy.Where(k => !DispatchReport.GroupKeys.Contains(k)))
            errors.Add(new ProblemDetail("group_by", "invalid", $"'{key}' is not a grouping; any of {string.Join(", ", DispatchReport.GroupKeys)}"));
        if (groupBy.Distinct().Count() != groupBy.Count) errors.Add(new ProblemDetail("group_by", "invalid", "each key once"));

        var today = DateOnly.FromDateTime(clock.GetUtcNow().UtcDateTime);
        var to = Date("to") ?? today;
        var from = Date("from") ?? to.AddDays(1 - DefaultDays);
        if (from > to) errors.Add(new ProblemDetail("from", "invalid", "not after 'to'"));
        else if (to.DayNumber - from.DayNumber >= MaxDays) errors.Add(new ProblemDetail("to", "invalid", $"at most {MaxDays} days from 'from'"));
        if (errors.Count > 0) return Results.Problem(ApiProblems.Validation([.. errors]));

        var tenants = Values("tenant_id");
        if (tenants.FirstOrDefault(t => !caller.CanAccess(t)) is { } hidden)
            return ProblemResults.NotFound("not_found", $"Location '{hidden}' was not found.");
        IReadOnlyList<string>? visible = tenants.Count > 0 ? tenants
            : caller.Class == CallerClass.Internal ? null : [.. caller.Locations];

        var days = session.Query<DispatchDay>().Where(d => d.AnyTenant() && d.Day >= from && d.Day <= to);
        if (visible is not null) days = days.Where(d => visible.Contains(d.TenantId));
        if (Values("provider") is { Count: > 0 } providers) days = days.Where(d => providers.Contains(d.Provider));
        if (Values("route_key") is { Count: > 0 } routeKeys) days = days.Where(d => routeKeys.Contains(d.RouteKey));

        var rows = DispatchReport.Summarize(await days.ToListAsync(cancellation), groupBy);
        return Results.Ok(new DispatchReportResponse(from, to, groupBy, rows.Select(DispatchReportRowView.From).ToList()));
    }
}
