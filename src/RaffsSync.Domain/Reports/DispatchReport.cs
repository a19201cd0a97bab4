namespace RaffsSync.Domain.Reports;

/// <summary>Daily rows added up over a grouping (any of provider, route_key, tenant_id, day).</summary>
public sealed record DispatchReportRow(
    IReadOnlyDictionary<string, string> Group,
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
    long LatencySamples,
    double? LatencyP50Ms,
    double? LatencyP95Ms,
    double? LatencyP99Ms);

public static class DispatchReport
{
    public static readonly IReadOnlyList<string> GroupKeys = ["provider", "route_key", "tenant_id", "day"];

    public static IReadOnlyList<DispatchReportRow> Summarize(IEnumerable<DispatchDay> days, IReadOnlyList<string> groupBy) =>
        days.GroupBy(d => string.Join('\u001f', groupBy.Select(k => KeyOf(d, k))))
            .Select(g => Row(groupBy.ToDictionary(k => k, k => KeyOf(g.First(), k)), g.ToList()))
            .OrderBy(r => string.Join('\u001f', groupBy.Select(k => r.Group[k])), StringComparer.Ordinal)
            .ToList();

    private static string KeyOf(DispatchDay day, string key) => key switch
    {
        "provider" => day.Provider,
        "route_key" => day.RouteKey,
        "tenant_id" => day.TenantId,
        "day" => day.Day.ToString("yyyy-MM-dd"),
        _ => throw new ArgumentOutOfRangeException(nameof(key), key, "not a group key")
    };

    private static DispatchReportRow Row(IReadOnlyDictionary<string, string> group, IReadOnlyList<DispatchDay> days)
    {
        var latencies = LatencyHistogram.Merge(days.Select(d => d.LatencyBuckets));
        int Sum(Func<DispatchDay, int> count) => days.Sum(count);
        var (succeeded, failed, deadLettered) = (Sum(d => d.Succeeded), Sum(d => d.Failed), Sum(d => d.DeadLettered));
        var finished = succeeded + failed + deadLettered;
        return new DispatchReportRow(group, Sum(d => d.Requested), succeeded, failed, deadLettered, Sum(d => d.Cancelled),
            Sum(d => d.OutcomeUnknown), Sum(d => d.Attempts), Sum(d => d.Retries), Sum(d => d.Replays),
            finished == 0 ? null : Math.Round((double)succeeded / finished, 4),
            latencies.Sum(),
            LatencyHistogram.Percentile(latencies, 0.50),
            LatencyHistogram.Percentile(latencies, 0.95),
            LatencyHistogram.Percentile(latencies, 0.99));
    }
}
