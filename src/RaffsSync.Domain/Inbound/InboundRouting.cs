using System.Text.Json;
using System.Text.Json.Nodes;
using RaffsSync.Domain.Connections;
using RaffsSync.Domain.Dispatches;
using RaffsSync.Domain.Registry;
using RaffsSync.Domain.Templates;
using RaffsSync.Domain.Webhooks;

namespace RaffsSync.Domain.Inbound;

/// <summary>What a chain route's target resolves to for the event's location (each part null when it does not exist).</summary>
public sealed record ChainTargetState(Route? Route, Provider? Provider, Connection? Connection);

/// <summary>What routing an inbound event appends: its routed and unrouted events, and the dispatches chain routes start.</summary>
public sealed record InboundPlan(IReadOnlyList<IInboundEvent> Events, IReadOnlyList<DispatchRequested> Dispatches);

/// <summary>
/// Routes one received event: every enabled route of the provider whose current definition handles its event type runs.
/// <c>forward</c> routes are recorded for the webhook delivery to send; <c>chain</c> routes start a dispatch to their
/// target route. A chain that cannot start is recorded as unrouted, naming the route, and the others still run.
/// </summary>
public static class InboundRouting
{
    /// <summary>The provider's routes for this event type: enabled, not retired, current definition's <c>event</c> equal to it; by route key.</summary>
    public static IReadOnlyList<Route> Matching(IEnumerable<Route> routes, string eventType) =>
        routes.Where(r => r is { Enabled: true, Retired: false } && r.Current.Event == eventType
                          && r.Current.Kind is RouteDefinition.ForwardKind or RouteDefinition.ChainKind)
            .OrderBy(r => r.RouteKey, StringComparer.Ordinal).ToList();

    /// <param name="matching">From <see cref="Matching"/>.</param>
    /// <param name="chainTargets">For each chain route among them, by route key, what its target resolves to.</param>
    /// <param name="body">The whole body as received (not capped), the <c>event</c> chain mappings read.</param>
    /// <param name="connectionSettings">The settings of the connection the event came in on.</param>
    /// <param name="newDispatchId">Ids for the dispatches chain routes start.</param>
    public static InboundPlan Plan(InboundEventReceived received, IReadOnlyList<Route> matching,
        IReadOnlyDictionary<string, ChainTargetState> chainTargets, string body, IReadOnlyDictionary<string, string> connectionSettings,
        Func<Guid> newDispatchId, DateTimeOffset now)
    {
        if (matching.Count == 0)
            return new InboundPlan([new InboundEventUnrouted(received.InboundEventId, $"no enabled route for event type {received.EventType}", now)], []);

        var events = new List<IInboundEvent>();
        var dispatches = new List<DispatchRequested>();
        string? mappingDocument = null;
        foreach (var route in matching)
        {
            var definition = route.Current;
            if (definition.Kind == RouteDefinition.ForwardKind)
            {
                var forwardedAs = definition.Forward?.EventType ?? WebhookEventTypes.Forwarded(received.Provider, received.EventType);
                events.Add(new InboundEventRouted(received.InboundEventId, route.RouteKey, route.CurrentVersion, RouteDefinition.ForwardKind,
                    forwardedAs, null, now));
                continue;
            }

            mappingDocument ??= MappingDocument(received, body, connectionSettings);
            var target = chainTargets.GetValueOrDefault(route.RouteKey) ?? new ChainTargetState(null, null, null);
            switch (Chain(received, route, target, mappingDocument, newDispatchId, now))
            {
                case (null, { } reason):
                    events.Add(new InboundEventUnrouted(received.InboundEventId, $"route {route.RouteKey}: {reason}", now));
                    break;
                case ({ } requested, _):
                    dispatches.Add(requested);
                    events.Add(new InboundEventRouted(received.InboundEventId, route.RouteKey, route.CurrentVersion, RouteDefinition.ChainKind,
                        null, requested.DispatchId, now));
                    break;
            }
        }
        return new InboundPlan(events, dispatches);
    }

    /// <summary>What a chain's payload expression reads: <c>{event, inbound, connection}</c>.</summary>
    public static string MappingDocument(InboundEventReceived received, string body, IReadOnlyDictionary<string, string> connectionSettings)
    {
        JsonNode? @event;
        try
        {
            @event = JsonNode.Parse(body);
        }
        catch (JsonException)
        {
            @event = JsonValue.Create(body); // a body that is not JSON (event type and id from headers) reads as text
        }

        var settings = new JsonObject();
        foreach (var (name, value) in connectionSettings) settings[name] = value;
        return new JsonObject
        {
            ["event"] = @event,
            ["inbound"] = new JsonObject
            {
                ["id"] = received.InboundEventId.ToString(),
                ["provider"] = received.Provider,
                ["event_type"] = received.EventType,
                ["provider_event_id"] = received.ProviderEventId,
                ["received_at"] = received.ReceivedAt.ToUniversalTime().ToString("yyyy-MM-ddTHH:mm:ss.fffZ")
            },
            ["connection"] = new JsonObject { ["settings"] = settings }
        }.ToJsonString();
    }

    private static (DispatchRequested? Requested, string? Reason) Chain(InboundEventReceived received, Route route, ChainTargetState target,
        string mappingDocument, Func<Guid> newDispatchId, DateTimeOffset now)
    {
        var chain = route.Current.Chain!;
        var name = $"{chain.Provider}/{chain.RouteKey}";
        var environment = EnumNames.Snake(received.Environment);
        var refusal = target switch
        {
            { Provider: null } => $"provider '{chain.Provider}' does not exist",
            { Provider.Retired: true } => $"provider '{chain.Provider}' is retired",
            { Route: null } => $"target route {name} does not exist",
            { Route.Retired: true } => $"target route {name} is retired",
            { Route.Enabled: false } => $"target route {name} is disabled",
            { Route.Current.Kind: not RouteDefinition.Http } => $"target route {name} is not an http route",
            { Provider.NeedsConnection: true, Connection: null } =>
                $"location {received.TenantId} has no active {environment} connection to '{chain.Provider}'",
            _ => null
        };
        if (refusal is not null) return (null, refusal);

        JsonElement payload;
        try
        {
            using var mapped = JsonDocument.Parse(JsonExpression.Evaluate(chain.Payload, mappingDocument));
            payload = mapped.RootElement.Clone();
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            return (null, $"chain.payload could not be evaluated: {e.Message}");
        }
        if (payload.ValueKind == JsonValueKind.Null) return (null, $"chain.payload '{chain.Payload}' selects nothing from the event");
        if (PayloadBounds.Check(payload) is { } breach) return (null, $"the mapped payload is out of bounds at {breach.Field}: {breach.Hint}");

        var targetRoute = target.Route!;
        return (new DispatchRequested(newDispatchId(), received.TenantId, targetRoute.Provider, targetRoute.RouteKey, targetRoute.CurrentVersion,
            received.Environment, payload, now, target.Connection?.Id, CausedByInboundEvent: received.InboundEventId), null);
    }
}
