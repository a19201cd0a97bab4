using System.Text.Json;
using RaffsSync.Domain.Dispatches;
using RaffsSync.Domain.Registry;
using RaffsSync.Domain.Templates;

namespace RaffsSync.Domain.Tests;

public sealed class DispatchRecoveryTests
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 22, 10, 0, 0, TimeSpan.Zero);
    private static readonly TimeSpan Stale = TimeSpan.FromMinutes(1);

    private static Dispatch Accepted() => Dispatch.Start(new DispatchRequested(Guid.NewGuid(), "29", "acme", "orders", 1,
        ProviderEnvironment.Sandbox, JsonDocument.Parse("{}").RootElement, T0));

    private static Dispatch Started(Dispatch d) =>
        d.After(new DispatchAttemptStarted(d.Id, d.Attempts + 1, new RenderedRequest("POST", "http://p", new Dictionary<string, string>(), null), T0));

    [Fact]
    public void an_accepted_dispatch_waiting_past_the_threshold_is_queued_for_its_first_attempt()
    {
        Assert.Null(DispatchRecovery.Requeue(Accepted(), T0 + Stale - TimeSpan.FromSeconds(1), Stale));

        var requeued = DispatchRecovery.Requeue(Accepted(), T0 + Stale, Stale);
        Assert.Equal(1, requeued!.Attempt);
    }

    [Fact]
    public void an_attempt_in_progress_is_queued_under_its_own_number_so_the_executor_counts_it_interrupted()
    {
        var started = Started(Accepted());
        Assert.Equal(1, DispatchRecovery.Requeue(started, T0 + Stale, Stale)!.Attempt);
        Assert.Equal(Admission.RecoverInterrupted, DispatchExecution.Admit(started, 1));
    }

    [Fact]
    public void a_retry_counts_from_when_it_was_due_and_a_requeue_waits_another_threshold()
    {
        var failed = Started(Accepted());
        var retrying = failed.After(new DispatchRetryScheduled(failed.Id, 1, T0 + TimeSpan.FromMinutes(5), "503", T0));
        Assert.Null(DispatchRecovery.Requeue(retrying, T0 + TimeSpan.FromMinutes(5), Stale));

        var requeued = DispatchRecovery.Requeue(retrying, T0 + TimeSpan.FromMinutes(6), Stale)!;
        Assert.Equal(2, requeued.Attempt);

        var accepted = Accepted();
        var once = accepted.After(DispatchRecovery.Requeue(accepted, T0 + Stale, Stale)!);
        Assert.Null(DispatchRecovery.Requeue(once, T0 + Stale + TimeSpan.FromSeconds(1), Stale));
    }

    [Fact]
    public void finished_dispatches_are_never_queued_again_nor_dead_lettered_by_the_executor()
    {
        var dispatch = Started(Accepted());
        var done = dispatch.After(new DispatchSucceeded(dispatch.Id, 1, T0));
        Assert.Null(DispatchRecovery.Requeue(done, T0 + TimeSpan.FromDays(1), Stale));
        Assert.Null(DispatchRecovery.ExecutorGaveUp(done, "NpgsqlException", T0));

        var deadLettered = DispatchRecovery.ExecutorGaveUp(dispatch, "NpgsqlException", T0)!;
        Assert.Contains("NpgsqlException", deadLettered.Reason);
        Assert.Equal(DispatchStatus.DeadLettered, dispatch.After(deadLettered).Status);
    }

    [Fact]
    public void a_running_replay_job_that_gives_up_fails_with_the_cause_and_a_finished_one_stays_as_it_was()
    {
        var job = ReplayJob.Create(new ReplayJobStarted(Guid.NewGuid(), new DispatchFilter(null, [], [], [], null, null), "pinned", "why", T0));
        var failed = job.Apply(job.GiveUp("NullReferenceException", T0)!);
        Assert.Equal("failed", failed.Status);
        Assert.Contains("NullReferenceException", failed.Failure);
        Assert.Null(failed.GiveUp("NullReferenceException", T0));
    }
}
