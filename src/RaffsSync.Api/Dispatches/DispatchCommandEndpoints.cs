using System.ComponentModel.DataAnnotations;
using System.Diagnostics;
using Marten;
using JasperFx.Events;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using RaffsSync.Api.Access;
using RaffsSync.Api.Infrastructure.Http;
using RaffsSync.Api.Infrastructure.OpenApi;
using RaffsSync.Api.Registry;
using RaffsSync.Domain;
using RaffsSync.Domain.Access;
using RaffsSync.Domain.Dispatches;
using RaffsSync.Domain.Registry;
using Wolverine;
using Wolverine.Http;
using Route = RaffsSync.Domain.Registry.Route;

namespace RaffsSync.Api.Dispatches;

// Defaults mark what may be left out: the document derives required fields from constructor parameters without one.
/// <summary>How to run a dispatch again, and why.</summary>
/// <param name="RouteVersion"><c>pinned</c> (the default) runs the version the dispatch was pinned to; <c>current</c> runs the route's current version, which must be enabled.</param>
/// <param name="Reason">Why it is replayed, for the record.</param>
public sealed record ReplayDispatch(
    [property: MaxLength(IdentifierLimits.Id), RegularExpression("^(pinned|current)$")] string? RouteVersion = null,
    [property: Required, MaxLength(IdentifierLimits.Reason)] string? Reason = null) : IExample<ReplayDispatch>
{
    public static ReplayDispatch Example { get; } = new("current", "The provider fixed its outage; the route's new version maps the tax field.");
}

/// <summary>Why a dispatch is cancelled.</summary>
/// <param name="Reason">For the record; <c>cancelled by the caller</c> when absent.</param>
public sealed record CancelDispatch([property: MaxLength(IdentifierLimits.Reason)] string? Reason = null) : IExample<CancelDispatch>
{
    public static CancelDispatch Example { get; } = new("The customer withdrew the order.");
}

/// <summary>A dispatch's stream, locked, and its route (the current version a replay may take).</summary>
public sealed record DispatchToChange(IEventStream<Dispatch> Stream, Route? Route)
{
    public Dispatch Dispatch => Stream.Aggregate!;
}

/// <summary>Runs an unsuccessful dispatch again, with the pinned or the current route version.</summary>
public static class ReplayDispatchEndpoint
{
    public static Task<DispatchToChange?> LoadAsync(string id, IDocumentSession session, Caller caller, CancellationToken cancellation) =>
        DispatchCommandEndpoints.LoadAsync(id, session, caller, cancellation);

    public static ProblemDetails Validate(string id, ReplayDispatch command, DispatchToChange? target)
    {
        if (target is null) return DispatchAccess.NotFoundProblem(id);
        if (!DispatchCommands.ReplayModes.Contains(command.RouteVersion ?? "pinned"))
            return ApiProblems.Validation([new("route_version", "invalid", "'pinned' or 'current'")]);
        if (string.IsNullOrWhiteSpace(command.Reason))
            return ApiProblems.Validation([new("reason", "required", "say why, for the record")]);
        if (command.RouteVersion == "current" && target.Route is not { Enabled: true })
            return ApiProblems.Create(422, "route_disabled",
                $"Route '{target.Dispatch.Provider}/{target.Dispatch.RouteKey}' is not enabled; its current version cannot run.");
        if (command.RouteVersion == "current" && target.Route!.Current.IsInbound)
            return RegistryProblems.RouteInboundOnly(target.Dispatch.Provider, target.Dispatch.RouteKey);
        return WolverineContinue.NoProblems;
    }

    /// <summary>Replay a dispatch</summary>
    /// <remarks>
    /// Runs a dispatch that ended without success (<c>failed</c>, <c>dead_lettered</c>, <c>outcome_unknown</c> or <c>cancelled</c>)
    /// again, with a fresh retry budget; attempt numbers continue. Answers 202 with the dispatch, now <c>accepted</c>; poll
    /// the <c>Location</c> as for a new one. A dispatch that succeeded or has not finished is 409 <c>conflict</c>; replaying with
    /// <c>current</c> while the route is disabled is 422 <c>route_disabled</c>, and while its current version handles pushed
    /// events 422 <c>route_inbound_only</c>.
    /// </remarks>
    [Authorize(Policy = Scopes.DispatchesWrite)]
    [WolverinePost("/api/v1/dispatches/{id}/replay", OperationId = "replayDispatch")]
    [ProblemResponses(409, 422)]
    public static (Results<Accepted<DispatchView>, ProblemHttpResult>, OutgoingMessages) Post(ReplayDispatch command, DispatchToChange target,
        TimeProvider clock)
    {
        var dispatch = target.Dispatch;
        var decision = DispatchCommands.Replay(dispatch, command.RouteVersion ?? "pinned",
            target.Route?.CurrentVersion ?? dispatch.RouteVersion, command.Reason!, clock.GetUtcNow());
        switch (decision)
        {
            case Decision.Append { Events: var events }:
                target.Stream.AppendMany(events);
                return (TypedResults.Accepted(ResourcePath.Of("dispatches", dispatch.Id), DispatchView.From(dispatch.After(events))),
                    [new ExecuteDispatch(dispatch.Id, dispatch.Attempts + 1).WithTenantId(dispatch.TenantId)]);
            case Decision.Conflict conflict:
                return (DispatchCommandEndpoints.Conflict(conflict), []);
            default:
                throw new UnreachableException();
        }
    }
}

/// <summary>Cancels a dispatch that is waiting (accepted or between retries).</summary>
public static class CancelDispatchEndpoint
{
    public static Task<DispatchToChange?> LoadAsync(string id, IDocumentSession session, Caller caller, CancellationToken cancellation) =>
        DispatchCommandEndpoints.LoadAsync(id, session, caller, cancellation);

    public static ProblemDetails Validate(string id, DispatchToChange? target) =>
        target is null ? DispatchAccess.NotFoundProblem(id) : WolverineContinue.NoProblems;

    /// <summary>Cancel a dispatch</summary>
    /// <remarks>
    /// Cancels a dispatch that is waiting: <c>accepted</c>, or <c>retry_scheduled</c> between attempts. Answers the dispatch, now
    /// <c>cancelled</c>; it can be replayed later. While an attempt is in flight (<c>in_progress</c>), or once the dispatch has
    /// finished, it is 409 <c>conflict</c>.
    /// </remarks>
    [Authorize(Policy = Scopes.DispatchesWrite)]
    [WolverinePost("/api/v1/dispatches/{id}/cancel", OperationId = "cancelDispatch")]
    [ProblemResponses(409)]
    public static Results<Ok<DispatchView>, ProblemHttpResult> Post(CancelDispatch command, DispatchToChange target, TimeProvider clock)
    {
        var dispatch = target.Dispatch;
        var decision = DispatchCommands.Cancel(dispatch, command.Reason ?? "cancelled by the caller", clock.GetUtcNow());
        switch (decision)
        {
            case Decision.Append { Events: var events }:
                target.Stream.AppendMany(events);
                return TypedResults.Ok(DispatchView.From(dispatch.After(events)));
            case Decision.Conflict conflict:
                return DispatchCommandEndpoints.Conflict(conflict);
            default:
                throw new UnreachableException();
        }
    }
}

/// <summary>
/// Replay and cancel, and bulk replay, load the dispatch's stream here, not through Wolverine's
/// <c>[WriteAggregate]</c>: Wolverine opens the session for the request's tenant, and a dispatch's
/// location (its stream's tenant) is only known once its id has been looked up across locations.
/// </summary>
public static class DispatchCommandEndpoints
{
    /// <summary>The dispatch (locked) if the caller may see it; null answers 404 before anything about the request is judged.</summary>
    public static async Task<DispatchToChange?> LoadAsync(string id, IDocumentSession session, Caller caller,
        CancellationToken cancellation)
    {
        if (await DispatchAccess.FindAsync(session, id, caller, cancellation) is not { } found) return null;
        var route = await session.LoadAsync<Route>(RegistryIds.Route(found.Provider, found.RouteKey), cancellation);
        return new DispatchToChange(await LockAsync(session, found, cancellation), route);
    }

    /// <summary>
    /// The dispatch's stream in its location, locked until the commit and read after the lock: a
    /// second replay or cancel of the same dispatch waits, then decides on what the first one did
    /// (409 <c>conflict</c>); an executor writing meanwhile makes the commit fail rather than interleave.
    /// </summary>
    internal static async Task<IEventStream<Dispatch>> LockAsync(IDocumentSession session, Dispatch dispatch, CancellationToken cancellation)
    {
        // The transaction first, on the session itself: a location's session begun on its own would
        // take the lock on a connection of its own, and the commit on another would wait for it forever.
        await session.BeginTransactionAsync(cancellation);
        return await session.ForTenant(dispatch.TenantId).Events.FetchForExclusiveWriting<Dispatch>(dispatch.Id, cancellation);
    }

    public static ProblemHttpResult Conflict(Decision.Conflict conflict) =>
        TypedResults.Problem(ApiProblems.Create(409, conflict.Code, conflict.Message));
}
