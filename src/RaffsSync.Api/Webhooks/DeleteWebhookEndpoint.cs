using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using RaffsSync.Api.Access;
using RaffsSync.Api.Infrastructure.OpenApi;
using RaffsSync.Domain.Access;
using RaffsSync.Domain.Webhooks;
using Wolverine.Http;
using Wolverine.Marten;

namespace RaffsSync.Api.Webhooks;

public static class DeleteWebhookEndpointEndpoint
{
    public static Guid EndpointId(string id) => WebhookAccess.EndpointStreamId(id);

    public static ProblemDetails Validate(string id, WebhookEndpoint? endpoint, Caller caller) =>
        endpoint is not null && WebhookAccess.CanSee(caller, endpoint) ? WolverineContinue.NoProblems : WebhookAccess.EndpointNotFoundProblem(id);

    /// <summary>Delete a webhook endpoint</summary>
    /// <remarks>
    /// Deletes the endpoint and its signing secrets, and answers 204: no message is sent to it any more, and from then on it
    /// is 404 `webhook_endpoint_not_found`, as are one of another customer and one the caller does not manage. Its history
    /// stays in the audit log.
    /// </remarks>
    [Authorize(Policy = Scopes.WebhooksWrite)]
    [Authorize(Policy = CallerPolicies.CustomerOrInternal)]
    [ProblemResponses(409)]
    [WolverineDelete(WebhookAccess.Endpoint, OperationId = "deleteWebhookEndpoint")]
    public static (NoContent, Events, IMartenOp) Delete(string id, [WriteAggregate(FromMethod = nameof(EndpointId), Required = false)] WebhookEndpoint endpoint,
        TimeProvider clock) =>
        (TypedResults.NoContent(), [new WebhookEndpointDeleted(endpoint.Id, clock.GetUtcNow())], MartenOps.Delete<WebhookEndpointSecret>(endpoint.Id));
}
