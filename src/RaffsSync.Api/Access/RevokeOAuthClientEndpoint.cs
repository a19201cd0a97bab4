using Marten;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using RaffsSync.Api.Infrastructure.Http;
using RaffsSync.Domain.Access;
using Wolverine.Http;
using Wolverine.Marten;

namespace RaffsSync.Api.Access;

/// <summary>A revoked OAuth client.</summary>
/// <param name="ClientId">The client's id.</param>
/// <param name="Revoked">Always true.</param>
public sealed record RevokedClientView(string ClientId, bool Revoked);

/// <summary>Revokes an OAuth client: no new tokens, and its tokens stop working on the very next request.</summary>
/// <remarks>
/// Not <c>[WriteAggregate]</c>: the route names the client id callers know, not its stream id, so the client is
/// found by query and the event appended with <see cref="MartenOps.Append(Guid, object[])"/>.
/// </remarks>
public static class RevokeOAuthClientEndpoint
{
    public static Task<OAuthClient?> LoadAsync(string clientId, IQuerySession session, CancellationToken cancellation) =>
        session.Query<OAuthClient>().FirstOrDefaultAsync(c => c.ClientId == clientId, cancellation);

    /// <summary>A client the caller may not manage answers as one that does not exist.</summary>
    public static ProblemDetails Validate(string clientId, OAuthClient? client, Caller caller) =>
        client is not null && (caller.Class == CallerClass.Internal || (caller.CustomerId is not null && caller.CustomerId == client.CustomerId))
            ? WolverineContinue.NoProblems
            : ApiProblems.Create(404, "not_found", $"OAuth client '{clientId}' was not found.");

    /// <summary>Revoke an OAuth client</summary>
    /// <remarks>
    /// Revokes the client: it gets no new tokens, and the tokens it holds are refused (401) from the very next request.
    /// Revoking a revoked client changes nothing and answers the same. Internal callers revoke any client, others their
    /// customer's; any other client is 404 `not_found`, as for one that does not exist.
    /// </remarks>
    [Authorize(Policy = Scopes.AccessWrite)]
    [WolverineDelete("/api/v1/oauth/clients/{clientId}", OperationId = "revokeOAuthClient")]
    public static (Ok<RevokedClientView>, IEnumerable<IMartenOp>) Revoke([NotBody] OAuthClient client, TimeProvider clock) =>
        (TypedResults.Ok(new RevokedClientView(client.ClientId, Revoked: true)),
            client.RevokedAt is null ? [MartenOps.Append(client.Id, new OAuthClientRevoked(client.Id, clock.GetUtcNow()))] : []);
}
