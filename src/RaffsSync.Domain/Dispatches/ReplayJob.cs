namespace RaffsSync.Domain.Dispatches;

/// <summary>The list filters, limited to the locations the caller may see (null: all); also what a bulk replay covers.</summary>
public sealed record DispatchFilter(
    IReadOnlyList<string>? Tenants,
    IReadOnlyList<DispatchStatus> Statuses,
    IReadOnlyList<string> Providers,
    IReadOnlyList<string> RouteKeys,
    DateTimeOffset? CreatedFrom,
    DateTimeOffset? CreatedBefore,
    IReadOnlyList<int>? RouteVersions = null)
{
    public static readonly IReadOnlyList<DispatchStatus> Replayable =
        [DispatchStatus.Failed, DispatchStatus.DeadLettered, DispatchStatus.OutcomeUnknown, DispatchStatus.Cancelled];

    /// <summary>The statuses to look for: those asked for that can be replayed, or all that can.</summary>
    public IReadOnlyList<DispatchStatus> ReplayableStatuses =>
        Statuses.Count == 0 ? Replayable : Statuses.Where(Replayable.Contains).ToList();
}

public sealed record ReplayJobStarted(Guid JobId, DispatchFilter Filter, string Mode, string Reason, DateTimeOffset StartedAt);

/// <summary>One batch done. <see cref="ResumeAfter"/> and <see cref="IdsAtResumePoint"/> are where the next batch starts.</summary>
public sealed record ReplayJobProgressed(
    Guid JobId,
    int Replayed,
    int Skipped,
    DateTimeOffset ResumeAfter,
    IReadOnlyList<Guid> IdsAtResumePoint,
    DateTimeOffset At);

public sealed record ReplayJobCompleted(Guid JobId, DateTimeOffset CompletedAt);

public sealed record ReplayJobCancelled(Guid JobId, DateTimeOffset CancelledAt);

/// <summary>A batch kept failing (not a lost race, which is retried): the job stops, having replayed what its counts say.</summary>
public sealed record ReplayJobFailed(Guid JobId, string Reason, DateTimeOffset FailedAt);

/// <summary>A bulk replay: a filter walked in batches of dispatches created before the job started, oldest first.</summary>
public sealed record ReplayJob
{
    public Guid Id { get; init; }
    public DispatchFilter Filter { get; init; } = null!;
    public string Mode { get; init; } = "pinned";
    public string Reason { get; init; } = "";
    public string Status { get; init; } = "running";
    public int Replayed { get; init; }
    public int Skipped { get; init; }
    public int Batches { get; init; }
    public DateTimeOffset? ResumeAfter { get; init; }
    public IReadOnlyList<Guid> IdsAtResumePoint { get; init; } = [];
    public DateTimeOffset StartedAt { get; init; }
    public DateTimeOffset? FinishedAt { get; init; }
    public string? Failure { get; init; }

    public bool IsRunning => Status == "running";

    public static ReplayJob Create(ReplayJobStarted e) => new()
    {
        Id = e.JobId, Filter = e.Filter, Mode = e.Mode, Reason = e.Reason, StartedAt = e.StartedAt
    };

    public ReplayJob Apply(ReplayJobProgressed e) => this with
    {
        Replayed = Replayed + e.Replayed,
        Skipped = Skipped + e.Skipped,
        Batches = Batches + 1,
        ResumeAfter = e.ResumeAfter,
        IdsAtResumePoint = e.IdsAtResumePoint
    };

    public ReplayJob Apply(ReplayJobCompleted e) => this with { Status = "completed", FinishedAt = e.CompletedAt };

    public ReplayJob Apply(ReplayJobCancelled e) => this with { Status = "cancelled", FinishedAt = e.CancelledAt };

    public ReplayJob Apply(ReplayJobFailed e) => this with { Status = "failed", FinishedAt = e.FailedAt, Failure = e.Reason };

    /// <summary>The handler of a batch gave up: a running job fails with the cause, so its status is final.</summary>
    public ReplayJobFailed? GiveUp(string cause, DateTimeOffset now) =>
        IsRunning ? new ReplayJobFailed(Id, $"A batch kept failing ({cause}); the job stopped.", now) : null;

    /// <summary>Where the next batch starts, given the dispatches (creation time, id) this batch covered.</summary>
    public ReplayJobProgressed Progress(IReadOnlyList<(DateTimeOffset CreatedAt, Guid Id)> batch, int replayed, int skipped, DateTimeOffset now)
    {
        var last = batch.Max(d => d.CreatedAt);
        var idsAtLast = batch.Where(d => d.CreatedAt == last).Select(d => d.Id);
        if (ResumeAfter == last) idsAtLast = idsAtLast.Concat(IdsAtResumePoint);
        return new ReplayJobProgressed(Id, replayed, skipped, last, idsAtLast.Distinct().ToList(), now);
    }
}
