using System.Text.Json;

namespace RaffsSync.Domain.Dispatches;

/// <summary>
/// One dispatch as its events describe it: what the executor decides from and what
/// <c>GET /api/v1/dispatches/{id}</c> shows. Immutable; each event yields a new value.
/// </summary>
public sealed record Dispatch
{
    public Guid Id { get; init; }
    public string TenantId { get; init; } = "";
    public string Provider { get; init; } = "";
    public string RouteKey { get; init; } = "";
    public int RouteVersion { get; init; }
    public ProviderEnvironment Environment { get; init; }
    public JsonElement Payload { get; init; }
    public Guid? ConnectionId { get; init; }
    public string? IdempotencyKey { get; init; }
    /// <summary>The inbound event a chain route turned into this dispatch, if one did.</summary>
    public Guid? CausedByInboundEvent { get; init; }
    public DispatchStatus Status { get; init; }
    public int Attempts { get; init; }
    /// <summary>Attempts made before the current run (a replay starts a new run with a fresh retry budget).</summary>
    public int AttemptsBeforeRun { get; init; }
    public DateTimeOffset RunStartedAt { get; init; }
    public int Replays { get; init; }
    public int? LastProviderStatus { get; init; }
    public int? Pages { get; init; }
    public int? Records { get; init; }
    public DateTimeOffset? NextAttemptAt { get; init; }
    public FailureType? FailureType { get; init; }
    public string? FailureReason { get; init; }
    public DateTimeOffset CreatedAt { get; init; }
    public DateTimeOffset UpdatedAt { get; init; }
    public DateTimeOffset? CompletedAt { get; init; }

    public static Dispatch Start(DispatchRequested e) => new()
    {
        Id = e.DispatchId,
        TenantId = e.TenantId,
        Provider = e.Provider,
        RouteKey = e.RouteKey,
        RouteVersion = e.RouteVersion,
        Environment = e.Environment,
        Payload = e.Payload,
        ConnectionId = e.ConnectionId,
        IdempotencyKey = e.IdempotencyKey,
        CausedByInboundEvent = e.CausedByInboundEvent,
        Status = DispatchStatus.Accepted,
        CreatedAt = e.RequestedAt,
        RunStartedAt = e.RequestedAt,
        UpdatedAt = e.RequestedAt
    };

    /// <summary>
    /// The one place each event changes a dispatch: the inline projection, the executor and the endpoints
    /// all use it. (Not named Apply/Create: Marten would take those for projection conventions on the
    /// document and refuse them beside the projection's Evolve.)
    /// </summary>
    public Dispatch After(IDispatchEvent @event) => @event switch
    {
        DispatchRequested e => Start(e),
        DispatchAttemptStarted e => this with { Attempts = e.Attempt, Status = DispatchStatus.InProgress, UpdatedAt = e.StartedAt },
        ProviderResponded e => this with { LastProviderStatus = e.StatusCode, UpdatedAt = e.RespondedAt },
        ProviderUnreachable e => this with { UpdatedAt = e.FailedAt },
        DispatchAttemptInterrupted e => this with { UpdatedAt = e.DetectedAt },
        DispatchReconciled e => this with { UpdatedAt = e.At },
        DispatchRequeued e => this with { UpdatedAt = e.At },
        DispatchRetryScheduled e => this with
        {
            Status = DispatchStatus.RetryScheduled,
            NextAttemptAt = e.NextAttemptAt,
            FailureReason = e.Reason,
            UpdatedAt = e.ScheduledAt
        },
        DispatchReplayRequested e => this with
        {
            Status = DispatchStatus.Accepted,
            RouteVersion = e.RouteVersion,
            AttemptsBeforeRun = Attempts,
            RunStartedAt = e.RequestedAt,
            Replays = Replays + 1,
            NextAttemptAt = null,
            FailureType = null,
            FailureReason = null,
            CompletedAt = null,
            UpdatedAt = e.RequestedAt
        },
        DispatchCancelled e => Finish(DispatchStatus.Cancelled, e.Reason, e.CancelledAt),
        DispatchSucceeded e => Finish(DispatchStatus.Succeeded, null, e.SucceededAt) with { Pages = e.Pages, Records = e.Records },
        DispatchDeadLettered e => Finish(DispatchStatus.DeadLettered, e.Reason, e.DeadLetteredAt),
        DispatchOutcomeUnknown e => Finish(DispatchStatus.OutcomeUnknown, e.Reason, e.At),
        DispatchFailed e => Finish(DispatchStatus.Failed, e.Reason, e.FailedAt) with { FailureType = e.FailureType },
        _ => throw new ArgumentOutOfRangeException(nameof(@event), @event.GetType().Name, "A dispatch event with no handling.")
    };

    /// <summary>After several events, in order (what a decision appends).</summary>
    public Dispatch After(IEnumerable<object> events) => events.Cast<IDispatchEvent>().Aggregate(this, (d, e) => d.After(e));

    /// <summary>The dispatch an event stream describes (null before its <see cref="DispatchRequested"/>).</summary>
    public static Dispatch? Next(Dispatch? dispatch, IDispatchEvent @event) =>
        dispatch is null ? (@event as DispatchRequested is { } requested ? Start(requested) : null) : dispatch.After(@event);

    /// <summary>A final status: nothing more is scheduled.</summary>
    private Dispatch Finish(DispatchStatus status, string? reason, DateTimeOffset at) => this with
    {
        Status = status,
        NextAttemptAt = null,
        FailureReason = reason,
        UpdatedAt = at,
        CompletedAt = at
    };
}
