using Marten;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using RaffsSync.Api.Infrastructure.Http;
using RaffsSync.Domain.Access;
using Wolverine.Http;
using Wolverine.Marten;

namespace RaffsSync.Api.Access;

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

    [Authorize(Policy = Scopes.AccessWrite)]
    [WolverineDelete("/api/v1/oauth/clients/{clientId}")]
    public static (IResult, IEnumerable<IMartenOp>) Revoke([NotBody] OAuthClient client, TimeProvider clock) =>
        (Results.Ok(new { client_id = client.ClientId, revoked = true }),
            client.RevokedAt is null ? [MartenOps.Append(client.Id, new OAuthClientRevoked(client.Id, clock.GetUtcNow()))] : []);
}
