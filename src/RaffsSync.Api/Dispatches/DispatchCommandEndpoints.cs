using Marten;
using JasperFx.Events;
using Microsoft.AspNetCore.Authorization;
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

/// <summary>Replay and cancel: events on the dispatch's stream carrying who asked (key id) and why.</summary>
public static class DispatchCommandEndpoints
{
    /// <summary>Runs an unsuccessful dispatch again, with the pinned or the current route version.</summary>
    [Authorize(Policy = Scopes.DispatchesWrite)]
    [WolverinePost("/api/v1/dispatches/{id}/replay")]
    public static async Task<(IResult, OutgoingMessages)> Replay(string id, ReplayDispatch command, IDocumentSession session,
        HttpContext context, TimeProvider clock, CancellationToken cancellation)
    {
        // Another location's dispatch answers 404 before anything about the request is judged.
        if (await DispatchAccess.FindAsync(session, id, Caller.From(context.User), cancellation) is not { } found)
            return (DispatchAccess.NotFound(id), []);

        var mode = command.RouteVersion ?? "pinned";
        if (!DispatchCommands.ReplayModes.Contains(mode))
            return (ProblemResults.Validation([new("route_version", "invalid", "'pinned' or 'current'")]), []);
        if (string.IsNullOrWhiteSpace(command.Reason))
            return (ProblemResults.Validation([new("reason", "required", "say why, for the record")]), []);

        var route = await session.LoadAsync<Route>(RegistryIds.Route(found.Provider, found.RouteKey), cancellation);
        if (mode == "current" && route is not { Enabled: true })
            return (Results.Problem(ApiProblems.Create(422, "route_disabled",
                $"Route '{found.Provider}/{found.RouteKey}' is not enabled; its current version cannot run.")), []);

        var stream = await LockAsync(session, found, cancellation);
        var dispatch = stream.Aggregate!;
        var decision = DispatchCommands.Replay(dispatch, mode, route?.CurrentVersion ?? dispatch.RouteVersion, command.Reason, clock.GetUtcNow());
        if (decision is Decision.Conflict conflict) return (ProblemResults.Conflict(conflict), []);

        var requested = (DispatchReplayRequested)((Decision.Append)decision).Events.Single();
        stream.AppendOne(requested);
        var execute = new OutgoingMessages { new ExecuteDispatch(dispatch.Id, dispatch.Attempts + 1).WithTenantId(dispatch.TenantId) };
        context.Response.Headers.Location = ResourcePath.Of("dispatches", dispatch.Id);
        return (Results.Json(DispatchView.From(dispatch.After(requested)), statusCode: StatusCodes.Status202Accepted), execute);
    }

    /// <summary>Cancels a dispatch that is waiting (accepted or between retries).</summary>
    [Authorize(Policy = Scopes.DispatchesWrite)]
    [WolverinePost("/api/v1/dispatches/{id}/cancel")]
    public static async Task<IResult> Cancel(string id, CancelDispatch command, IDocumentSession session, HttpContext context,
        TimeProvider clock, CancellationToken cancellation)
    {
        if (await DispatchAccess.FindAsync(session, id, Caller.From(context.User), cancellation) is not { } found)
            return DispatchAccess.NotFound(id);

        var stream = await LockAsync(session, found, cancellation);
        var dispatch = stream.Aggregate!;
        var decision = DispatchCommands.Cancel(dispatch, command.Reason ?? "cancelled by the caller", clock.GetUtcNow());
        if (decision is Decision.Conflict conflict) return ProblemResults.Conflict(conflict);

        var cancelled = (DispatchCancelled)((Decision.Append)decision).Events.Single();
        stream.AppendOne(cancelled);
        return Results.Ok(DispatchView.From(dispatch.After(cancelled)));
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
