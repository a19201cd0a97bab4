using System.Diagnostics;
using Marten;
using JasperFx.Events;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using RaffsSync.Api.Access;
using RaffsSync.Api.Infrastructure.Http;
using RaffsSync.Domain;
using RaffsSync.Domain.Access;
using RaffsSync.Domain.Dispatches;
using RaffsSync.Domain.Registry;
using Wolverine;
using Wolverine.Http;
using Route = RaffsSync.Domain.Registry.Route;

namespace RaffsSync.Api.Dispatches;

public sealed record ReplayDispatch(string? RouteVersion, string? Reason);

public sealed record CancelDispatch(string? Reason);

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
        return WolverineContinue.NoProblems;
    }

    [Authorize(Policy = Scopes.DispatchesWrite)]
    [WolverinePost("/api/v1/dispatches/{id}/replay")]
    public static (IResult, OutgoingMessages) Post(ReplayDispatch command, DispatchToChange target, TimeProvider clock)
    {
        var dispatch = target.Dispatch;
        var decision = DispatchCommands.Replay(dispatch, command.RouteVersion ?? "pinned",
            target.Route?.CurrentVersion ?? dispatch.RouteVersion, command.Reason!, clock.GetUtcNow());
        switch (decision)
        {
            case Decision.Append { Events: var events }:
                target.Stream.AppendMany(events);
                return (Results.Accepted(ResourcePath.Of("dispatches", dispatch.Id), DispatchView.From(dispatch.After(events))),
                    [new ExecuteDispatch(dispatch.Id, dispatch.Attempts + 1).WithTenantId(dispatch.TenantId)]);
            case Decision.Conflict conflict:
                return (ProblemResults.Conflict(conflict), []);
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

    [Authorize(Policy = Scopes.DispatchesWrite)]
    [WolverinePost("/api/v1/dispatches/{id}/cancel")]
    public static IResult Post(CancelDispatch command, DispatchToChange target, TimeProvider clock)
    {
        var dispatch = target.Dispatch;
        var decision = DispatchCommands.Cancel(dispatch, command.Reason ?? "cancelled by the caller", clock.GetUtcNow());
        switch (decision)
        {
            case Decision.Append { Events: var events }:
                target.Stream.AppendMany(events);
                return Results.Ok(DispatchView.From(dispatch.After(events)));
            case Decision.Conflict conflict:
                return ProblemResults.Conflict(conflict);
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
}
