using Marten;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using RaffsSync.Api.Infrastructure.Http;
using RaffsSync.Domain.Access;
using Wolverine.Http;
using Wolverine.Marten;

namespace RaffsSync.Api.Access;

/// <summary>Revokes an API key; the very next request with it is refused. Revoking a revoked key answers it as it is.</summary>
/// <remarks>
/// Not <c>[WriteAggregate]</c>: its fetch runs before any <c>Before</c>/<c>Validate</c> method, and Marten refuses to fetch
/// the empty stream id, so <c>DELETE /api/v1/api-keys/00000000-...</c> would be a 500 instead of this endpoint's 404
/// (OpenApiFuzzTests sends it). The key is loaded here and the event appended with <see cref="MartenOps.Append(Guid, object[])"/>.
/// </remarks>
public static class RevokeApiKeyEndpoint
{
    public static Task<ApiKey?> LoadAsync(Guid id, IQuerySession session, CancellationToken cancellation) =>
        session.LoadAsync<ApiKey>(id, cancellation);

    /// <summary>A key the caller may not manage (one it could not have issued itself) answers as one that does not exist.</summary>
    public static ProblemDetails Validate(Guid id, ApiKey? key, Caller caller) =>
        key is not null && KeyManagement.Manages(caller.AsIssuer(), caller.Id, key)
            ? WolverineContinue.NoProblems
            : ApiProblems.Create(404, "not_found", $"API key '{id}' was not found.");

    /// <summary>Revoke an API key</summary>
    /// <remarks>
    /// Revokes the key and answers it, with `revoked_at` set: the very next request made with it is 401. Revoking a revoked
    /// key changes nothing and answers it as it is. A key the caller does not manage (not its own, and not one it could
    /// have issued) is 404 `not_found`, as for one that does not exist.
    /// </remarks>
    [Authorize(Policy = Scopes.AccessWrite)]
    [WolverineDelete("/api/v1/api-keys/{id}", OperationId = "revokeApiKey")]
    public static (ApiKeyView, IEnumerable<IMartenOp>) Revoke(Guid id, [NotBody] ApiKey key, TimeProvider clock)
    {
        if (!key.IsActive) return (ApiKeyView.From(key), []);

        var revoked = new ApiKeyRevoked(id, clock.GetUtcNow());
        return (ApiKeyView.From(key.Apply(revoked)), [MartenOps.Append(id, revoked)]);
    }
}
