namespace RaffsSync.Domain.Dispatches;

public enum DispatchStatus
{
    Accepted,
    InProgress,
    RetryScheduled,
    Succeeded,
    Failed,
    DeadLettered,
    Cancelled
}

public static class DispatchStatusExtensions
{
    public static bool IsFinal(this DispatchStatus status) =>
        status is DispatchStatus.Succeeded or DispatchStatus.Failed
            or DispatchStatus.DeadLettered or DispatchStatus.Cancelled;
}
