using Marten;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Http.HttpResults;
using RaffsSync.Api.Access;
using RaffsSync.Domain.Access;
using Wolverine.Http;

namespace RaffsSync.Api.Dispatches;

public static class GetDispatchEndpoint
{
    /// <summary>Get a dispatch</summary>
    /// <remarks>
    /// Where the dispatch stands: its status, attempts so far, the provider's last status code and, once it is final,
    /// how it ended. A dispatch of a location the caller may not see is 404, the same as one that does not exist.
    /// </remarks>
    // Read from the inline dispatch projection, so it is current as soon as an event is committed.
    [Authorize(Policy = Scopes.DispatchesRead)]
    [WolverineGet("/api/v1/dispatches/{id}", OperationId = "getDispatch")]
    public static async Task<Results<Ok<DispatchView>, ProblemHttpResult>> Get(string id, IQuerySession session, Caller caller,
        CancellationToken cancellation) =>
        await DispatchAccess.FindAsync(session, id, caller, cancellation) is { } dispatch
            ? TypedResults.Ok(DispatchView.From(dispatch))
            : DispatchAccess.NotFound(id);
}
