using System.Text.Json;
using System.Text.Json.Nodes;
using JasperFx;
using JasperFx.Events;
using JasperFx.Events.Daemon;
using JasperFx.Events.Projections;
using Marten;
using RaffsSync.Domain;
using RaffsSync.Domain.Dispatches;
using RaffsSync.Domain.Inbound;
using RaffsSync.Domain.Registry;
using RaffsSync.Domain.Webhooks;
using Wolverine;
using Wolverine.Marten.Subscriptions;

namespace RaffsSync.Api.Webhooks;

/// <summary>A webhook event to send to every endpoint that subscribes to it.</summary>
/// <param name="EventType">What is sent as <c>type</c>.</param>
/// <param name="TenantId">The location it concerns; null for none (route changes).</param>
/// <param name="CustomerId">When set, only this customer's endpoints receive it.</param>
/// <param name="Data">What is sent as <c>data</c>.</param>
/// <param name="OrderKey">The source event's sequence: ordered endpoints receive messages in this order.</param>
/// <param name="OccurredAt">When the source event was recorded: endpoints created later do not receive it.</param>
public sealed record PublishWebhookEvent(string EventType, string? TenantId, string? CustomerId, JsonElement Data, long OrderKey,
    DateTimeOffset? OccurredAt = null);

/// <summary>
/// Run by the async daemon, in event order: turns the events customers subscribe to (final dispatch outcomes, route
/// changes, forwarded provider events, endpoints disabled) into <see cref="PublishWebhookEvent"/> messages, sent through
/// the outbox with the page's progress, each carrying its event's request id.
/// </summary>
public sealed class WebhookPublisher : BatchSubscription
{
    public const string Name = "WebhookPublisher";

    public WebhookPublisher() : base(Name)
    {
        IncludeType<DispatchSucceeded>();
        IncludeType<DispatchFailed>();
        IncludeType<DispatchDeadLettered>();
        IncludeType<DispatchOutcomeUnknown>();
        IncludeType<RouteDefined>();
        IncludeType<RouteRevised>();
        IncludeType<RouteEnabled>();
        IncludeType<RouteDisabled>();
        IncludeType<RouteRetired>();
        IncludeType<InboundEventRouted>();
        IncludeType<WebhookEndpointDisabled>();
    }

    public override async Task ProcessEventsAsync(EventRange page, ISubscriptionController controller, IDocumentOperations operations,
        IMessageBus bus, CancellationToken cancellationToken)
    {
        var sources = await SourcesAsync(operations.DocumentStore, page.Events, cancellationToken);
        foreach (var e in page.Events)
        {
            if (WebhookEventOf(e, sources) is not { } published) continue;
            await bus.PublishAsync(published with { OccurredAt = e.Timestamp }, new DeliveryOptions
            {
                TenantId = StorageConstants.DefaultTenantId,
                CorrelationId = e.CorrelationId,
                CausationId = e.Id.ToString()
            });
        }
    }

    private static string? TenantOf(IEvent e) => e.TenantId is null or StorageConstants.DefaultTenantId ? null : e.TenantId;

    private static PublishWebhookEvent? WebhookEventOf(IEvent e, Sources sources)
    {
        var tenant = TenantOf(e);
        PublishWebhookEvent ForDispatch(string type, Guid id, int attempt, string status, string? failureType, string? reason, DateTimeOffset at) =>
            new(type, tenant, null, Json(DispatchData(sources.Dispatches.GetValueOrDefault(id), id, tenant, new DispatchOutcome(status, attempt,
                failureType, reason, at))), e.Sequence);
        PublishWebhookEvent ForRoute(string provider, string routeKey, int? version, string change) =>
            new(WebhookEventTypes.RouteChanged, null, null,
                Json(new JsonObject { ["provider"] = provider, ["route_key"] = routeKey, ["version"] = version, ["change"] = change }), e.Sequence);

        return e.Data switch
        {
            DispatchSucceeded d => ForDispatch(WebhookEventTypes.DispatchSucceeded, d.DispatchId, d.Attempt, "succeeded", null, null, d.SucceededAt),
            DispatchFailed d => ForDispatch(WebhookEventTypes.DispatchFailed, d.DispatchId, d.Attempt, "failed", EnumNames.Snake(d.FailureType), d.Reason,
                d.FailedAt),
            DispatchDeadLettered d => ForDispatch(WebhookEventTypes.DispatchDeadLettered, d.DispatchId, d.Attempt, "dead_lettered", null, d.Reason,
                d.DeadLetteredAt),
            DispatchOutcomeUnknown d => ForDispatch(WebhookEventTypes.DispatchOutcomeUnknown, d.DispatchId, d.Attempt, "outcome_unknown", null,
                d.Reason, d.At),
            RouteDefined r => ForRoute(r.Provider, r.RouteKey, r.Version, "defined"),
            RouteRevised r => ForRoute(r.Provider, r.RouteKey, r.Version, "revised"),
            RouteEnabled r => ForRoute(r.Provider, r.RouteKey, null, "enabled"),
            RouteDisabled r => ForRoute(r.Provider, r.RouteKey, null, "disabled"),
            RouteRetired r => ForRoute(r.Provider, r.RouteKey, null, "retired"),
            InboundEventRouted { Kind: "forward", ForwardedAs: { } type } r when sources.Inbound.GetValueOrDefault(r.InboundEventId) is { } inbound =>
                new(type, tenant, null, Json(ForwardedData(inbound)), e.Sequence),
            WebhookEndpointDisabled d => new(WebhookEventTypes.EndpointDisabled, null, d.CustomerId,
                Json(new JsonObject { ["endpoint_id"] = d.EndpointId, ["reason"] = d.Reason, ["disabled_at"] = d.DisabledAt }), e.Sequence),
            _ => null
        };
    }

    private sealed record DispatchOutcome(string Status, int Attempts, string? FailureType, string? Reason, DateTimeOffset CompletedAt);

    /// <summary>
    /// The dispatch as this event ended it: the outcome from the event itself (the document may have moved on, a replay
    /// say, by the time the daemon reads it), what never changes (location, provider, route) from the document.
    /// </summary>
    private static JsonObject DispatchData(Dispatch? dispatch, Guid id, string? tenant, DispatchOutcome outcome) => new()
    {
        ["dispatch_id"] = id,
        ["tenant_id"] = dispatch?.TenantId ?? tenant,
        ["provider"] = dispatch?.Provider,
        ["route_key"] = dispatch?.RouteKey,
        ["route_version"] = dispatch?.RouteVersion,
        ["status"] = outcome.Status,
        ["attempts"] = outcome.Attempts,
        ["failure_type"] = outcome.FailureType,
        ["reason"] = outcome.Reason,
        ["completed_at"] = outcome.CompletedAt
    };

    /// <summary>The provider's event as it was pushed; a body cut at 64 KB cannot be forwarded whole, so its hash stands in.</summary>
    private static JsonNode ForwardedData(InboundEvent inbound)
    {
        if (!inbound.BodyTruncated)
        {
            try
            {
                return JsonNode.Parse(inbound.Body) ?? new JsonObject();
            }
            catch (JsonException)
            {
                // not JSON: forwarded as text below
            }
        }
        return new JsonObject
        {
            ["inbound_event_id"] = inbound.Id,
            ["body_truncated"] = inbound.BodyTruncated,
            ["body_sha256"] = inbound.BodySha256,
            ["body"] = inbound.BodyTruncated ? null : inbound.Body
        };
    }

    private static JsonElement Json(JsonNode node) => JsonSerializer.SerializeToElement(node);

    private sealed record Sources(IReadOnlyDictionary<Guid, Dispatch> Dispatches, IReadOnlyDictionary<Guid, InboundEvent> Inbound);

    /// <summary>The dispatches and inbound events the page's events are about, read once per location.</summary>
    private static async Task<Sources> SourcesAsync(IDocumentStore store, IReadOnlyList<IEvent> events, CancellationToken cancellation)
    {
        var dispatches = new Dictionary<Guid, Dispatch>();
        var inbound = new Dictionary<Guid, InboundEvent>();
        foreach (var byTenant in events.Where(e => TenantOf(e) is not null).GroupBy(e => e.TenantId!))
        {
            await using var session = store.QuerySession(byTenant.Key);
            var dispatchIds = byTenant.Select(e => e.Data).OfType<IDispatchEvent>().Select(d => d.DispatchId).Distinct().ToArray();
            if (dispatchIds.Length > 0)
                foreach (var d in await session.LoadManyAsync<Dispatch>(cancellation, dispatchIds)) dispatches[d.Id] = d;
            var inboundIds = byTenant.Select(e => e.Data).OfType<InboundEventRouted>().Select(r => r.InboundEventId).Distinct().ToArray();
            if (inboundIds.Length > 0)
                foreach (var i in await session.LoadManyAsync<InboundEvent>(cancellation, inboundIds)) inbound[i.Id] = i;
        }
        return new Sources(dispatches, inbound);
    }
}

/// <summary>
/// Fans a webhook event out: one delivery (a stream of its own, in the event's location) per endpoint that receives it,
/// each sent at once. Runs one message at a time, so deliveries are created in event order.
/// </summary>
public static class PublishWebhookEventHandler
{
    public static async Task<OutgoingMessages> Handle(PublishWebhookEvent message, IDocumentSession session, WebhookSettings settings,
        TimeProvider clock, CancellationToken cancellation)
    {
        var customer = message.CustomerId;
        if (customer is null && message.TenantId is { } tenant)
        {
            customer = (await session.LoadAsync<RaffsSync.Domain.Access.Location>(tenant, cancellation))?.CustomerId;
            if (customer is null) return []; // a location no customer owns has no endpoints
        }

        IQueryable<WebhookEndpoint> candidates = session.Query<WebhookEndpoint>().Where(x => x.Enabled && !x.Deleted);
        if (customer is not null) candidates = candidates.Where(x => x.CustomerId == customer);

        var messages = new OutgoingMessages();
        var now = clock.GetUtcNow();
        var receiving = (await candidates.ToListAsync(cancellation))
            .Where(x => x.Receives(message.EventType, message.TenantId) && (message.OccurredAt is not { } at || x.ExistedAt(at)));
        foreach (var endpoint in receiving)
        {
            var created = WebhookMessage.Deliver(endpoint, message.TenantId, message.EventType, message.Data, message.OrderKey, now,
                settings.MaxMessageBytes);
            session.ForTenant(message.TenantId ?? StorageConstants.DefaultTenantId).Events.StartStream<WebhookDelivery>(created.DeliveryId, created);
            messages.Add(DeliverWebhookHandler.Attempt(WebhookDelivery.Start(created), 1, null));
        }
        return messages;
    }
}
