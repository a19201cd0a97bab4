using Marten;
using Microsoft.AspNetCore.Authorization;
using RaffsSync.Api.Access;
using RaffsSync.Api.Infrastructure.Http;
using RaffsSync.Domain.Access;
using RaffsSync.Domain.Dispatches;
using Wolverine.Http;

namespace RaffsSync.Api.Dispatches;

public static class GetDispatchEndpoint
{
    /// <summary>Reads the inline dispatch projection; another location's dispatch answers 404 like a missing one.</summary>
    [Authorize(Policy = Scopes.DispatchesRead)]
    [WolverineGet("/api/v1/dispatches/{id}")]
    public static async Task<IResult> Get(string id, IQuerySession session, HttpContext context, CancellationToken cancellation)
    {
        var dispatch = Guid.TryParse(id, out var dispatchId)
            ? await session.Query<Dispatch>().Where(d => d.AnyTenant() && d.Id == dispatchId).FirstOrDefaultAsync(cancellation)
            : null;

        if (dispatch is null || !Caller.From(context.User).CanAccess(dispatch.TenantId))
            return Results.Problem(ApiProblems.Create(404, "not_found", $"Dispatch '{id}' was not found."));

        return Results.Ok(DispatchView.From(dispatch));
    }
}
