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

/// <summary>Creates an API key; its secret is in this answer only.</summary>
public static class CreateApiKeyEndpoint
{
    public static Task<IssuableCredential> LoadAsync(CreateApiKey input, Caller caller, IQuerySession session, TimeProvider clock,
        CancellationToken cancellation) =>
        ApiKeyEndpoints.BoundRequestAsync(input, caller, session, clock.GetUtcNow(), cancellation);

    public static ProblemDetails Validate(IssuableCredential credential) => credential.Problems;

    /// <summary>Create an API key</summary>
    /// <remarks>
    /// Issues an API key and answers 201 with it: `key` is the secret, shown in this answer only (only its hash is kept).
    /// Send `name` and `scopes`; the rest defaults to the issuer's. A key never holds more than its issuer: a scope the issuer
    /// lacks is 403 `insufficient_scope`, another caller class 403 `caller_class_forbidden`, a wider environment, expiry,
    /// provider or set of locations 403 `credential_broader_than_issuer`; a customer or location the issuer cannot see is
    /// 404 `not_found`.
    /// </remarks>
    [Authorize(Policy = Scopes.AccessWrite)]
    [ProblemResponses(404)]
    [WolverinePost("/api/v1/api-keys", OperationId = "createApiKey")]
    public static (Created<CreatedApiKeyView>, IStartStream) Post(CreateApiKey input, IssuableCredential credential, TimeProvider clock)
    {
        var (created, secret) = ApiKeyIssue.Issue(credential.Request!, clock.GetUtcNow());
        var view = new CreatedApiKeyView(secret, ApiKeyView.From(ApiKey.Create(created)));
        return (TypedResults.Created(ResourcePath.Of("api-keys", created.KeyId), view), MartenOps.StartStream<ApiKey>(created.KeyId, created));
    }
}
