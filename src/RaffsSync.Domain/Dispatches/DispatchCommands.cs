namespace RaffsSync.Domain.Dispatches;

/// <summary>Pure decisions for what callers ask of an existing dispatch.</summary>
public static class DispatchCommands
{
    public static readonly IReadOnlyList<string> ReplayModes = ["pinned", "current"];

    /// <summary>
    /// Replays a dispatch that ended without success (failed, dead-lettered, outcome unknown or
    /// cancelled), with the version it pinned or the route's current one. A new run starts: a fresh
    /// retry budget, attempt numbers continuing.
    /// </summary>
    public static Decision Replay(Dispatch dispatch, string mode, int currentRouteVersion, string reason, DateTimeOffset now)
    {
        if (dispatch.Status == DispatchStatus.Succeeded)
            return new Decision.Conflict("conflict", "The dispatch succeeded; replaying it would do the work twice.");
        if (!dispatch.Status.IsFinal())
            return new Decision.Conflict("conflict", "The dispatch has not finished yet; cancel it first or wait.");

        var version = mode == "current" ? currentRouteVersion : dispatch.RouteVersion;
        return new Decision.Append([new DispatchReplayRequested(dispatch.Id, version, mode, reason, now)]);
    }

    /// <summary>Cancels a dispatch that is waiting (accepted, or between retries); one mid-call must be waited for.</summary>
    public static Decision Cancel(Dispatch dispatch, string reason, DateTimeOffset now) => dispatch.Status switch
    {
        DispatchStatus.Accepted or DispatchStatus.RetryScheduled =>
            new Decision.Append([new DispatchCancelled(dispatch.Id, reason, now)]),
        DispatchStatus.InProgress =>
            new Decision.Conflict("conflict", "An attempt is in flight; cancel again once it has answered."),
        _ => new Decision.Conflict("conflict", $"The dispatch already finished ({dispatch.Status})."),
    };
}
