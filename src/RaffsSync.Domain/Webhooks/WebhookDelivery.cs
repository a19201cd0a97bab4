namespace RaffsSync.Domain.Webhooks;

/// <summary>An event on a webhook delivery's stream (one message to one endpoint, with its attempts).</summary>
public interface IWebhookDeliveryEvent
{
    Guid DeliveryId { get; }
}

/// <summary>
/// One message for one endpoint. <see cref="MessageId"/> is the <c>webhook-id</c> receivers dedupe on: the same across
/// retries (and manual re-sends) of this delivery. <see cref="Body"/> is the exact JSON sent, <c>{type, timestamp, data}</c>.
/// </summary>
/// <param name="OrderKey">Where the message stands in event order (the source event's sequence); ordered endpoints get messages in this order.</param>
public sealed record WebhookDeliveryCreated(
    Guid DeliveryId,
    string MessageId,
    Guid EndpointId,
    string CustomerId,
    string? TenantId,
    string EventType,
    string Body,
    long OrderKey,
    DateTimeOffset CreatedAt) : IWebhookDeliveryEvent;

/// <summary>One attempt and what came back: a status (any), or an error when there was no answer. The body is capped.</summary>
public sealed record WebhookAttempted(
    Guid DeliveryId,
    int Attempt,
    int? StatusCode,
    long LatencyMs,
    string? ResponseBody,
    bool ResponseTruncated,
    string? Error,
    DateTimeOffset AttemptedAt) : IWebhookDeliveryEvent;

public sealed record WebhookDelivered(Guid DeliveryId, int Attempt, DateTimeOffset DeliveredAt) : IWebhookDeliveryEvent;

public sealed record WebhookRetryScheduled(Guid DeliveryId, int Attempt, DateTimeOffset NextAttemptAt, string Reason, DateTimeOffset ScheduledAt)
    : IWebhookDeliveryEvent;

/// <summary>Every attempt of the schedule failed (or the endpoint answered 410 Gone): the message stops until someone retries it.</summary>
public sealed record WebhookDeliveryFailed(Guid DeliveryId, int Attempt, string Reason, DateTimeOffset FailedAt) : IWebhookDeliveryEvent;

/// <summary>Not sent, and will not be: the endpoint was disabled or deleted before it could be.</summary>
public sealed record WebhookDeliveryAbandoned(Guid DeliveryId, string Reason, DateTimeOffset AbandonedAt) : IWebhookDeliveryEvent;

/// <summary>Someone asked to send a finished message again (a retry, or a recovery job): a new run of the schedule.</summary>
public sealed record WebhookDeliveryResent(Guid DeliveryId, string Reason, Guid? RecoveryId, DateTimeOffset RequestedAt) : IWebhookDeliveryEvent;

public enum WebhookDeliveryStatus
{
    /// <summary>Waiting for its first attempt (or, on an ordered endpoint, for the messages before it).</summary>
    Pending,
    RetryScheduled,
    Succeeded,
    Failed,
    Abandoned
}

public sealed record WebhookDelivery
{
    public Guid Id { get; init; }
    public string MessageId { get; init; } = "";
    public Guid EndpointId { get; init; }
    public string CustomerId { get; init; } = "";
    public string? TenantId { get; init; }
    public string EventType { get; init; } = "";
    public string Body { get; init; } = "";
    public long OrderKey { get; init; }
    public WebhookDeliveryStatus Status { get; init; }
    public int Attempts { get; init; }
    /// <summary>Attempts made before the current run: each run gets the whole schedule.</summary>
    public int AttemptsBeforeRun { get; init; }
    public int? LastStatusCode { get; init; }
    public string? LastError { get; init; }
    public DateTimeOffset? NextAttemptAt { get; init; }
    public DateTimeOffset CreatedAt { get; init; }
    public DateTimeOffset UpdatedAt { get; init; }
    public DateTimeOffset? CompletedAt { get; init; }

    public bool IsFinal => Status is WebhookDeliveryStatus.Succeeded or WebhookDeliveryStatus.Failed or WebhookDeliveryStatus.Abandoned;

    /// <summary>The attempt number within the current run of the schedule (1 for its first).</summary>
    public int AttemptInRun => Attempts - AttemptsBeforeRun;

    public static WebhookDelivery Start(WebhookDeliveryCreated e) => new()
    {
        Id = e.DeliveryId,
        MessageId = e.MessageId,
        EndpointId = e.EndpointId,
        CustomerId = e.CustomerId,
        TenantId = e.TenantId,
        EventType = e.EventType,
        Body = e.Body,
        OrderKey = e.OrderKey,
        Status = WebhookDeliveryStatus.Pending,
        CreatedAt = e.CreatedAt,
        UpdatedAt = e.CreatedAt
    };

    /// <summary>The one place each event changes a delivery (projection, handler and endpoints use it).</summary>
    public WebhookDelivery After(IWebhookDeliveryEvent @event) => @event switch
    {
        WebhookDeliveryCreated e => Start(e),
        WebhookAttempted e => this with { Attempts = e.Attempt, LastStatusCode = e.StatusCode, LastError = e.Error, UpdatedAt = e.AttemptedAt },
        WebhookRetryScheduled e => this with { Status = WebhookDeliveryStatus.RetryScheduled, NextAttemptAt = e.NextAttemptAt, UpdatedAt = e.ScheduledAt },
        WebhookDelivered e => Finish(WebhookDeliveryStatus.Succeeded, e.DeliveredAt),
        WebhookDeliveryFailed e => Finish(WebhookDeliveryStatus.Failed, e.FailedAt),
        WebhookDeliveryAbandoned e => Finish(WebhookDeliveryStatus.Abandoned, e.AbandonedAt),
        WebhookDeliveryResent e => this with
        {
            Status = WebhookDeliveryStatus.Pending,
            AttemptsBeforeRun = Attempts,
            NextAttemptAt = null,
            CompletedAt = null,
            UpdatedAt = e.RequestedAt
        },
        _ => throw new ArgumentOutOfRangeException(nameof(@event), @event.GetType().Name, "A delivery event with no handling.")
    };

    public static WebhookDelivery? Next(WebhookDelivery? delivery, IWebhookDeliveryEvent @event) =>
        delivery is null ? (@event as WebhookDeliveryCreated is { } created ? Start(created) : null) : delivery.After(@event);

    private WebhookDelivery Finish(WebhookDeliveryStatus status, DateTimeOffset at) => this with
    {
        Status = status,
        NextAttemptAt = null,
        UpdatedAt = at,
        CompletedAt = at
    };
}
