using RaffsSync.Api.Dispatches;

namespace RaffsSync.Api.WebConsole;

/// <summary>Open failures of one kind: dispatches of one route that ended the same way and have not succeeded since.</summary>
public sealed record FailureIssue(string Provider, string RouteKey, string FailureType, int Count, DateTimeOffset FirstSeen,
    DateTimeOffset LastSeen, IReadOnlyList<string> Statuses);

public static class FailureIssues
{
    /// <summary>The statuses a dispatch stays in until someone replays it; a replay that succeeds takes it out.</summary>
    public static readonly IReadOnlyList<string> OpenStatuses = ["failed", "dead_lettered", "outcome_unknown"];

    /// <summary>Groups open failures by provider, route and failure type, the most frequent first.</summary>
    public static IReadOnlyList<FailureIssue> Group(IEnumerable<DispatchView> dispatches) =>
        dispatches
            .Where(d => OpenStatuses.Contains(d.Status))
            .GroupBy(d => (d.Provider, d.RouteKey, FailureType: d.FailureType ?? d.Status))
            .Select(g => new FailureIssue(g.Key.Provider, g.Key.RouteKey, g.Key.FailureType, g.Count(),
                g.Min(FailedAt), g.Max(FailedAt), g.Select(d => d.Status).Distinct().Order().ToList()))
            .OrderByDescending(i => i.Count).ThenByDescending(i => i.LastSeen)
            .ToList();

    private static DateTimeOffset FailedAt(DispatchView d) => d.CompletedAt ?? d.UpdatedAt;
}
