namespace RaffsSync.Domain.Dispatches;

/// <summary>
/// Pure decisions for dispatches whose execute message was lost (a database outage, a message
/// dead-lettered by the executor): every accepted dispatch must still reach a final status.
/// </summary>
public static class DispatchRecovery
{
    /// <summary>The statuses in which a dispatch waits for an execute message.</summary>
    public static readonly IReadOnlyList<DispatchStatus> Waiting =
        [DispatchStatus.Accepted, DispatchStatus.RetryScheduled, DispatchStatus.InProgress];

    /// <summary>
    /// The attempt to queue again for a dispatch that has waited longer than <paramref name="staleAfter"/>
    /// with no execute message left; null when it is not waiting, or not for long enough. An attempt
    /// in progress is queued again under its own number, which the executor counts as interrupted.
    /// </summary>
    public static DispatchRequeued? Requeue(Dispatch dispatch, DateTimeOffset now, TimeSpan staleAfter)
    {
        var cutoff = now - staleAfter;
        return dispatch.Status switch
        {
            DispatchStatus.Accepted when dispatch.UpdatedAt <= cutoff =>
                new DispatchRequeued(dispatch.Id, dispatch.Attempts + 1, "Accepted, but no execute message was left.", now),
            DispatchStatus.RetryScheduled when dispatch.NextAttemptAt <= cutoff =>
                new DispatchRequeued(dispatch.Id, dispatch.Attempts + 1,
                    $"The retry due at {dispatch.NextAttemptAt:u} had no execute message left.", now),
            DispatchStatus.InProgress when dispatch.UpdatedAt <= cutoff =>
                new DispatchRequeued(dispatch.Id, dispatch.Attempts,
                    $"Attempt {dispatch.Attempts} was in progress, but no executor was working on it.", now),
            _ => null
        };
    }

    /// <summary>
    /// The executor itself kept failing (not the provider) and its message went to the dead letters:
    /// the dispatch stops with the reason, so its status is final and a replay can run it again.
    /// </summary>
    public static DispatchDeadLettered? ExecutorGaveUp(Dispatch dispatch, string cause, DateTimeOffset now) =>
        dispatch.Status.IsFinal()
            ? null
            : new DispatchDeadLettered(dispatch.Id, dispatch.Attempts,
                $"The executor kept failing ({cause}); its message was moved to the dead letters.", now);
}
