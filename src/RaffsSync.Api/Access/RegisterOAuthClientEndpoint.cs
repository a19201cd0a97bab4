using Marten;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using RaffsSync.Api.Infrastructure.Http;
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

    [Authorize(Policy = Scopes.AccessWrite)]
    [WolverinePost("/api/v1/oauth/clients")]
    public static (IResult, IStartStream) Register(CreateApiKey input, IssuableCredential credential, TimeProvider clock)
    {
        var (registered, secret) = OAuthClient.Register(credential.Request!, clock.GetUtcNow());
        var view = new RegisteredClientView(registered.ClientId, secret, registered.Name, registered.Scopes,
            registered.CallerClass.ToString().ToLowerInvariant(), registered.CustomerId, registered.Locations,
            registered.Environment.ToString().ToLowerInvariant(), registered.ExpiresAt, registered.Provider);
        return (Results.Created(ResourcePath.Of("oauth", "clients", registered.ClientId), view),
            MartenOps.StartStream<OAuthClient>(registered.StreamId, registered));
    }
}
