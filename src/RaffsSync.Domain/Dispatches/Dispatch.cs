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

    public static Dispatch Create(DispatchRequested e) => new()
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
        Status = DispatchStatus.Accepted,
        CreatedAt = e.RequestedAt,
        RunStartedAt = e.RequestedAt,
        UpdatedAt = e.RequestedAt
    };

    public Dispatch Apply(DispatchAttemptStarted e) =>
        this with { Attempts = e.Attempt, Status = DispatchStatus.InProgress, UpdatedAt = e.StartedAt };

    public Dispatch Apply(ProviderResponded e) =>
        this with { LastProviderStatus = e.StatusCode, UpdatedAt = e.RespondedAt };

    public Dispatch Apply(ProviderUnreachable e) => this with { UpdatedAt = e.FailedAt };

    public Dispatch Apply(DispatchAttemptInterrupted e) => this with { UpdatedAt = e.DetectedAt };

    public Dispatch Apply(DispatchReconciled e) => this with { UpdatedAt = e.At };

    public Dispatch Apply(DispatchRequeued e) => this with { UpdatedAt = e.At };

    public Dispatch Apply(DispatchRetryScheduled e) => this with
    {
        Status = DispatchStatus.RetryScheduled,
        NextAttemptAt = e.NextAttemptAt,
        FailureReason = e.Reason,
        UpdatedAt = e.ScheduledAt
    };

    public Dispatch Apply(DispatchReplayRequested e) => this with
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
    };

    public Dispatch Apply(DispatchCancelled e) => Finish(DispatchStatus.Cancelled, e.Reason, e.CancelledAt);

    public Dispatch Apply(DispatchSucceeded e) =>
        Finish(DispatchStatus.Succeeded, null, e.SucceededAt) with { Pages = e.Pages, Records = e.Records };

    public Dispatch Apply(DispatchDeadLettered e) => Finish(DispatchStatus.DeadLettered, e.Reason, e.DeadLetteredAt);

    public Dispatch Apply(DispatchOutcomeUnknown e) => Finish(DispatchStatus.OutcomeUnknown, e.Reason, e.At);

    public Dispatch Apply(DispatchFailed e) => Finish(DispatchStatus.Failed, e.Reason, e.FailedAt) with { FailureType = e.FailureType };

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
