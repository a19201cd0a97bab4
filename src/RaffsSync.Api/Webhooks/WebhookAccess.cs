using Marten;
using Microsoft.AspNetCore.Http.HttpResults;
using RaffsSync.Api.Access;
using RaffsSync.Api.Infrastructure.Http;
using RaffsSync.Domain.Access;
using RaffsSync.Domain.Webhooks;

namespace RaffsSync.Api.Webhooks;

/// <summary>Endpoints are their customer's: another customer's (or a deleted one) answers 404 like one that never existed.</summary>
public static class WebhookAccess
{
    public static bool CanSee(Caller caller, WebhookEndpoint endpoint) =>
        !endpoint.Deleted && (caller.Class == CallerClass.Internal || caller.CustomerId == endpoint.CustomerId);

    public static async Task<WebhookEndpoint?> FindEndpointAsync(IQuerySession session, string id, Caller caller, CancellationToken cancellation) =>
        Guid.TryParse(id, out var endpointId) && await session.LoadAsync<WebhookEndpoint>(endpointId, cancellation) is { } endpoint
            && CanSee(caller, endpoint)
            ? endpoint
            : null;

    /// <summary>A delivery the caller may see: of an endpoint it may see, and of a location it may act for (if the message is a location's).</summary>
    public static async Task<WebhookDelivery?> FindDeliveryAsync(IQuerySession session, string id, Caller caller, CancellationToken cancellation)
    {
        if (!Guid.TryParse(id, out var deliveryId)) return null;
        var delivery = await session.Query<WebhookDelivery>().Where(d => d.AnyTenant() && d.Id == deliveryId).FirstOrDefaultAsync(cancellation);
        if (delivery is null || delivery.TenantId is { } tenant && !caller.CanAccess(tenant)) return null;
        return await session.LoadAsync<WebhookEndpoint>(delivery.EndpointId, cancellation) is { } endpoint && CanSee(caller, endpoint) ? delivery : null;
    }

    public static ProblemHttpResult EndpointNotFound(string id) =>
        TypedResults.Problem(ApiProblems.Create(404, "webhook_endpoint_not_found", $"Webhook endpoint '{id}' was not found."));

    public static ProblemHttpResult DeliveryNotFound(string id) =>
        TypedResults.Problem(ApiProblems.Create(404, "webhook_delivery_not_found", $"Webhook delivery '{id}' was not found."));
}
