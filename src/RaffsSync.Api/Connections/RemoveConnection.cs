using Marten;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Http.HttpResults;
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

    /// <summary>Remove a connection</summary>
    /// <remarks>
    /// Removes the connection, destroys its sealed credentials and answers it with `status: removed`; it still shows in
    /// the location's list, and its history stays. Dispatches to a provider that needs credentials are then refused
    /// (422 `connection_missing`) until the location is connected again. A removed connection, or one of a location the caller cannot act for, is 404 `not_found`.
    /// </remarks>
    [Authorize(Policy = Scopes.RegistryWrite)]
    [WolverineDelete("/api/v1/locations/{tenantId}/connections/{id}", OperationId = "removeConnection")]
    public static Ok<ConnectionView> Delete(string tenantId, Guid id, [NotBody] Connection current, IDocumentSession session, TimeProvider clock)
    {
        var removed = new ConnectionRemoved(id, clock.GetUtcNow());
        var location = session.ForTenant(tenantId);
        location.Events.Append(id, removed);
        location.Delete<ConnectionSecret>(id);
        return TypedResults.Ok(ConnectionView.From(current.Apply(removed)));
    }
}
