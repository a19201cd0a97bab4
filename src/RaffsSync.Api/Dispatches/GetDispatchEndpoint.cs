using Marten;
using Microsoft.AspNetCore.Authorization;
using RaffsSync.Api.Access;
using RaffsSync.Domain.Access;
using Wolverine.Http;

namespace RaffsSync.Api.Dispatches;

public static class GetDispatchEndpoint
{
    /// <summary>Reads the inline dispatch projection; another location's dispatch answers 404 like a missing one.</summary>
    [Authorize(Policy = Scopes.DispatchesRead)]
    [WolverineGet("/api/v1/dispatches/{id}")]
    public static async Task<IResult> Get(string id, IQuerySession session, Caller caller, CancellationToken cancellation) =>
        await DispatchAccess.FindAsync(session, id, caller, cancellation) is { } dispatch
            ? Results.Ok(DispatchView.From(dispatch))
            : DispatchAccess.NotFound(id);
}
