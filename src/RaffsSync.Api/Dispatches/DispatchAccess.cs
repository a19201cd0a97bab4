using Marten;
using Microsoft.AspNetCore.Http.HttpResults;
using RaffsSync.Api.Access;
using RaffsSync.Api.Infrastructure.Http;
using RaffsSync.Domain.Dispatches;

namespace RaffsSync.Api.Dispatches;

public static class DispatchAccess
{
    /// <summary>The dispatch, if it exists and the caller may see its location (and, for a partner, its provider); otherwise null (answer 404 either way).</summary>
    public static async Task<Dispatch?> FindAsync(IQuerySession session, string id, Caller caller, CancellationToken cancellation)
    {
        if (!Guid.TryParse(id, out var dispatchId)) return null;
        var dispatch = await session.Query<Dispatch>().Where(d => d.AnyTenant() && d.Id == dispatchId).FirstOrDefaultAsync(cancellation);
        return dispatch is not null && caller.CanAccess(dispatch.TenantId) && caller.CanSeeProvider(dispatch.Provider) ? dispatch : null;
    }

    public static ProblemHttpResult NotFound(string id) => TypedResults.Problem(NotFoundProblem(id));

    public static Microsoft.AspNetCore.Mvc.ProblemDetails NotFoundProblem(string id) =>
        ApiProblems.Create(404, "not_found", $"Dispatch '{id}' was not found.");
}
