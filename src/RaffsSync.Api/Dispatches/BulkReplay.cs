using Marten;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using RaffsSync.Api.Access;
using RaffsSync.Api.Infrastructure.Http;
using RaffsSync.Api.Infrastructure.OpenApi;
using RaffsSync.Domain;
using RaffsSync.Domain.Access;
using RaffsSync.Domain.Dispatches;
using RaffsSync.Domain.Registry;
using Wolverine;
using Wolverine.Http;
using Wolverine.Marten;
using Route = RaffsSync.Domain.Registry.Route;

namespace RaffsSync.Api.Dispatches;

/// <summary>Works through the next batch of a bulk replay job.</summary>
public sealed record RunReplayJob(Guid JobId);

/// <summary>A bulk replay job and its progress.</summary>
/// <param name="Id">The job's id.</param>
/// <param name="Status"><c>running</c>, then <c>completed</c>, <c>cancelled</c> or <c>failed</c>.</param>
/// <param name="RouteVersion"><c>pinned</c> or <c>current</c>: the route version each replay runs.</param>
/// <param name="Reason">Why the dispatches are replayed, as given.</param>
/// <param name="Replayed">Dispatches replayed so far.</param>
/// <param name="Skipped">Dispatches selected but not replayed: already replayed or changed since the job started, or their route is not enabled or handles pushed events (with <c>current</c>).</param>
/// <param name="Batches">Batches worked through so far.</param>
/// <param name="StartedAt">When the job started; only dispatches whose run began before it are replayed.</param>
/// <param name="FinishedAt">When the job stopped, for any reason.</param>
/// <param name="Failure">Why the job failed, if it did.</param>
public sealed record ReplayJobView(
    Guid Id, string Status, string RouteVersion, string Reason, int Replayed, int Skipped, int Batches,
    DateTimeOffset StartedAt, DateTimeOffset? FinishedAt, string? Failure)
{
    public static ReplayJobView From(ReplayJob job) =>
        new(job.Id, job.Status, job.Mode, job.Reason, job.Replayed, job.Skipped, job.Batches, job.StartedAt, job.FinishedAt, job.Failure);
}

/// <summary>The query string of a bulk replay: the list's filters, without paging or sort.</summary>
public sealed class BulkReplayQuery : IQueryContract
{
    public static IReadOnlyList<QueryParameter> Parameters => DispatchListQuery.Filters;
}

/// <summary>
/// <c>POST /api/v1/dispatches/replay?filter[...]</c>: replay every unsuccessful dispatch the list
/// filters select, as an asynchronous job that can be polled and cancelled.
/// </summary>
public static class StartBulkReplayEndpoint
{
    public static ProblemDetails Validate(ReplayDispatch command, HttpRequest request)
    {
        var problems = DispatchListQuery.Parse(request.Query, BulkReplayQuery.Parameters).Errors.ToList();
        if (command.RouteVersion is not null && !DispatchCommands.ReplayModes.Contains(command.RouteVersion))
            problems.Add(new ProblemDetail("route_version", "invalid", "'pinned' or 'current'"));
        if (string.IsNullOrWhiteSpace(command.Reason)) problems.Add(new ProblemDetail("reason", "required", "say why, for the record"));
        return problems.Count > 0 ? ApiProblems.Validation([.. problems]) : WolverineContinue.NoProblems;
    }

    /// <summary>Replay dispatches in bulk</summary>
    /// <remarks>
    /// Starts a job that replays every unsuccessful dispatch (<c>failed</c>, <c>dead_lettered</c>, <c>outcome_unknown</c> or
    /// <c>cancelled</c>) the filters in the query string select, among the locations the caller may see, as a single replay would.
    /// Answers 202 with the job; follow its <c>Location</c> for progress, and cancel it there. Only dispatches whose current run
    /// began before the job started are replayed, each at most once, even by jobs running at the same time.
    /// </remarks>
    [Authorize(Policy = Scopes.DispatchesWrite)]
    [QueryString<BulkReplayQuery>]
    [WolverinePost("/api/v1/dispatches/replay", OperationId = "replayDispatches")]
    public static (Accepted<ReplayJobView>, IStartStream, OutgoingMessages) Post(ReplayDispatch command, HttpRequest request, Caller caller,
        TimeProvider clock)
    {
        var filter = DispatchListQuery.Parse(request.Query, BulkReplayQuery.Parameters).Query;
        var started = new ReplayJobStarted(Guid.CreateVersion7(), filter.ForCaller(caller), command.RouteVersion ?? "pinned",
            command.Reason!, clock.GetUtcNow());

        return (TypedResults.Accepted(ResourcePath.Of("dispatches", "replay-jobs", started.JobId), ReplayJobView.From(ReplayJob.Create(started))),
            MartenOps.StartStream<ReplayJob>(started.JobId, started),
            [new RunReplayJob(started.JobId)]);
    }
}

public static class ReplayJobAccess
{
    public const string JobPath = "/api/v1/dispatches/replay-jobs/{jobId}";

    /// <summary>A job is visible to the caller who may see all of its locations (internal callers see every job).</summary>
    public static bool CanSee(this Caller caller, ReplayJob job) =>
        caller.Class == CallerClass.Internal || job.Filter.Tenants is { } tenants && tenants.All(caller.CanAccess);

    public static ProblemDetails NotFound(Guid jobId) => ApiProblems.Create(404, "not_found", $"Replay job '{jobId}' was not found.");
}

public static class GetReplayJobEndpoint
{
    /// <summary>Get a bulk replay job</summary>
    /// <remarks>
    /// The job's status and how many dispatches it has replayed and skipped so far. A job is visible to callers who may see
    /// every location it covers; any other is 404.
    /// </remarks>
    [Authorize(Policy = Scopes.DispatchesRead)]
    [WolverineGet(ReplayJobAccess.JobPath, OperationId = "getReplayJob")]
    public static async Task<Results<Ok<ReplayJobView>, ProblemHttpResult>> Get(Guid jobId, IQuerySession session, Caller caller,
        CancellationToken cancellation) =>
        await session.LoadAsync<ReplayJob>(jobId, cancellation) is { } job && caller.CanSee(job)
            ? TypedResults.Ok(ReplayJobView.From(job))
            : TypedResults.Problem(ReplayJobAccess.NotFound(jobId));
}

public static class CancelReplayJobEndpoint
{
    public static ProblemDetails Validate(Guid jobId, ReplayJob? job, Caller caller)
    {
        if (job is null || !caller.CanSee(job)) return ReplayJobAccess.NotFound(jobId);
        return job.IsRunning ? WolverineContinue.NoProblems : ApiProblems.Create(409, "conflict", $"The replay job is already {job.Status}.");
    }

    /// <summary>Cancel a bulk replay job</summary>
    /// <remarks>
    /// Stops a running job: no further batch starts, and the dispatches it has replayed so far stay replayed. Answers the job,
    /// now <c>cancelled</c>. A job that has already stopped is 409 <c>conflict</c>.
    /// </remarks>
    // Locked, so a batch committing meanwhile is the one that yields and retries; a write racing this one is 409 version_conflict.
    [Authorize(Policy = Scopes.DispatchesWrite)]
    [WolverinePost(ReplayJobAccess.JobPath + "/cancel", OperationId = "cancelReplayJob")]
    [ProblemResponses(409)]
    public static (Ok<ReplayJobView>, Events) Post(Guid jobId,
        [WriteAggregate("jobId", Required = false, LoadStyle = ConcurrencyStyle.Exclusive)] ReplayJob job, TimeProvider clock)
    {
        var cancelled = new ReplayJobCancelled(jobId, clock.GetUtcNow());
        return (TypedResults.Ok(ReplayJobView.From(job.Apply(cancelled))), [cancelled]);
    }
}

/// <summary>
/// One batch at a time: replays the next dispatches the job's filter selects (oldest first, only
/// those whose current run began before the job), records progress, and queues the next batch.
/// Jobs running at the same time over overlapping filters replay each dispatch once between them:
/// every dispatch is locked and decided again as it stands (one another job or a single replay has
/// just replayed began its run after this job started, and counts as skipped). A batch that loses a
/// race or meets a database failure is rolled back whole and retried; the job's own stream is
/// appended at the version read, so a batch never counts twice.
/// </summary>
public static class RunReplayJobHandler
{
    public const int BatchSize = 100;

    /// <summary>
    /// The job comes through Wolverine's aggregate workflow (its events are appended at the version read);
    /// the dispatches it replays are other streams, in other locations, each locked as it is decided.
    /// </summary>
    public static async Task<(Events, OutgoingMessages)> Handle(RunReplayJob command,
        [WriteAggregate(nameof(RunReplayJob.JobId), Required = false)] ReplayJob? job, IDocumentSession session, TimeProvider clock,
        CancellationToken cancellation)
    {
        if (job is not { IsRunning: true }) return ([], []);

        var query = DispatchQueries.Matching(session.Query<Dispatch>(), job.Filter, job.Filter.ReplayableStatuses)
            .Where(d => d.RunStartedAt < job.StartedAt);
        if (job.ResumeAfter is { } after)
        {
            var seen = job.IdsAtResumePoint;
            query = query.Where(d => d.CreatedAt > after || (d.CreatedAt == after && !seen.Contains(d.Id)));
        }
        var batch = await query.OrderBy(d => d.CreatedAt).ThenBy(d => d.Id).Take(BatchSize).ToListAsync(cancellation);

        var now = clock.GetUtcNow();
        if (batch.Count == 0) return ([new ReplayJobCompleted(job.Id, now)], []);

        var messages = new OutgoingMessages();
        var routes = new Dictionary<Guid, Route?>();
        var replayed = 0;
        // Locked in one order (creation, then id) by every job, so two jobs never wait on each other in a circle.
        foreach (var found in batch)
        {
            var routeId = RegistryIds.Route(found.Provider, found.RouteKey);
            if (!routes.TryGetValue(routeId, out var route))
                routes[routeId] = route = await session.LoadAsync<Route>(routeId, cancellation);
            if (job.Mode == "current" && (route is not { Enabled: true } || route.Current.IsInbound)) continue;

            var stream = await DispatchCommandEndpoints.LockAsync(session, found, cancellation);
            if (stream.Aggregate is not { } dispatch || dispatch.RunStartedAt >= job.StartedAt) continue;
            if (DispatchCommands.Replay(dispatch, job.Mode, route?.CurrentVersion ?? dispatch.RouteVersion, job.Reason, now)
                is not Decision.Append accept) continue;

            stream.AppendMany(accept.Events.ToArray());
            messages.Add(new ExecuteDispatch(dispatch.Id, dispatch.Attempts + 1).WithTenantId(dispatch.TenantId));
            replayed++;
        }

        messages.Add(new RunReplayJob(job.Id)); // the next batch, or the completion when none is left
        return ([job.Progress(batch.Select(d => (d.CreatedAt, d.Id)).ToList(), replayed, batch.Count - replayed, now)], messages);
    }
}
