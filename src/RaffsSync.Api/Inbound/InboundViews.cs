using System.Text.Json;
using System.Text.Json.Nodes;
using RaffsSync.Api.Infrastructure.OpenApi;
using RaffsSync.Domain;
using RaffsSync.Domain.Inbound;

namespace RaffsSync.Api.Inbound;

/// <summary>
/// An event as the provider pushes it: any JSON body (at most 1 MB), verified byte for byte as it arrives, so send it
/// exactly as it was signed. Where its event type and event id are, and how it is signed, the provider's <c>inbound</c>
/// settings say.
/// </summary>
public sealed record PushedEvent : IExample<JsonNode>
{
    public static JsonNode Example => JsonNode.Parse("""
        {"id": "evt_01J9Z4", "type": "order.created", "data": {"order_id": "A-1001", "total": 125000}}
        """)!;
}

/// <summary>One route that handled an inbound event.</summary>
/// <param name="RouteKey">The route's key (a route of the provider that pushed the event).</param>
/// <param name="RouteVersion">The route version that handled it.</param>
/// <param name="Kind"><c>forward</c> (sent to the location's webhook endpoints) or <c>chain</c> (a dispatch to another provider's route).</param>
/// <param name="ForwardedAs"><c>forward</c>: the webhook event type it is sent as (<c>sandbox.order.created</c>).</param>
/// <param name="DispatchId"><c>chain</c>: the dispatch it started (<c>GET /api/v1/dispatches/{id}</c>).</param>
/// <param name="RoutedAt">When it was routed.</param>
public sealed record InboundRouteView(string RouteKey, int RouteVersion, string Kind, string? ForwardedAs, Guid? DispatchId, DateTimeOffset RoutedAt)
{
    public static InboundRouteView From(InboundEventRouted e) => new(e.RouteKey, e.RouteVersion, e.Kind, e.ForwardedAs, e.DispatchId, e.RoutedAt);
}

/// <summary>The push was verified and stored, and its routes ran; read it at <c>Location</c>.</summary>
/// <param name="Id">The inbound event's id.</param>
/// <param name="Status"><c>routed</c> (at least one route took it) or <c>unrouted</c>.</param>
/// <param name="Routes">The routes that took it, with the webhook type it is forwarded as or the dispatch it started.</param>
/// <param name="UnroutedReason">Why no route, or why one of its routes, could not take it (the last reason when there are several; the audit log has each).</param>
public sealed record InboundEventAccepted(Guid Id, string Status, IReadOnlyList<InboundRouteView> Routes, string? UnroutedReason)
{
    public static InboundEventAccepted From(InboundEvent e) =>
        new(e.Id, e.Status, e.Routes.Select(InboundRouteView.From).ToList(), e.UnroutedReason);
}

/// <summary>The same event (the same provider event id on the same connection) arrived within the dedupe window: nothing was stored.</summary>
/// <param name="Id">The inbound event the first push became.</param>
/// <param name="Duplicate">Always true.</param>
public sealed record InboundEventDuplicate(Guid Id, bool Duplicate);

/// <summary>An event a provider pushed to a location's connection, and what its routes did with it.</summary>
/// <param name="Id">The inbound event's id.</param>
/// <param name="TenantId">The location the connection belongs to.</param>
/// <param name="Provider">The provider that pushed it.</param>
/// <param name="ConnectionId">The connection it was pushed to.</param>
/// <param name="Environment"><c>sandbox</c> or <c>production</c>: the connection's environment, which chained dispatches run in.</param>
/// <param name="Status"><c>routed</c> (at least one route took it) or <c>unrouted</c>.</param>
/// <param name="EventType">Its event type, read by the provider's <c>inbound.event_type</c>.</param>
/// <param name="ProviderEventId">The provider's id for it, read by <c>inbound.event_id</c>, if it has one.</param>
/// <param name="BodySha256">The SHA-256 of the whole body as received, in hex.</param>
/// <param name="BodyTruncated">True when the body was longer than 64 KB: only its first 64 KB are kept, and <c>body</c> is absent.</param>
/// <param name="Body">The body as JSON, when it was JSON and is kept whole.</param>
/// <param name="Routes">The routes that took it.</param>
/// <param name="UnroutedReason">Why no route, or why one of its routes, could not take it.</param>
/// <param name="ReceivedAt">When it arrived.</param>
/// <param name="UpdatedAt">When it was last routed.</param>
public sealed record InboundEventView(
    Guid Id,
    string TenantId,
    string Provider,
    Guid ConnectionId,
    string Environment,
    string Status,
    string EventType,
    string? ProviderEventId,
    string BodySha256,
    bool BodyTruncated,
    JsonElement? Body,
    IReadOnlyList<InboundRouteView> Routes,
    string? UnroutedReason,
    DateTimeOffset ReceivedAt,
    DateTimeOffset UpdatedAt)
{
    public static InboundEventView From(InboundEvent e) => new(e.Id, e.TenantId, e.Provider, e.ConnectionId, EnumNames.Snake(e.Environment),
        e.Status, e.EventType, e.ProviderEventId, e.BodySha256, e.BodyTruncated, e.BodyTruncated ? null : AsJson(e.Body),
        e.Routes.Select(InboundRouteView.From).ToList(), e.UnroutedReason, e.ReceivedAt, e.UpdatedAt);

    private static JsonElement? AsJson(string body)
    {
        try
        {
            using var document = JsonDocument.Parse(body);
            return document.RootElement.Clone();
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
