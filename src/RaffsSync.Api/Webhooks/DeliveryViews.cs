using System.Text.Json;
using RaffsSync.Api.Infrastructure.OpenApi;
using RaffsSync.Domain;
using RaffsSync.Domain.Webhooks;

namespace RaffsSync.Api.Webhooks;

/// <summary>One message to one endpoint, and where it stands.</summary>
/// <param name="Id">The delivery's id.</param>
/// <param name="MessageId">The <c>webhook-id</c> header: the same on every attempt and re-send of this message; receivers dedupe on it.</param>
/// <param name="EndpointId">The endpoint it goes to.</param>
/// <param name="EventType">The message's <c>type</c>.</param>
/// <param name="TenantId">The location the message concerns, if any.</param>
/// <param name="Status"><c>pending</c> (waiting for its first attempt, or on an ordered endpoint for the messages before it), <c>retry_scheduled</c>, and the final <c>succeeded</c>, <c>failed</c> (every attempt failed, or 410 Gone) and <c>abandoned</c> (the endpoint was disabled or deleted first).</param>
/// <param name="Attempts">Attempts made so far.</param>
/// <param name="LastStatusCode">The endpoint's status on the last attempt, if it answered.</param>
/// <param name="LastError">Why the last attempt got no answer, if it did not.</param>
/// <param name="NextAttemptAt">When the next attempt is due, while a retry is scheduled.</param>
/// <param name="CreatedAt">When the message was queued.</param>
/// <param name="CompletedAt">When it reached a final status.</param>
public sealed record DeliveryView(
    Guid Id,
    string MessageId,
    Guid EndpointId,
    string EventType,
    string? TenantId,
    string Status,
    int Attempts,
    int? LastStatusCode,
    string? LastError,
    DateTimeOffset? NextAttemptAt,
    DateTimeOffset CreatedAt,
    DateTimeOffset? CompletedAt)
{
    public static DeliveryView From(WebhookDelivery d) => new(d.Id, d.MessageId, d.EndpointId, d.EventType, d.TenantId,
        EnumNames.Snake(d.Status), d.Attempts, d.LastStatusCode, d.LastError, d.NextAttemptAt, d.CreatedAt, d.CompletedAt);
}

/// <summary>One attempt: what the endpoint answered, or why there was no answer.</summary>
/// <param name="Attempt">The attempt's number, from 1; re-sends continue the count.</param>
/// <param name="StatusCode">The endpoint's HTTP status; absent when it did not answer.</param>
/// <param name="LatencyMs">How long the attempt took, in milliseconds.</param>
/// <param name="ResponseBody">The endpoint's answer as text, cut at 16 KB.</param>
/// <param name="ResponseTruncated">Whether <c>response_body</c> was cut.</param>
/// <param name="Error">Why there was no answer: refused, timed out, or an address webhooks may not reach.</param>
/// <param name="AttemptedAt">When the attempt ended.</param>
public sealed record DeliveryAttemptView(int Attempt, int? StatusCode, long LatencyMs, string? ResponseBody, bool ResponseTruncated, string? Error,
    DateTimeOffset AttemptedAt);

/// <summary>A delivery with the message it sends and every attempt.</summary>
/// <param name="Delivery">The delivery and its status.</param>
/// <param name="Payload">The message exactly as sent: <c>{type, timestamp, data}</c>.</param>
/// <param name="AttemptLog">Every attempt, oldest first.</param>
public sealed record DeliveryDetail(DeliveryView Delivery, JsonElement Payload, IReadOnlyList<DeliveryAttemptView> AttemptLog);

/// <summary>A message queued to an endpoint; poll <c>location</c> for its attempts.</summary>
/// <param name="Id">The delivery's id.</param>
/// <param name="MessageId">The message's <c>webhook-id</c>.</param>
/// <param name="Status">Its status now.</param>
/// <param name="Location">Where the delivery is read.</param>
public sealed record DeliveryAccepted(Guid Id, string MessageId, string Status, string Location);

/// <summary>Which messages a recovery sends again: those created from <c>since</c> until <c>until</c> (default now).</summary>
/// <param name="Since">The start of the window (inclusive), an RFC 3339 time.</param>
/// <param name="Until">The end of the window (exclusive); default now.</param>
public sealed record RecoverWebhookMessages(DateTimeOffset? Since, DateTimeOffset? Until) : IExample<RecoverWebhookMessages>
{
    public static RecoverWebhookMessages Example => new(new DateTimeOffset(2026, 12, 1, 0, 0, 0, TimeSpan.Zero), new DateTimeOffset(2026, 12, 2, 0, 0, 0, TimeSpan.Zero));
}

/// <summary>A recovery job: the failed messages of a window, sent again in batches.</summary>
/// <param name="Id">The job's id.</param>
/// <param name="EndpointId">The endpoint whose messages it sends again.</param>
/// <param name="Since">The window's start.</param>
/// <param name="Until">The window's end.</param>
/// <param name="Status"><c>running</c> or <c>completed</c>.</param>
/// <param name="Resent">Messages sent again so far.</param>
/// <param name="StartedAt">When it started.</param>
/// <param name="CompletedAt">When it finished.</param>
public sealed record RecoveryView(Guid Id, Guid EndpointId, DateTimeOffset Since, DateTimeOffset Until, string Status, int Resent,
    DateTimeOffset StartedAt, DateTimeOffset? CompletedAt)
{
    public static RecoveryView From(WebhookRecovery r) => new(r.Id, r.EndpointId, r.Since, r.Until, r.Status, r.Resent, r.StartedAt, r.CompletedAt);
}
