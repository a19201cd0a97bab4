using JasperFx;
using Marten;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using RaffsSync.Api.Access;
using RaffsSync.Api.Infrastructure.Http;
using RaffsSync.Api.Infrastructure.OpenApi;
using RaffsSync.Domain.Access;
using RaffsSync.Domain.Webhooks;
using Wolverine;
using Wolverine.Http;
using Wolverine.Marten;

namespace RaffsSync.Api.Webhooks;

/// <summary>Run the next batch of a recovery job.</summary>
public sealed record RunWebhookRecovery(Guid RecoveryId);

/// <summary>
/// Sending finished messages again: one on request, or every failed message of a window as a background job that walks
/// them in creation order, a batch at a time, recording its progress.
/// </summary>
public static class WebhookRecoveries
{
    public const int BatchSize = 100;

    /// <summary>Appends the re-send to the delivery's stream; the attempt message goes with it.</summary>
    public static DeliveryMessage<DeliverWebhook> Resend(IDocumentSession session, WebhookDelivery delivery, string reason, Guid? recoveryId,
        DateTimeOffset now)
    {
        var resent = new WebhookDeliveryResent(delivery.Id, reason, recoveryId, now);
        session.ForTenant(delivery.TenantId ?? StorageConstants.DefaultTenantId).Events.Append(delivery.Id, resent);
        return DeliverWebhookHandler.Attempt(delivery.After(resent), delivery.Attempts + 1, null);
    }

    /// <summary>Get a recovery job</summary>
    /// <remarks>Its window, status (<c>running</c> or <c>completed</c>) and how many messages it has sent again.</remarks>
    [Authorize(Policy = Scopes.WebhooksWrite)]
    [Authorize(Policy = CallerPolicies.CustomerOrInternal)]
    [WolverineGet("/api/v1/webhooks/recoveries/{id}", OperationId = "getWebhookRecovery")]
    public static async Task<Results<Ok<RecoveryView>, ProblemHttpResult>> Get(string id, IQuerySession session, Caller caller,
        CancellationToken cancellation) =>
        Guid.TryParse(id, out var recoveryId) && await session.LoadAsync<WebhookRecovery>(recoveryId, cancellation) is { } recovery
            && await WebhookAccess.FindEndpointAsync(session, recovery.EndpointId.ToString(), caller, cancellation) is not null
            ? TypedResults.Ok(RecoveryView.From(recovery))
            : TypedResults.Problem(ApiProblems.Create(404, "not_found", $"Webhook recovery '{id}' was not found."));
}

public static class RunWebhookRecoveryHandler
{
    /// <summary>One batch: the next failed messages of the window after where the last batch stopped; then the next batch, or done.</summary>
    public static async Task<OutgoingMessages> Handle(RunWebhookRecovery command, IDocumentSession session, TimeProvider clock,
        CancellationToken cancellation)
    {
        var stream = await session.Events.FetchForWriting<WebhookRecovery>(command.RecoveryId, cancellation);
        if (stream.Aggregate is not { Status: "running" } recovery) return [];

        var batch = session.Query<WebhookDelivery>().Where(d => d.AnyTenant() && d.EndpointId == recovery.EndpointId
            && d.CreatedAt < recovery.Until
            && (d.Status == WebhookDeliveryStatus.Failed || d.Status == WebhookDeliveryStatus.Abandoned));
        batch = recovery.ResumeAfter is { } after ? batch.Where(d => d.CreatedAt > after) : batch.Where(d => d.CreatedAt >= recovery.Since);
        var deliveries = await batch.OrderBy(d => d.CreatedAt).Take(WebhookRecoveries.BatchSize).ToListAsync(cancellation);

        var now = clock.GetUtcNow();
        var messages = new OutgoingMessages();
        foreach (var delivery in deliveries) messages.Add(WebhookRecoveries.Resend(session, delivery, "recovery", recovery.Id, now));
        if (deliveries.Count > 0) stream.AppendOne(new WebhookRecoveryProgressed(recovery.Id, deliveries.Count, deliveries[^1].CreatedAt, now));
        if (deliveries.Count == WebhookRecoveries.BatchSize) messages.Add(new RunWebhookRecovery(recovery.Id));
        else stream.AppendOne(new WebhookRecoveryCompleted(recovery.Id, now));
        return messages;
    }
}

public static class RecoverWebhookMessagesEndpoint
{
    public static Task<WebhookEndpoint?> LoadAsync(string id, IQuerySession session, Caller caller, CancellationToken cancellation) =>
        WebhookAccess.FindEndpointAsync(session, id, caller, cancellation);

    public static ProblemDetails Validate(string id, RecoverWebhookMessages? input, WebhookEndpoint? endpoint, TimeProvider clock)
    {
        if (endpoint is null) return WebhookAccess.EndpointNotFoundProblem(id);
        var errors = new List<ProblemDetail>();
        if (input?.Since is null) errors.Add(new ProblemDetail("since", "required", "an RFC 3339 time: the start of the window"));
        else if ((input.Until ?? clock.GetUtcNow()) <= input.Since) errors.Add(new ProblemDetail("until", "invalid", "after since"));
        if (errors.Count > 0) return ApiProblems.Validation([.. errors]);
        return endpoint.Enabled
            ? WolverineContinue.NoProblems
            : WebhookAccess.EndpointDisabledProblem();
    }

    /// <summary>Recover failed messages</summary>
    /// <remarks>
    /// Starts a background job that sends again every message of the endpoint created in [<c>since</c>, <c>until</c>) that
    /// failed (every attempt failed, or it was abandoned while the endpoint was disabled), each with its own <c>webhook-id</c>;
    /// messages that succeeded are not sent. Answers 202; poll the <c>Location</c> for its progress.
    /// </remarks>
    [Authorize(Policy = Scopes.WebhooksWrite)]
    [Authorize(Policy = CallerPolicies.CustomerOrInternal)]
    [ProblemResponses(409)]
    [WolverinePost("/api/v1/webhooks/endpoints/{id}/recover", OperationId = "recoverWebhookMessages")]
    public static (Accepted<RecoveryView>, IStartStream, OutgoingMessages) Post(string id, RecoverWebhookMessages input, WebhookEndpoint endpoint,
        TimeProvider clock)
    {
        var now = clock.GetUtcNow();
        var started = new WebhookRecoveryStarted(Guid.CreateVersion7(), endpoint.Id, endpoint.CustomerId, input.Since!.Value, input.Until ?? now, now);
        var location = ResourcePath.Of("webhooks", "recoveries", started.RecoveryId);
        return (TypedResults.Accepted(location, RecoveryView.From(WebhookRecovery.Create(started))),
            MartenOps.StartStream<WebhookRecovery>(started.RecoveryId, started), [new RunWebhookRecovery(started.RecoveryId)]);
    }
}
