namespace RaffsSync.Domain.Webhooks;

/// <summary>What one attempt got back: an answer with its status, or none (refused, timed out, not allowed).</summary>
public abstract record WebhookAttemptResult(long LatencyMs)
{
    public sealed record Answered(int StatusCode, string Body, bool Truncated, TimeSpan? RetryAfter, long LatencyMs) : WebhookAttemptResult(LatencyMs);

    public sealed record NoAnswer(string Error, long LatencyMs) : WebhookAttemptResult(LatencyMs);

    /// <summary>Not sent: the endpoint's address is one webhooks may not reach. Retrying cannot help.</summary>
    public sealed record Refused(string Error, long LatencyMs) : WebhookAttemptResult(LatencyMs);
}

/// <summary>The events one attempt appends, when the next one is due, and whether the endpoint said it is gone for good (410).</summary>
public sealed record WebhookAttemptRecord(IReadOnlyList<IWebhookDeliveryEvent> Events, DateTimeOffset? RetryAt, bool EndpointGone)
{
    public bool Succeeded => Events.Any(e => e is WebhookDelivered);
    public bool IsFinal => RetryAt is null;
}

public static class WebhookDeliveryDecisions
{
    /// <summary>
    /// Only a 2xx is a success (a redirect is not followed, so 3xx fails like any other answer). 410 Gone stops the message
    /// and tells the caller to disable the endpoint; an address webhooks may not reach stops it too. Anything else is retried on the schedule (429 and 503 no sooner than
    /// their Retry-After) until the current run of the schedule is used up.
    /// </summary>
    public static WebhookAttemptRecord RecordAttempt(WebhookDelivery delivery, int attempt, WebhookAttemptResult result,
        WebhookRetrySchedule schedule, DateTimeOffset now, double jitterSample)
    {
        var attempted = result switch
        {
            WebhookAttemptResult.Answered a => new WebhookAttempted(delivery.Id, attempt, a.StatusCode, a.LatencyMs, a.Body, a.Truncated, null, now),
            WebhookAttemptResult.NoAnswer n => new WebhookAttempted(delivery.Id, attempt, null, n.LatencyMs, null, false, n.Error, now),
            WebhookAttemptResult.Refused r => new WebhookAttempted(delivery.Id, attempt, null, r.LatencyMs, null, false, r.Error, now),
            _ => throw new ArgumentOutOfRangeException(nameof(result))
        };

        if (result is WebhookAttemptResult.Refused refused)
            return new([attempted, new WebhookDeliveryFailed(delivery.Id, attempt, refused.Error, now)], null, false);

        if (result is WebhookAttemptResult.Answered { StatusCode: >= 200 and < 300 })
            return new([attempted, new WebhookDelivered(delivery.Id, attempt, now)], null, false);

        if (result is WebhookAttemptResult.Answered { StatusCode: 410 })
            return new([attempted, new WebhookDeliveryFailed(delivery.Id, attempt, "the endpoint answered 410 Gone", now)], null, true);

        var reason = result switch
        {
            WebhookAttemptResult.Answered a => $"the endpoint answered {a.StatusCode}",
            WebhookAttemptResult.NoAnswer n => n.Error,
            _ => "no answer"
        };
        var retryAfter = result is WebhookAttemptResult.Answered { StatusCode: 429 or 503, RetryAfter: { } asked } ? asked : (TimeSpan?)null;
        var attemptInRun = attempt - delivery.AttemptsBeforeRun;
        if (schedule.After(attemptInRun, jitterSample, retryAfter) is not { } wait)
            return new([attempted, new WebhookDeliveryFailed(delivery.Id, attempt, $"{reason}; all {schedule.MaxAttempts} attempts failed", now)],
                null, false);

        var at = now + wait;
        return new([attempted, new WebhookRetryScheduled(delivery.Id, attempt, at, reason, now)], at, false);
    }

    /// <summary>Whether attempt <paramref name="attempt"/> is the one due now: a message for any other is stale and does nothing.</summary>
    public static bool IsDue(WebhookDelivery delivery, int attempt) => !delivery.IsFinal && delivery.Attempts == attempt - 1;
}
