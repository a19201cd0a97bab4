using Marten;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using RaffsSync.Api.Access;
using RaffsSync.Api.Infrastructure.OpenApi;
using RaffsSync.Api.Connections;
using RaffsSync.Domain.Access;
using RaffsSync.Domain.Webhooks;
using Wolverine.Http;
using Wolverine.Marten;

namespace RaffsSync.Api.Webhooks;

/// <summary>The secret messages are signed with now: the one a rotation keeps as the previous one.</summary>
public sealed record CurrentWebhookSecret(string? Value);

public static class RotateWebhookSecretEndpoint
{
    public static Guid EndpointId(string id) => WebhookAccess.EndpointStreamId(id);

    public static async Task<CurrentWebhookSecret> LoadAsync(string id, IQuerySession session, SecretVault vault, CancellationToken cancellation) =>
        new(Guid.TryParse(id, out var endpointId) ? await WebhookSecrets.CurrentAsync(session, vault, endpointId, cancellation) : null);

    public static ProblemDetails Validate(string id, WebhookEndpoint? endpoint, Caller caller) =>
        endpoint is not null && WebhookAccess.CanSee(caller, endpoint) ? WolverineContinue.NoProblems : WebhookAccess.EndpointNotFoundProblem(id);

    /// <summary>Rotate a webhook endpoint's signing secret</summary>
    /// <remarks>
    /// Makes a new signing secret and answers it, in this answer only. The previous one stays valid until
    /// `previous_secret_valid_until` (24 hours unless the operator sets `RaffsSync:Webhooks:SecretOverlap`): until then every message carries
    /// two signatures in `webhook-signature`, one per secret, so receivers can switch over without losing a message. A secret
    /// still overlapping from an earlier rotation stops signing now. One of another customer, one the caller does not manage,
    /// and a deleted one are 404 `webhook_endpoint_not_found`; a rotation racing another change is 409 `version_conflict`.
    /// </remarks>
    [Authorize(Policy = Scopes.WebhooksWrite)]
    [Authorize(Policy = CallerPolicies.CustomerOrInternal)]
    [ProblemResponses(409)]
    [WolverinePost(WebhookAccess.Endpoint + "/rotate-secret", OperationId = "rotateWebhookSecret")]
    public static (Ok<RotatedWebhookSecretView>, Events, IMartenOp) Post(string id, [WriteAggregate(FromMethod = nameof(EndpointId), Required = false)] WebhookEndpoint endpoint,
        [NotBody] CurrentWebhookSecret current, SecretVault vault, WebhookSettings settings, TimeProvider clock)
    {
        var now = clock.GetUtcNow();
        var until = now + (settings.SecretOverlap < TimeSpan.Zero ? TimeSpan.Zero : settings.SecretOverlap);
        var secret = WebhookSignature.NewSecret();
        var rotated = new WebhookSecretRotated(endpoint.Id, WebhookSignature.Fingerprint(secret), until, now);
        return (TypedResults.Ok(new RotatedWebhookSecretView(secret, until)), [rotated],
            MartenOps.Store(WebhookSecrets.Seal(vault, endpoint.Id, secret, current.Value, until)));
    }
}
