using RaffsSync.Domain.Dispatches;

namespace RaffsSync.Domain.Reports;

/// <summary>
/// The outcomes of one location's dispatches to one route on the day they were requested.
/// Outcome counts are events (a replayed dispatch that fails and then succeeds counts once in each).
/// </summary>
public sealed record DispatchDay
{
    public required string Id { get; init; }
    public required string TenantId { get; init; }
    public required string Provider { get; init; }
    public required string RouteKey { get; init; }
    public required DateOnly Day { get; init; }

    public int Requested { get; init; }
    public int Succeeded { get; init; }
    public int Failed { get; init; }
    public int DeadLettered { get; init; }
    public int Cancelled { get; init; }
    public int OutcomeUnknown { get; init; }
    public int Attempts { get; init; }
    public int Retries { get; init; }
    public int Replays { get; init; }
    /// <summary>Dispatches the reconciler had to queue again (their message was lost).</summary>
    public int Requeues { get; init; }

    /// <summary>Latencies of provider answers, bucketed by <see cref="LatencyHistogram"/>.</summary>
    public long[] LatencyBuckets { get; init; } = LatencyHistogram.Empty();

    public static string IdFor(string tenantId, string provider, string routeKey, DateOnly day) =>
        $"{tenantId}|{provider}|{routeKey}|{day:yyyy-MM-dd}";

    public static DateOnly DayOf(DateTimeOffset requestedAt) => DateOnly.FromDateTime(requestedAt.UtcDateTime);

    public static DispatchDay Start(string tenantId, string provider, string routeKey, DateOnly day) => new()
    {
        Id = IdFor(tenantId, provider, routeKey, day), TenantId = tenantId, Provider = provider, RouteKey = routeKey, Day = day
    };

    /// <summary>What each dispatch event counts for; those that count for nothing are named too.</summary>
    public DispatchDay After(IDispatchEvent @event) => @event switch
    {
        DispatchRequested => this with { Requested = Requested + 1 },
        DispatchAttemptStarted => this with { Attempts = Attempts + 1 },
        ProviderResponded e => this with { LatencyBuckets = LatencyHistogram.Add(LatencyBuckets, e.LatencyMs) },
        DispatchRetryScheduled => this with { Retries = Retries + 1 },
        DispatchRequeued => this with { Requeues = Requeues + 1 },
        DispatchReplayRequested => this with { Replays = Replays + 1 },
        DispatchSucceeded => this with { Succeeded = Succeeded + 1 },
        DispatchFailed => this with { Failed = Failed + 1 },
        DispatchDeadLettered => this with { DeadLettered = DeadLettered + 1 },
        DispatchCancelled => this with { Cancelled = Cancelled + 1 },
        DispatchOutcomeUnknown => this with { OutcomeUnknown = OutcomeUnknown + 1 },
        ProviderUnreachable or DispatchAttemptInterrupted or DispatchReconciled => this,
        _ => throw new ArgumentOutOfRangeException(nameof(@event), @event.GetType().Name, "A dispatch event the report does not account for.")
    };

    /// <summary>The day a dispatch's events count towards starts with its request.</summary>
    public static DispatchDay? Next(DispatchDay? day, IDispatchEvent @event) => day is not null ? day.After(@event)
        : @event is DispatchRequested e ? Start(e.TenantId, e.Provider, e.RouteKey, DayOf(e.RequestedAt)).After(e)
        : null;
}
