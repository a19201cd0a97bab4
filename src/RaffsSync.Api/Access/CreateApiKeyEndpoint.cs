using Marten;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using RaffsSync.Api.Infrastructure.Http;
using RaffsSync.Domain.Access;
using Wolverine.Http;
using Wolverine.Marten;

namespace RaffsSync.Api.Access;

/// <summary>Creates an API key; its secret is in this answer only.</summary>
public static class CreateApiKeyEndpoint
{
    public static Task<IssuableCredential> LoadAsync(CreateApiKey input, Caller caller, IQuerySession session, TimeProvider clock,
        CancellationToken cancellation) =>
        ApiKeyEndpoints.BoundRequestAsync(input, caller, session, clock.GetUtcNow(), cancellation);

    public static ProblemDetails Validate(IssuableCredential credential) => credential.Problems;

    [Authorize(Policy = Scopes.AccessWrite)]
    [WolverinePost("/api/v1/api-keys")]
    public static (IResult, IStartStream) Post(CreateApiKey input, IssuableCredential credential, TimeProvider clock)
    {
        var (created, secret) = ApiKeyIssue.Issue(credential.Request!, clock.GetUtcNow());
        var view = new CreatedApiKeyView(secret, ApiKeyView.From(ApiKey.Create(created)));
        return (Results.Created(ResourcePath.Of("api-keys", created.KeyId), view), MartenOps.StartStream<ApiKey>(created.KeyId, created));
    }
}
