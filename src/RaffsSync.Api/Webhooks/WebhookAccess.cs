using Marten;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using RaffsSync.Api.Access;
using RaffsSync.Api.Infrastructure.Http;
using RaffsSync.Domain;
using RaffsSync.Domain.Access;
using RaffsSync.Domain.Webhooks;

namespace RaffsSync.Api.Webhooks;

/// <summary>
/// Endpoints are their customer's: another customer's (or a deleted one) answers 404 like one that never existed. A customer
/// credential limited to some locations manages only the endpoints limited to those (<see cref="WebhookEndpointRules.Manages"/>):
/// one that receives other locations' events is not its to read or redirect.
/// </summary>
public static class WebhookAccess
{
    public const string Endpoints = "/api/v1/webhooks/endpoints";
    public const string Endpoint = Endpoints + "/{id}";

    /// <summary>Stands for an id that is no endpoint's (not a GUID, or the empty one, which Marten refuses to fetch): never a stream's id.</summary>
    private static readonly Guid NoEndpoint = Guid.AllBitsSet;

    public static bool CanSee(Caller caller, WebhookEndpoint endpoint) =>
        !endpoint.Deleted && WebhookEndpointRules.Manages(endpoint, caller.Class == CallerClass.Internal, caller.CustomerId, caller.BoundTo());

    /// <summary>The locations a customer credential is limited to, if it names some; null for every location of its customer, and for internal callers.</summary>
    public static IReadOnlySet<string>? BoundTo(this Caller caller) =>
        caller.Class != CallerClass.Internal && caller.LocationBound ? caller.Locations : null;

    /// <summary>The stream id an <c>{id}</c> path segment names, for <c>[WriteAggregate(FromMethod = ...)]</c>.</summary>
    public static Guid EndpointStreamId(string id) => Guid.TryParse(id, out var endpointId) && endpointId != Guid.Empty ? endpointId : NoEndpoint;

    public static async Task<WebhookEndpoint?> FindEndpointAsync(IQuerySession session, string id, Caller caller, CancellationToken cancellation) =>
        Guid.TryParse(id, out var endpointId) && await session.LoadAsync<WebhookEndpoint>(endpointId, cancellation) is { } endpoint
            && CanSee(caller, endpoint)
            ? endpoint
            : null;

    /// <summary>
    /// The locations an endpoint of <paramref name="customerId"/> may name for this caller: a customer credential's own (every
    /// location of its customer, unless it names some), or for internal callers every location the customer has. Null when
    /// the customer does not exist or is not the caller's.
    /// </summary>
    public static async Task<IReadOnlyCollection<string>?> LocationsAsync(IQuerySession session, Caller caller, string customerId,
        CancellationToken cancellation)
    {
        if (caller.Class != CallerClass.Internal) return caller.CustomerId == customerId ? caller.Locations : null;
        var customer = Customer.StreamIdOf(customerId) is { } streamId ? await session.LoadAsync<Customer>(streamId, cancellation) : null;
        return customer?.Locations;
    }

    public static ProblemDetails EndpointNotFoundProblem(string id) =>
        ApiProblems.Create(404, "webhook_endpoint_not_found", $"Webhook endpoint '{id}' was not found.");

    /// <summary>Nothing is sent to a disabled endpoint, so a test, re-send or recovery waits for it to be enabled.</summary>
    public static ProblemDetails EndpointDisabledProblem() =>
        ApiProblems.Create(409, "conflict", "The endpoint is disabled; enable it (PATCH enabled: true) first.");

    public static ProblemDetails CustomerNotFound(string customerId) =>
        ApiProblems.Create(404, "not_found", $"Customer '{customerId}' was not found.", new ProblemDetail("customer_id", "unknown"));

    public static ProblemDetails Invalid(IEnumerable<FieldError> errors) =>
        ApiProblems.Validation([.. errors.Select(e => new ProblemDetail(e.Field, e.Issue, e.Hint))]);

    /// <summary>A delivery the caller may see: of an endpoint it may see, and of a location it may act for (if the message is a location's).</summary>
    public static async Task<WebhookDelivery?> FindDeliveryAsync(IQuerySession session, string id, Caller caller, CancellationToken cancellation)
    {
        if (!Guid.TryParse(id, out var deliveryId)) return null;
        var delivery = await session.Query<WebhookDelivery>().Where(d => d.AnyTenant() && d.Id == deliveryId).FirstOrDefaultAsync(cancellation);
        if (delivery is null || delivery.TenantId is { } tenant && !caller.CanAccess(tenant)) return null;
        return await session.LoadAsync<WebhookEndpoint>(delivery.EndpointId, cancellation) is { } endpoint && CanSee(caller, endpoint) ? delivery : null;
    }

    public static ProblemHttpResult EndpointNotFound(string id) => TypedResults.Problem(EndpointNotFoundProblem(id));

    public static ProblemHttpResult DeliveryNotFound(string id) =>
        TypedResults.Problem(ApiProblems.Create(404, "webhook_delivery_not_found", $"Webhook delivery '{id}' was not found."));
}
