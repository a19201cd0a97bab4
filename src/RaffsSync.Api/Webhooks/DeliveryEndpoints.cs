using System.Text.Json;
using JasperFx;
using Marten;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Http.HttpResults;
using RaffsSync.Api.Access;
using RaffsSync.Api.Audit;
using RaffsSync.Api.Infrastructure.Http;
using RaffsSync.Api.Infrastructure.OpenApi;
using RaffsSync.Domain;
using RaffsSync.Domain.Access;
using RaffsSync.Domain.Webhooks;
using Wolverine;
using Wolverine.Http;
using Wolverine.Marten;

namespace RaffsSync.Api.Webhooks;

/// <summary>The query string of an endpoint's delivery log: a cursor, newest first, and filters.</summary>
public sealed class DeliveryListQuery : IQueryContract
{
    public const int DefaultLimit = 100, MaxLimit = 1_000;

    public static IReadOnlyList<QueryParameter> Parameters { get; } =
    [
        new("cursor", "`next_cursor` of the previous page, unchanged."),
        new("limit", $"Deliveries per page, 1 to {MaxLimit} (default {DefaultLimit}).", QueryValue.Integer, Minimum: 1, Maximum: MaxLimit),
        new("status", "Only deliveries with these statuses.", Enum: [.. Enum.GetValues<WebhookDeliveryStatus>().Select(s => EnumNames.Snake(s))],
            CommaSeparated: true, Filter: true),
        new("event_type", "Only messages of these types.", CommaSeparated: true, Filter: true),
        new("created_at[gte]", "Only messages queued at or after this time.", QueryValue.DateTime, Filter: true),
        new("created_at[lt]", "Only messages queued before this time.", QueryValue.DateTime, Filter: true)
    ];
}

public static class DeliveryEndpoints
{
    /// <summary>List an endpoint's deliveries</summary>
    /// <remarks>
    /// The messages queued to the endpoint, newest first, with their status; cursor pages (<c>limit</c>, then
    /// <c>next_cursor</c>). Filter by <c>status</c>, <c>event_type</c> and <c>created_at[gte|lt]</c>.
    /// </remarks>
    [Authorize(Policy = Scopes.WebhooksWrite)]
    [Authorize(Policy = CallerPolicies.CustomerOrInternal)]
    [QueryString<DeliveryListQuery>]
    [WolverineGet("/api/v1/webhooks/endpoints/{id}/deliveries", OperationId = "listWebhookDeliveries")]
    public static async Task<Results<Ok<CursorPage<DeliveryView>>, ProblemHttpResult>> List(string id, IQuerySession session, Caller caller,
        HttpContext context, CancellationToken cancellation)
    {
        if (await WebhookAccess.FindEndpointAsync(session, id, caller, cancellation) is not { } endpoint) return WebhookAccess.EndpointNotFound(id);

        var query = context.Request.Query;
        var errors = DeliveryListQuery.Parameters.UnknownIn(query)
            .Select(key => new ProblemDetail(key, "unknown_filter", "filters: status, event_type, created_at[gte], created_at[lt]; also cursor, limit"))
            .ToList();
        var limit = DeliveryListQuery.DefaultLimit;
        if (query["limit"].ToString() is { Length: > 0 } text && (!int.TryParse(text, out limit) || limit is < 1 or > DeliveryListQuery.MaxLimit))
            errors.Add(new ProblemDetail("limit", "invalid", $"1 to {DeliveryListQuery.MaxLimit}"));
        long? before = null;
        if (query["cursor"].ToString() is { Length: > 0 } cursor)
        {
            if (Cursor.TryDecode(cursor, out var ticks, out _) && ticks is > 0 and < 3155378975999999999) before = ticks;
            else errors.Add(new ProblemDetail("cursor", "invalid", "pass next_cursor from the previous page unchanged"));
        }
        var statuses = new List<WebhookDeliveryStatus>();
        foreach (var status in QueryFilters.Values(query, "status"))
        {
            if (Enum.GetValues<WebhookDeliveryStatus>().FirstOrDefault(s => EnumNames.Snake(s) == status) is var parsed && EnumNames.Snake(parsed) == status)
                statuses.Add(parsed);
            else errors.Add(new ProblemDetail("status", "invalid", "pending, retry_scheduled, succeeded, failed or abandoned"));
        }
        var from = QueryFilters.Time(query, "created_at", "gte", errors);
        var until = QueryFilters.Time(query, "created_at", "lt", errors);
        if (errors.Count > 0) return TypedResults.Problem(ApiProblems.Validation([.. errors]));

        var deliveries = session.Query<WebhookDelivery>().Where(d => d.AnyTenant() && d.EndpointId == endpoint.Id);
        if (caller.BoundTo() is { } bound) deliveries = deliveries.Where(d => d.TenantId == null || d.TenantId.IsOneOf(bound.ToArray()));
        if (statuses.Count > 0) deliveries = deliveries.Where(d => d.Status.IsOneOf(statuses.ToArray()));
        if (QueryFilters.Values(query, "event_type") is { Count: > 0 } types) deliveries = deliveries.Where(d => d.EventType.IsOneOf(types.ToArray()));
        if (from is { } gte) deliveries = deliveries.Where(d => d.CreatedAt >= gte);
        if (until is { } lt) deliveries = deliveries.Where(d => d.CreatedAt < lt);
        if (before is { } cursorTicks) deliveries = deliveries.Where(d => d.CreatedAt < new DateTimeOffset(cursorTicks, TimeSpan.Zero));

        var page = await deliveries.OrderByDescending(d => d.CreatedAt).Take(limit + 1).ToListAsync(cancellation);
        var shown = page.Take(limit).Select(DeliveryView.From).ToList();
        var next = shown.Count > 0 ? Cursor.Encode(shown[^1].CreatedAt.UtcTicks, descending: true) : query["cursor"].ToString() is { Length: > 0 } same ? same : null;
        return TypedResults.Ok(new CursorPage<DeliveryView>(shown, next, page.Count > limit));
    }

    /// <summary>Get a delivery</summary>
    /// <remarks>The message exactly as sent, its status, and every attempt with the endpoint's status, latency and answer (cut at 16 KB).</remarks>
    [Authorize(Policy = Scopes.WebhooksWrite)]
    [Authorize(Policy = CallerPolicies.CustomerOrInternal)]
    [WolverineGet("/api/v1/webhooks/deliveries/{id}", OperationId = "getWebhookDelivery")]
    public static async Task<Results<Ok<DeliveryDetail>, ProblemHttpResult>> Get(string id, IQuerySession session, IDocumentStore store, Caller caller,
        CancellationToken cancellation)
    {
        if (await WebhookAccess.FindDeliveryAsync(session, id, caller, cancellation) is not { } delivery) return WebhookAccess.DeliveryNotFound(id);

        await using var tenant = store.QuerySession(delivery.TenantId ?? StorageConstants.DefaultTenantId);
        var attempts = (await tenant.Events.FetchStreamAsync(delivery.Id, token: cancellation)).Select(e => e.Data).OfType<WebhookAttempted>()
            .Select(a => new DeliveryAttemptView(a.Attempt, a.StatusCode, a.LatencyMs, a.ResponseBody, a.ResponseTruncated, a.Error, a.AttemptedAt))
            .ToList();
        return TypedResults.Ok(new DeliveryDetail(DeliveryView.From(delivery), JsonDocument.Parse(delivery.Body).RootElement, attempts));
    }

    /// <summary>Send a message again</summary>
    /// <remarks>
    /// Sends a finished message (succeeded, failed or abandoned) again with the same <c>webhook-id</c>, through a new run of
    /// the retry schedule. A message still being tried is 409 <c>conflict</c>; so is one whose endpoint is disabled (enable it first).
    /// </remarks>
    [Authorize(Policy = Scopes.WebhooksWrite)]
    [Authorize(Policy = CallerPolicies.CustomerOrInternal)]
    [ProblemResponses(409)]
    [WolverinePost("/api/v1/webhooks/deliveries/{id}/retry", OperationId = "retryWebhookDelivery")]
    public static async Task<(Results<Accepted<DeliveryAccepted>, ProblemHttpResult>, OutgoingMessages)> Retry(string id, IDocumentSession session,
        Caller caller, TimeProvider clock, CancellationToken cancellation)
    {
        if (await WebhookAccess.FindDeliveryAsync(session, id, caller, cancellation) is not { } delivery) return (WebhookAccess.DeliveryNotFound(id), []);
        if (!delivery.IsFinal)
            return (TypedResults.Problem(ApiProblems.Create(409, "conflict", "The message is still being tried; wait for it to finish.")), []);
        if (await session.LoadAsync<WebhookEndpoint>(delivery.EndpointId, cancellation) is not { Enabled: true })
            return (EndpointDisabled(), []);

        var resend = WebhookRecoveries.Resend(session, delivery, "sent again on request", null, clock.GetUtcNow());
        var location = ResourcePath.Of("webhooks", "deliveries", delivery.Id);
        return (TypedResults.Accepted(location, new DeliveryAccepted(delivery.Id, delivery.MessageId, "pending", location)), [resend]);
    }

    private static ProblemHttpResult EndpointDisabled() =>
        TypedResults.Problem(WebhookAccess.EndpointDisabledProblem());

    /// <summary>Send a test message</summary>
    /// <remarks>Queues a <c>webhook.test</c> message to the endpoint (whatever its event types), signed like every other; answers 202 with the delivery to poll.</remarks>
    [Authorize(Policy = Scopes.WebhooksWrite)]
    [Authorize(Policy = CallerPolicies.CustomerOrInternal)]
    [ProblemResponses(409)]
    [WolverinePost("/api/v1/webhooks/endpoints/{id}/test", OperationId = "testWebhookEndpoint")]
    public static async Task<(Results<Accepted<DeliveryAccepted>, ProblemHttpResult>, OutgoingMessages)> Test(string id, IDocumentSession session,
        Caller caller, WebhookSettings settings, TimeProvider clock, CancellationToken cancellation)
    {
        if (await WebhookAccess.FindEndpointAsync(session, id, caller, cancellation) is not { } endpoint) return (WebhookAccess.EndpointNotFound(id), []);
        if (!endpoint.Enabled) return (EndpointDisabled(), []);

        var data = JsonSerializer.SerializeToElement(new Dictionary<string, object>
        {
            ["endpoint_id"] = endpoint.Id, ["message"] = "A test message from RaffsSync."
        });
        var created = WebhookMessage.Deliver(endpoint, null, WebhookEventTypes.Test, data, 0, clock.GetUtcNow(), settings.MaxMessageBytes);
        session.Events.StartStream<WebhookDelivery>(created.DeliveryId, created);

        var location = ResourcePath.Of("webhooks", "deliveries", created.DeliveryId);
        return (TypedResults.Accepted(location, new DeliveryAccepted(created.DeliveryId, created.MessageId, "pending", location)),
            [DeliverWebhookHandler.Attempt(WebhookDelivery.Start(created), 1, null)]);
    }
}
