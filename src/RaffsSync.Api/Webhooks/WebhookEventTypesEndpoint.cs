using System.Text.Json;
using Marten;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Http.HttpResults;
using RaffsSync.Api.Infrastructure.Http;
using RaffsSync.Api.Infrastructure.OpenApi;
using RaffsSync.Domain;
using RaffsSync.Domain.Access;
using RaffsSync.Domain.Dispatches;
using RaffsSync.Domain.Webhooks;
using RaffsSync.Domain.Registry;
using Route = RaffsSync.Domain.Registry.Route;
using Wolverine.Http;

namespace RaffsSync.Api.Webhooks;

/// <summary>An event type endpoints may subscribe to.</summary>
/// <param name="Name">What messages carry as <c>type</c>, and endpoints name in <c>event_types</c>.</param>
/// <param name="Description">When it is sent.</param>
/// <param name="Schema">A JSON Schema (2020-12) of the message's <c>data</c>; the body is always <c>{type, timestamp, data}</c>.</param>
public sealed record WebhookEventTypeView(string Name, string Description, JsonElement Schema);

public static class WebhookEventTypesEndpoint
{
    private const string SchemaDialect = "https://json-schema.org/draft/2020-12/schema";

    private static readonly string DispatchStatuses = string.Join(", ", Enum.GetValues<DispatchStatus>().Select(s => $"\"{EnumNames.Snake(s)}\""));
    private static readonly string FailureTypes = string.Join(", ", Enum.GetValues<FailureType>().Select(s => $"\"{EnumNames.Snake(s)}\""));

    private static JsonElement Schema(string json) => JsonDocument.Parse(json).RootElement.Clone();

    /// <summary>The dispatch as it ended; <c>status</c> is read when the message is composed, so a dispatch replayed at once may already show its next run's.</summary>
    private static JsonElement DispatchSchema(string outcome) => Schema($$$"""
        {"$schema": "{{{SchemaDialect}}}", "type": "object",
         "required": ["dispatch_id", "tenant_id", "provider", "route_key", "route_version", "status", "attempts", "completed_at"],
         "properties": {
           "dispatch_id": {"type": "string", "format": "uuid", "description": "The dispatch (GET /api/v1/dispatches/{id})."},
           "tenant_id": {"type": "string", "description": "The location it ran for."},
           "provider": {"type": "string"},
           "route_key": {"type": "string"},
           "route_version": {"type": "integer", "minimum": 1, "description": "The route version it was pinned to."},
           "status": {"type": "string", "enum": [{{{DispatchStatuses}}}], "description": "The dispatch's status when the message was composed: normally '{{{outcome}}}'."},
           "attempts": {"type": "integer", "minimum": 0, "description": "Provider calls made."},
           "failure_type": {"type": ["string", "null"], "enum": [{{{FailureTypes}}}, null], "description": "Why it failed, for failed dispatches."},
           "reason": {"type": ["string", "null"], "description": "What went wrong, for unsuccessful dispatches."},
           "completed_at": {"type": ["string", "null"], "format": "date-time", "description": "When it reached its outcome."}
         }}
        """);

    private static readonly IReadOnlyList<WebhookEventTypeView> Fixed =
    [
        new(WebhookEventTypes.DispatchSucceeded, "A dispatch succeeded: the provider accepted the request.", DispatchSchema("succeeded")),
        new(WebhookEventTypes.DispatchFailed, "A dispatch failed for good: the provider refused it, or every retry was used up.", DispatchSchema("failed")),
        new(WebhookEventTypes.DispatchDeadLettered, "A dispatch could not be processed and was set aside for an operator.", DispatchSchema("dead_lettered")),
        new(WebhookEventTypes.DispatchOutcomeUnknown,
            "A dispatch's provider call was interrupted (a timeout, a crash) and whether the provider acted is unknown; check before replaying.",
            DispatchSchema("outcome_unknown")),
        new(WebhookEventTypes.RouteChanged, "A route of the registry was defined, revised, enabled, disabled or retired. Sent to every customer's endpoints that subscribe.",
            Schema($$$"""
                {"$schema": "{{{SchemaDialect}}}", "type": "object", "required": ["provider", "route_key", "version", "change"],
                 "properties": {
                   "provider": {"type": "string"},
                   "route_key": {"type": "string"},
                   "version": {"type": ["integer", "null"], "minimum": 1, "description": "The new version, when the change defined or revised it; null otherwise."},
                   "change": {"type": "string", "enum": ["defined", "revised", "enabled", "disabled", "retired"]}
                 }}
                """)),
        new(WebhookEventTypes.EndpointDisabled,
            "RaffsSync disabled one of the customer's endpoints (it answered 410 Gone, or failed for days); sent to the customer's other endpoints that subscribe.",
            Schema($$$"""
                {"$schema": "{{{SchemaDialect}}}", "type": "object", "required": ["endpoint_id", "reason", "disabled_at"],
                 "properties": {
                   "endpoint_id": {"type": "string", "format": "uuid", "description": "The endpoint disabled (PATCH enabled: true starts it again)."},
                   "reason": {"type": "string"},
                   "disabled_at": {"type": "string", "format": "date-time"}
                 }}
                """)),
        new(WebhookEventTypes.Test, "A test message, sent on request (POST /api/v1/webhooks/endpoints/{id}/test) whatever the endpoint's event types.",
            Schema($$$"""
                {"$schema": "{{{SchemaDialect}}}", "type": "object", "required": ["endpoint_id", "message"],
                 "properties": {
                   "endpoint_id": {"type": "string", "format": "uuid"},
                   "message": {"type": "string"}
                 }}
                """))
    ];

    private static readonly JsonElement ForwardedSchema = Schema($$$"""
        {"$schema": "{{{SchemaDialect}}}",
         "description": "The provider's event body as it was pushed (JSON). A body over 64 KB, or one that is not JSON, is replaced by {inbound_event_id, body_truncated, body_sha256, body}."}
        """);

    /// <summary>List webhook event types</summary>
    /// <remarks>
    /// The event types an endpoint may subscribe to, each with a JSON Schema of its messages' `data`: the fixed ones
    /// (dispatch outcomes, route changes, endpoint disabled, test), then one per provider event that a `forward` route sends
    /// on, as `{provider}.{event}`. Endpoints may also subscribe to patterns: `dispatch.*`, or `*` for all.
    /// </remarks>
    [Authorize(Policy = Scopes.WebhooksWrite)]
    [QueryString<PageRequest>]
    [WolverineGet("/api/v1/webhooks/event-types", OperationId = "listWebhookEventTypes")]
    public static async Task<Ok<PageEnvelope<WebhookEventTypeView>>> List(IQuerySession session, HttpContext context, CancellationToken cancellation)
    {
        var page = PageRequest.From(context.Request);
        var forwarded = (await ForwardedTypesAsync(session, cancellation))
            .Select(type => new WebhookEventTypeView(type, $"A {type} event pushed by the provider, forwarded by its inbound route.", ForwardedSchema));
        var all = Fixed.Concat(forwarded).ToList();
        return TypedResults.Ok(page.Envelope(all.Skip(page.Skip).Take(page.PerPage).ToList(), all.Count, context.Request));
    }

    /// <summary>
    /// The types the enabled inbound <c>forward</c> routes of providers that are not retired send: <c>{provider}.{event}</c>
    /// (<see cref="WebhookEventTypes.Forwarded"/>) or the route's own <c>forward.event_type</c>, by name.
    /// </summary>
    public static async Task<IReadOnlyList<string>> ForwardedTypesAsync(IQuerySession session, CancellationToken cancellation)
    {
        var retired = (await session.Query<Provider>().Where(p => p.Retired).Select(p => p.Key).ToListAsync(cancellation)).ToHashSet();
        var routes = await session.Query<Route>().Where(r => r.Enabled && !r.Retired).ToListAsync(cancellation);
        return routes
            .Where(r => !retired.Contains(r.Provider) && r.Current is { Kind: "forward", Event: { } })
            .Select(r => r.Current.Forward?.EventType ?? WebhookEventTypes.Forwarded(r.Provider, r.Current.Event!))
            .Distinct().Order(StringComparer.Ordinal).ToList();
    }
}
