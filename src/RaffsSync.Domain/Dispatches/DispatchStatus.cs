namespace RaffsSync.Domain.Dispatches;

public enum DispatchStatus
{
    Accepted,
    InProgress,
    RetryScheduled,
    Succeeded,
    Failed,
    DeadLettered,
    /// <summary>A write timed out: the provider may or may not have done it. Needs a look before a replay.</summary>
    OutcomeUnknown,
    Cancelled
}

public static class DispatchStatusExtensions
{
    public static bool IsFinal(this DispatchStatus status) =>
        status is DispatchStatus.Succeeded or DispatchStatus.Failed or DispatchStatus.DeadLettered
            or DispatchStatus.OutcomeUnknown or DispatchStatus.Cancelled;
}
