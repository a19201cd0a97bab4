namespace RaffsSync.Domain.Webhooks;

/// <summary>A customer asked to send again every failed message of an endpoint created in [<see cref="Since"/>, <see cref="Until"/>).</summary>
public sealed record WebhookRecoveryStarted(Guid RecoveryId, Guid EndpointId, string CustomerId, DateTimeOffset Since, DateTimeOffset Until,
    DateTimeOffset StartedAt);

/// <summary>One batch sent again; the next starts after <see cref="ResumeAfter"/> (a message's creation time).</summary>
public sealed record WebhookRecoveryProgressed(Guid RecoveryId, int Resent, DateTimeOffset ResumeAfter, DateTimeOffset At);

public sealed record WebhookRecoveryCompleted(Guid RecoveryId, DateTimeOffset CompletedAt);

public sealed record WebhookRecovery
{
    public Guid Id { get; init; }
    public Guid EndpointId { get; init; }
    public string CustomerId { get; init; } = "";
    public DateTimeOffset Since { get; init; }
    public DateTimeOffset Until { get; init; }
    /// <summary><c>running</c> or <c>completed</c>.</summary>
    public string Status { get; init; } = "running";
    public int Resent { get; init; }
    public DateTimeOffset? ResumeAfter { get; init; }
    public DateTimeOffset StartedAt { get; init; }
    public DateTimeOffset? CompletedAt { get; init; }

    public static WebhookRecovery Create(WebhookRecoveryStarted e) => new()
    {
        Id = e.RecoveryId, EndpointId = e.EndpointId, CustomerId = e.CustomerId, Since = e.Since, Until = e.Until, StartedAt = e.StartedAt
    };

    public WebhookRecovery Apply(WebhookRecoveryProgressed e) => this with { Resent = Resent + e.Resent, ResumeAfter = e.ResumeAfter };

    public WebhookRecovery Apply(WebhookRecoveryCompleted e) => this with { Status = "completed", CompletedAt = e.CompletedAt };

    /// <summary>Messages a recovery sends again: those that failed every attempt, or were abandoned while the endpoint was disabled.</summary>
    public static bool Recovers(WebhookDelivery delivery) =>
        delivery.Status is WebhookDeliveryStatus.Failed or WebhookDeliveryStatus.Abandoned;
}
