using System.Xml;
using RaffsSync.Domain.Registry;
using RaffsSync.Domain.Templates;

namespace RaffsSync.Domain.Dispatches;

/// <summary>Whether an execute message should run, given the dispatch as it stands.</summary>
public enum Admission
{
    /// <summary>Stale, duplicate or finished: do nothing.</summary>
    Skip,
    /// <summary>Make the attempt the message names.</summary>
    Attempt,
    /// <summary>That attempt was started and never finished (the process stopped mid-call): count it and move on.</summary>
    RecoverInterrupted
}

/// <summary>The events that record what happened, and when to try again (null: no retry).</summary>
public sealed record ExecutionRecord(IReadOnlyList<object> Events, DateTimeOffset? RetryAt = null, int NextAttempt = 0);

/// <summary>Pure decisions of the executor: whether to run, and which events record one attempt and its outcome.</summary>
public static class DispatchExecution
{
    public static Admission Admit(Dispatch dispatch, int attempt)
    {
        if (dispatch.Status.IsFinal()) return Admission.Skip;
        if (dispatch.Status == DispatchStatus.InProgress && attempt == dispatch.Attempts) return Admission.RecoverInterrupted;
        return attempt == dispatch.Attempts + 1 ? Admission.Attempt : Admission.Skip;
    }

    /// <summary>The attempt's (last) answer, and the decision it leads to; <paramref name="earlierPages"/> are a pull route's pages before it.</summary>
    public static ExecutionRecord RecordOutcome(Dispatch dispatch, RouteDefinition route, int attempt, ProviderCallResult result,
        DateTimeOffset now, double jitterSample, int page = 1, IReadOnlyList<object>? earlierPages = null)
    {
        var events = new List<object>(earlierPages ?? [])
        {
            result switch
            {
                ProviderCallResult.Responded r => PageAnswer(dispatch, attempt, page, r, now),
                ProviderCallResult.Unreachable u => new ProviderUnreachable(dispatch.Id, attempt, u.Error, u.LatencyMs, now),
                _ => throw new ArgumentOutOfRangeException(nameof(result))
            }
        };

        var decision = Decide(dispatch, route, attempt, DispatchOutcome.Classify(route, result), now, jitterSample);
        return decision with { Events = [.. events, .. decision.Events] };
    }

    /// <summary>Whether a write whose outcome is unknown needs its route's lookup before deciding.</summary>
    public static bool NeedsReconciliation(RouteDefinition route, ProviderCallResult result) =>
        route.Reconcile is not null && DispatchOutcome.Classify(route, result) is DispatchOutcome.Unknown;

    /// <summary>
    /// A timed-out write, looked up: success means the provider did it (succeeded); 404 means it
    /// did not (retry the write within the policy); anything else, or no answer, stays unknown.
    /// </summary>
    public static ExecutionRecord RecordReconciliation(Dispatch dispatch, RouteDefinition route, int attempt,
        ProviderCallResult writeResult, RouteDefinition lookupRoute, ProviderCallResult lookupResult, DateTimeOffset now, double jitterSample)
    {
        var lookupStatus = (lookupResult as ProviderCallResult.Responded)?.StatusCode;
        bool? happened = lookupResult switch
        {
            ProviderCallResult.Responded r when DispatchOutcome.Classify(lookupRoute, r) is DispatchOutcome.Succeeded => true,
            ProviderCallResult.Responded { StatusCode: 404 } => false,
            _ => null
        };

        var unanswered = new ProviderUnreachable(dispatch.Id, attempt, ((ProviderCallResult.Unreachable)writeResult).Error,
            writeResult.LatencyMs, now);
        var reconciled = new DispatchReconciled(dispatch.Id, attempt, route.Reconcile!.RouteKey, lookupStatus, happened, now);
        var decision = happened switch
        {
            true => new ExecutionRecord([new DispatchSucceeded(dispatch.Id, attempt, now)]),
            false => Decide(dispatch, route, attempt, new DispatchOutcome.Retry("The lookup found no trace of the timed-out write."), now, jitterSample),
            null => new ExecutionRecord([new DispatchOutcomeUnknown(dispatch.Id, attempt,
                $"The write timed out and the lookup could not tell whether it happened (HTTP {lookupStatus?.ToString() ?? "no answer"}).", now)])
        };
        return decision with { Events = [unanswered, reconciled, .. decision.Events] };
    }

    public static ProviderResponded PageAnswer(Dispatch dispatch, int attempt, int page, ProviderCallResult.Responded r, DateTimeOffset now) =>
        new(dispatch.Id, attempt, r.StatusCode, r.LatencyMs, r.Body, r.BodyTruncated, r.BodySha256, now, page);

    /// <summary>A pull route fetched every page it was allowed to: its answers, then success with the page and record counts.</summary>
    public static ExecutionRecord RecordPagedSuccess(Dispatch dispatch, int attempt, IReadOnlyList<object> pages, int records, DateTimeOffset now) =>
        new([.. pages, new DispatchSucceeded(dispatch.Id, attempt, now, pages.Count, records)]);

    /// <summary>An attempt that never finished counts as made; retry if the policy allows (at least once, never more than max_attempts calls).</summary>
    public static ExecutionRecord RecordInterruption(Dispatch dispatch, RouteDefinition route, DateTimeOffset now, double jitterSample)
    {
        var interrupted = new DispatchAttemptInterrupted(dispatch.Id, dispatch.Attempts, now);
        var decision = Decide(dispatch, route, dispatch.Attempts,
            new DispatchOutcome.Retry("The previous attempt was interrupted before an answer was recorded."), now, jitterSample);
        return decision with { Events = [interrupted, .. decision.Events] };
    }

    private static ExecutionRecord Decide(Dispatch dispatch, RouteDefinition route, int attempt, DispatchOutcome outcome,
        DateTimeOffset now, double jitterSample) => outcome switch
    {
        DispatchOutcome.Succeeded => new ExecutionRecord([new DispatchSucceeded(dispatch.Id, attempt, now)]),
        DispatchOutcome.Failed f => new ExecutionRecord([new DispatchFailed(dispatch.Id, attempt, f.Type, f.Reason, now)]),
        DispatchOutcome.Unknown u => new ExecutionRecord([new DispatchOutcomeUnknown(dispatch.Id, attempt, u.Reason, now)]),
        DispatchOutcome.Retry r => ScheduleRetry(dispatch, route.Backoff ?? new Backoff(), attempt, r, now, jitterSample),
        _ => throw new ArgumentOutOfRangeException(nameof(outcome))
    };

    private static ExecutionRecord ScheduleRetry(Dispatch dispatch, Backoff backoff, int attempt, DispatchOutcome.Retry retry,
        DateTimeOffset now, double jitterSample)
    {
        var attemptInRun = attempt - dispatch.AttemptsBeforeRun;
        if (attemptInRun >= backoff.MaxAttempts)
            return new ExecutionRecord([new DispatchDeadLettered(dispatch.Id, attempt,
                $"{retry.Reason} Gave up after {attemptInRun} attempt(s).", now)]);

        var next = now + (retry.RequestedDelay ?? BackoffDelay(backoff, Math.Max(attemptInRun, 1), jitterSample));
        if (next - dispatch.RunStartedAt > XmlConvert.ToTimeSpan(backoff.Budget))
            return new ExecutionRecord([new DispatchDeadLettered(dispatch.Id, attempt,
                $"{retry.Reason} The next attempt would fall outside the retry budget of {backoff.Budget}.", now)]);

        return new ExecutionRecord([new DispatchRetryScheduled(dispatch.Id, attempt, next, retry.Reason, now)], next, attempt + 1);
    }

    /// <summary>
    /// Exponential: initial × 2^(attempt−1); fixed: initial. With jitter the delay is drawn from
    /// [½, 1] of that, so retries from many dispatches spread out but never come early.
    /// </summary>
    public static TimeSpan BackoffDelay(Backoff backoff, int attempt, double jitterSample)
    {
        var initial = XmlConvert.ToTimeSpan(backoff.Initial);
        var delay = backoff.Strategy == "fixed" ? initial : initial * Math.Pow(2, Math.Min(attempt - 1, 30));
        return backoff.Jitter ? delay * (0.5 + 0.5 * Math.Clamp(jitterSample, 0, 1)) : delay;
    }

    /// <summary>The route or payload could not produce a request: nothing was sent.</summary>
    public static ExecutionRecord RecordRenderFailure(Dispatch dispatch, TemplateException error, DateTimeOffset now) =>
        RecordFailureBeforeSending(dispatch, FailureType.Render, $"{error.TemplatePath}: {error.Message}", now);

    /// <summary>
    /// The provider's token endpoint failed before any call: a provider fault (unreachable, 5xx)
    /// is retried like one without counting as an attempt; a refusal fails as configuration.
    /// </summary>
    public static ExecutionRecord RecordTokenFailure(Dispatch dispatch, RouteDefinition route, FailureType type, string reason,
        DateTimeOffset now, double jitterSample) =>
        type == FailureType.Provider
            ? Decide(dispatch, route, dispatch.Attempts, new DispatchOutcome.Retry(reason), now, jitterSample)
            : RecordFailureBeforeSending(dispatch, type, reason, now);

    /// <summary>The dispatch cannot be sent at all (no connection, no token): nothing reached the provider.</summary>
    public static ExecutionRecord RecordFailureBeforeSending(Dispatch dispatch, FailureType type, string reason, DateTimeOffset now) =>
        new([new DispatchFailed(dispatch.Id, dispatch.Attempts, type, reason, now)]);
}
