using Marten;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using RaffsSync.Api.Access;
using RaffsSync.Api.Connections;
using RaffsSync.Api.Infrastructure.Http;
using RaffsSync.Api.Infrastructure.OpenApi;
using RaffsSync.Domain;
using RaffsSync.Domain.Access;
using RaffsSync.Domain.Webhooks;
using Wolverine.Http;
using Wolverine.Marten;

namespace RaffsSync.Api.Webhooks;

/// <summary>An endpoint as it will be created, its owner and settings checked; or the answer that refuses it.</summary>
public sealed record WebhookEndpointDraft(string? CustomerId, WebhookEndpointSettings? Settings, ProblemDetails? Refusal)
{
    public ProblemDetails Problems => Refusal ?? WolverineContinue.NoProblems;

    public static WebhookEndpointDraft Refused(ProblemDetails refusal) => new(null, null, refusal);
}

public static class CreateWebhookEndpointEndpoint
{
    /// <summary>Checks in order of cost: the fields themselves, then the customer and its locations, then the URL's host (DNS).</summary>
    public static async Task<WebhookEndpointDraft> LoadAsync(CreateWebhookEndpoint input, Caller caller, IQuerySession session,
        WebhookEgress egress, CancellationToken cancellation)
    {
        var errors = new List<FieldError>();
        if (WebhookEndpointRules.CheckUrl(input.Url, egress.AllowHttp, out var url) is { } badUrl) errors.Add(badUrl);
        if (WebhookEndpointRules.CheckDescription(input.Description) is { } badDescription) errors.Add(badDescription);
        errors.AddRange(WebhookEndpointRules.CheckEventTypes(input.EventTypes));
        if (WebhookEndpointRules.CheckRateLimit(input.RateLimit) is { } badRate) errors.Add(badRate);
        if (IdentifierLimits.Check("customer_id", input.CustomerId, IdentifierLimits.Id) is { } badCustomer) errors.Add(badCustomer);
        else if (input.CustomerId is null && caller.Class == CallerClass.Internal)
            errors.Add(new FieldError("customer_id", "required", "the customer (cus_...) the endpoint belongs to"));
        if (errors.Count > 0) return WebhookEndpointDraft.Refused(WebhookAccess.Invalid(errors));

        var customerId = input.CustomerId ?? caller.CustomerId;
        if (customerId is null || await WebhookAccess.LocationsAsync(session, caller, customerId, cancellation) is not { } locations)
            return WebhookEndpointDraft.Refused(WebhookAccess.CustomerNotFound(customerId ?? ""));
        var tenantErrors = WebhookEndpointRules.CheckTenants(input.TenantIds, locations, customerId).ToList();
        if (tenantErrors.Count > 0) return WebhookEndpointDraft.Refused(WebhookAccess.Invalid(tenantErrors));

        if (await egress.RefusalAsync(url!, cancellation) is { } refused)
            return WebhookEndpointDraft.Refused(WebhookAccess.Invalid([refused]));

        return new WebhookEndpointDraft(customerId, new WebhookEndpointSettings(input.Url!, input.Description,
            [.. input.EventTypes!.OfType<string>().Distinct(StringComparer.Ordinal)], WebhookEndpointRules.Scope(input.TenantIds, caller.BoundTo()),
            input.Enabled ?? true, input.Ordered ?? false, input.RateLimit), null);
    }

    public static ProblemDetails Validate(WebhookEndpointDraft draft) => draft.Problems;

    /// <summary>Create a webhook endpoint</summary>
    /// <remarks>
    /// Registers a URL that receives signed messages (Standard Webhooks) of the event types it names, for the customer's
    /// locations it names (all of them when it names none), and answers 201 with it; `Location` is its path. `secret`
    /// (`whsec_...`) is the signing secret, in this answer only: store it to verify each message's `webhook-signature`.
    /// The URL must be https, and its host must resolve, now and at every delivery, only to public addresses: loopback,
    /// private networks, link-local (with the cloud metadata service), carrier-grade NAT and the other special-purpose ranges
    /// are refused (400 `validation_failed`, issue `egress_denied`; a host that does not resolve is issue `unresolvable`;
    /// http is `https_required`), unless the operator allows them (`RaffsSync:Webhooks:Allow`). Internal callers name the
    /// customer (`customer_id`); customers create endpoints for themselves, and another customer is 404 `not_found`. A
    /// tenant id that is not one of the customer's locations is 400 `validation_failed`, issue `unknown`.
    /// </remarks>
    [Authorize(Policy = Scopes.WebhooksWrite)]
    [Authorize(Policy = CallerPolicies.CustomerOrInternal)]
    [ProblemResponses(404)]
    [WolverinePost(WebhookAccess.Endpoints, OperationId = "createWebhookEndpoint")]
    public static (Created<CreatedWebhookEndpointView>, IStartStream, IMartenOp) Post(CreateWebhookEndpoint input, WebhookEndpointDraft draft,
        SecretVault vault, TimeProvider clock)
    {
        var id = Guid.CreateVersion7();
        var secret = WebhookSignature.NewSecret();
        var settings = draft.Settings!;
        var created = new WebhookEndpointCreated(id, draft.CustomerId!, settings.Url, settings.Description, settings.EventTypes, settings.TenantIds,
            settings.Enabled, settings.Ordered, settings.RateLimit, WebhookSignature.Fingerprint(secret), clock.GetUtcNow());

        return (TypedResults.Created(ResourcePath.Of("webhooks", "endpoints", id), CreatedWebhookEndpointView.From(WebhookEndpoint.Create(created), secret)),
            MartenOps.StartStream<WebhookEndpoint>(id, created),
            MartenOps.Store(WebhookSecrets.Seal(vault, id, secret)));
    }
}
