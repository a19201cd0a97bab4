using System.Text.Json;
using RaffsSync.Domain.Templates;

namespace RaffsSync.Domain.Dispatches;

/// <summary>
/// An event on a dispatch's stream. <see cref="Dispatch.After"/> and the daily report each handle
/// every one in one switch; a test fails when a new one is missing from either.
/// </summary>
public interface IDispatchEvent
{
    Guid DispatchId { get; }
}

/// <summary>
/// Work was accepted for a location, pinned to the route version current at that moment. A chain route's dispatch
/// names the inbound event that caused it (<see cref="CausedByInboundEvent"/>).
/// </summary>
public sealed record DispatchRequested(
    Guid DispatchId,
    string TenantId,
    string Provider,
    string RouteKey,
    int RouteVersion,
    ProviderEnvironment Environment,
    JsonElement Payload,
    DateTimeOffset RequestedAt,
    Guid? ConnectionId = null,
    string? IdempotencyKey = null,
    Guid? CausedByInboundEvent = null) : IDispatchEvent;

/// <summary>One call to the provider is about to be made; the request is recorded with secrets masked.</summary>
public sealed record DispatchAttemptStarted(
    Guid DispatchId,
    int Attempt,
    RenderedRequest Request,
    DateTimeOffset StartedAt) : IDispatchEvent;

/// <summary>The provider answered (any status). The body is capped; its hash covers the whole body.</summary>
public sealed record ProviderResponded(
    Guid DispatchId,
    int Attempt,
    int StatusCode,
    long LatencyMs,
    string Body,
    bool BodyTruncated,
    string BodySha256,
    DateTimeOffset RespondedAt,
    int Page = 1) : IDispatchEvent;

/// <summary>The provider could not be reached or did not answer in time.</summary>
public sealed record ProviderUnreachable(
    Guid DispatchId,
    int Attempt,
    string Error,
    long LatencyMs,
    DateTimeOffset FailedAt) : IDispatchEvent;

/// <summary>The attempt failed in a way worth retrying; the next attempt is scheduled.</summary>
public sealed record DispatchRetryScheduled(
    Guid DispatchId,
    int Attempt,
    DateTimeOffset NextAttemptAt,
    string Reason,
    DateTimeOffset ScheduledAt) : IDispatchEvent;

/// <summary>Retries are exhausted (attempts or time budget): the dispatch stops until someone replays it.</summary>
public sealed record DispatchDeadLettered(Guid DispatchId, int Attempt, string Reason, DateTimeOffset DeadLetteredAt) : IDispatchEvent;

/// <summary>A write got no answer in time: it may have happened. Not retried automatically.</summary>
public sealed record DispatchOutcomeUnknown(Guid DispatchId, int Attempt, string Reason, DateTimeOffset At) : IDispatchEvent;

/// <summary>A timed-out write was looked up with the route's reconcile route: <see cref="Happened"/> null means still unknown.</summary>
public sealed record DispatchReconciled(
    Guid DispatchId,
    int Attempt,
    string LookupRouteKey,
    int? LookupStatus,
    bool? Happened,
    DateTimeOffset At) : IDispatchEvent;

/// <summary>An attempt was started but no answer was ever recorded (the process stopped mid-call).</summary>
public sealed record DispatchAttemptInterrupted(Guid DispatchId, int Attempt, DateTimeOffset DetectedAt) : IDispatchEvent;

/// <summary>Someone asked to run a finished dispatch again, with the version it pinned or the route's current one.</summary>
public sealed record DispatchReplayRequested(
    Guid DispatchId,
    int RouteVersion,
    string Mode,
    string Reason,
    DateTimeOffset RequestedAt) : IDispatchEvent;

/// <summary>
/// The reconciler found the dispatch waiting with no message left to move it on (one was lost to a
/// database outage, say) and queued attempt <see cref="Attempt"/> again.
/// </summary>
public sealed record DispatchRequeued(Guid DispatchId, int Attempt, string Reason, DateTimeOffset At) : IDispatchEvent;

/// <summary>Someone stopped a dispatch that had not finished; a scheduled retry will not run.</summary>
public sealed record DispatchCancelled(Guid DispatchId, string Reason, DateTimeOffset CancelledAt) : IDispatchEvent;

/// <param name="Pages">Pages fetched, for pull routes (1 otherwise).</param>
/// <param name="Records">Records received across the pages, by the route's <c>response.records</c> selection.</param>
public sealed record DispatchSucceeded(Guid DispatchId, int Attempt, DateTimeOffset SucceededAt, int Pages = 1, int? Records = null) : IDispatchEvent;

public sealed record DispatchFailed(
    Guid DispatchId,
    int Attempt,
    FailureType FailureType,
    string Reason,
    DateTimeOffset FailedAt) : IDispatchEvent;

public enum FailureType
{
    /// <summary>The provider rejected the request (4xx other than auth).</summary>
    Rejected,
    /// <summary>Credentials or configuration are wrong (401/403).</summary>
    Configuration,
    /// <summary>The provider failed (5xx) or could not be reached.</summary>
    Provider,
    /// <summary>The request could not be rendered from the route and payload.</summary>
    Render
}
