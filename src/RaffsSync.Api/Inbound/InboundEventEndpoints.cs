using Marten;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Http.HttpResults;
using RaffsSync.Api.Access;
using RaffsSync.Api.Infrastructure.Http;
using RaffsSync.Domain.Access;
using RaffsSync.Domain.Inbound;
using Wolverine.Http;

namespace RaffsSync.Api.Inbound;

public static class InboundEventEndpoints
{
    /// <summary>Get an inbound event</summary>
    /// <remarks>
    /// An event a provider pushed to one of the location's connections: its type and provider event id, the SHA-256 of its
    /// body (and the body itself, as JSON, when it was JSON and at most 64 KB), and what its routes did: the webhook type a
    /// <c>forward</c> route sends it as, the dispatch a <c>chain</c> route started, or why it was not routed. An event of a
    /// location the caller may not see is 404, the same as one that does not exist.
    /// </remarks>
    [Authorize(Policy = Scopes.DispatchesRead)]
    [Authorize(Policy = CallerPolicies.CustomerOrInternal)]
    [WolverineGet("/api/v1/inbound-events/{id}", OperationId = "getInboundEvent")]
    public static async Task<Results<Ok<InboundEventView>, ProblemHttpResult>> Get(string id, IQuerySession session, Caller caller,
        CancellationToken cancellation)
    {
        var found = Guid.TryParse(id, out var eventId)
            ? await session.Query<InboundEvent>().Where(e => e.AnyTenant() && e.Id == eventId).FirstOrDefaultAsync(cancellation)
            : null;
        return found is not null && caller.CanAccess(found.TenantId)
            ? TypedResults.Ok(InboundEventView.From(found))
            : TypedResults.Problem(ApiProblems.Create(404, "not_found", $"Inbound event '{id}' was not found."));
    }
}
