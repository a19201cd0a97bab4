using Marten;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using RaffsSync.Api.Access;
using RaffsSync.Domain.Access;
using RaffsSync.Domain.Connections;
using Wolverine.Http;

namespace RaffsSync.Api.Connections;

/// <remarks>Not [WriteAggregate], for the reason on <see cref="ChangeConnectionEndpoint"/>: the stream is in the location's tenant.</remarks>
public static class RemoveConnectionEndpoint
{
    public static Task<Connection?> Load(string tenantId, Guid id, IQuerySession session, CancellationToken cancellation) =>
        ConnectionLookup.FindAsync(session, tenantId, id, cancellation);

    public static ProblemDetails Validate(string tenantId, Guid id, Connection? current, Caller caller) =>
        ConnectionProblems.Unchangeable(tenantId, id, current, caller) ?? WolverineContinue.NoProblems;

    /// <summary>Removes the connection and destroys its sealed credentials; its history stays in the event store.</summary>
    [Authorize(Policy = Scopes.RegistryWrite)]
    [WolverineDelete("/api/v1/locations/{tenantId}/connections/{id}")]
    public static IResult Delete(string tenantId, Guid id, [NotBody] Connection current, IDocumentSession session, TimeProvider clock)
    {
        var removed = new ConnectionRemoved(id, clock.GetUtcNow());
        var location = session.ForTenant(tenantId);
        location.Events.Append(id, removed);
        location.Delete<ConnectionSecret>(id);
        return Results.Ok(ConnectionView.From(current.Apply(removed)));
    }
}
