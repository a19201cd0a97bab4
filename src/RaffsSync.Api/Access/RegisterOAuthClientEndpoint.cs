using Marten;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using RaffsSync.Api.Infrastructure.Http;
using RaffsSync.Api.Infrastructure.OpenApi;
using RaffsSync.Domain.Access;
using Wolverine.Http;
using Wolverine.Marten;

namespace RaffsSync.Api.Access;

/// <summary>Registers an OAuth client; the secret is in this answer only. Nobody gives a client more than they hold.</summary>
public static class RegisterOAuthClientEndpoint
{
    public static Task<IssuableCredential> LoadAsync(CreateApiKey input, Caller caller, IQuerySession session, TimeProvider clock,
        CancellationToken cancellation) =>
        ApiKeyEndpoints.BoundRequestAsync(input, caller, session, clock.GetUtcNow(), cancellation);

    public static ProblemDetails Validate(IssuableCredential credential) => credential.Problems;

    /// <summary>Register an OAuth client</summary>
    /// <remarks>
    /// Registers an OAuth2 client for the client credentials grant and answers 201 with it: `client_secret` is shown in
    /// this answer only (only its hash is kept). Trade `client_id` and `client_secret` for access tokens at
    /// `POST /api/v1/oauth/token`. The body and its bounds are those of `POST /api/v1/api-keys`: a client never holds more
    /// than its issuer (403 `insufficient_scope`, `caller_class_forbidden` or `credential_broader_than_issuer`), and a
    /// customer or location the issuer cannot see is 404 `not_found`.
    /// </remarks>
    [Authorize(Policy = Scopes.AccessWrite)]
    [ProblemResponses(404)]
    [WolverinePost("/api/v1/oauth/clients", OperationId = "registerOAuthClient")]
    public static (Created<RegisteredClientView>, IStartStream) Register(CreateApiKey input, IssuableCredential credential, TimeProvider clock)
    {
        var (registered, secret) = OAuthClient.Register(credential.Request!, clock.GetUtcNow());
        var view = new RegisteredClientView(registered.ClientId, secret, registered.Name, registered.Scopes,
            registered.CallerClass.ToString().ToLowerInvariant(), registered.CustomerId, registered.Locations,
            registered.Environment.ToString().ToLowerInvariant(), registered.ExpiresAt, registered.Provider);
        return (TypedResults.Created(ResourcePath.Of("oauth", "clients", registered.ClientId), view),
            MartenOps.StartStream<OAuthClient>(registered.StreamId, registered));
    }
}
