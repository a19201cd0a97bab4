namespace RaffsSync.Domain.Webhooks;

/// <summary>A customer's URL that receives signed webhook messages. Its secret lives sealed outside the event store.</summary>
/// <param name="TenantIds">The customer's locations whose events it receives; empty means all of them, also those added later.</param>
/// <param name="RateLimit">At most this many deliveries per second; null is no limit of its own.</param>
/// <param name="SecretFingerprint">Tells secrets apart in the audit log without showing one.</param>
public sealed record WebhookEndpointCreated(
    Guid EndpointId,
    string CustomerId,
    string Url,
    string? Description,
    IReadOnlyList<string> EventTypes,
    IReadOnlyList<string> TenantIds,
    bool Enabled,
    bool Ordered,
    int? RateLimit,
    string SecretFingerprint,
    DateTimeOffset CreatedAt);

/// <summary>The customer changed the endpoint; every member is its new value.</summary>
public sealed record WebhookEndpointChanged(
    Guid EndpointId,
    string Url,
    string? Description,
    IReadOnlyList<string> EventTypes,
    IReadOnlyList<string> TenantIds,
    bool Enabled,
    bool Ordered,
    int? RateLimit,
    DateTimeOffset ChangedAt);

/// <summary>RaffsSync stopped delivering to the endpoint (410 Gone, or failing for days); the customer enables it again with PATCH.</summary>
public sealed record WebhookEndpointDisabled(Guid EndpointId, string CustomerId, string Reason, DateTimeOffset DisabledAt);

public sealed record WebhookEndpointDeleted(Guid EndpointId, DateTimeOffset DeletedAt);

/// <summary>A new signing secret; the previous one still signs (beside it) until <see cref="PreviousValidUntil"/>.</summary>
public sealed record WebhookSecretRotated(Guid EndpointId, string SecretFingerprint, DateTimeOffset PreviousValidUntil, DateTimeOffset RotatedAt);

public sealed record WebhookEndpoint
{
    public Guid Id { get; init; }
    public string CustomerId { get; init; } = "";
    public string Url { get; init; } = "";
    public string? Description { get; init; }
    public IReadOnlyList<string> EventTypes { get; init; } = [];
    public IReadOnlyList<string> TenantIds { get; init; } = [];
    public bool Enabled { get; init; } = true;
    public bool Ordered { get; init; }
    public int? RateLimit { get; init; }
    public string? DisabledReason { get; init; }
    public bool Deleted { get; init; }
    public string SecretFingerprint { get; init; } = "";
    public DateTimeOffset? PreviousSecretValidUntil { get; init; }
    public DateTimeOffset CreatedAt { get; init; }
    public DateTimeOffset UpdatedAt { get; init; }

    public static WebhookEndpoint Create(WebhookEndpointCreated e) => new()
    {
        Id = e.EndpointId,
        CustomerId = e.CustomerId,
        Url = e.Url,
        Description = e.Description,
        EventTypes = e.EventTypes,
        TenantIds = e.TenantIds,
        Enabled = e.Enabled,
        Ordered = e.Ordered,
        RateLimit = e.RateLimit,
        SecretFingerprint = e.SecretFingerprint,
        CreatedAt = e.CreatedAt,
        UpdatedAt = e.CreatedAt
    };

    public WebhookEndpoint Apply(WebhookEndpointChanged e) => this with
    {
        Url = e.Url,
        Description = e.Description,
        EventTypes = e.EventTypes,
        TenantIds = e.TenantIds,
        Enabled = e.Enabled,
        DisabledReason = e.Enabled ? null : DisabledReason,
        Ordered = e.Ordered,
        RateLimit = e.RateLimit,
        UpdatedAt = e.ChangedAt
    };

    public WebhookEndpoint Apply(WebhookEndpointDisabled e) => this with { Enabled = false, DisabledReason = e.Reason, UpdatedAt = e.DisabledAt };

    public WebhookEndpoint Apply(WebhookEndpointDeleted e) => this with { Enabled = false, Deleted = true, UpdatedAt = e.DeletedAt };

    public WebhookEndpoint Apply(WebhookSecretRotated e) => this with
    {
        SecretFingerprint = e.SecretFingerprint,
        PreviousSecretValidUntil = e.PreviousValidUntil,
        UpdatedAt = e.RotatedAt
    };

    /// <summary>How much earlier than the endpoint's creation an event may be recorded and still reach it (the database and the
    /// service that created the endpoint keep their own clocks).</summary>
    public static readonly TimeSpan ClockTolerance = TimeSpan.FromMinutes(1);

    /// <summary>
    /// Whether the endpoint existed when an event was recorded: an endpoint receives what happens after it is made, not
    /// history (the publisher reading old events, after an upgrade say, sends them to no one).
    /// </summary>
    public bool ExistedAt(DateTimeOffset occurredAt) => occurredAt >= CreatedAt - ClockTolerance;

    /// <summary>Whether a message of this type, for this location (null: not a location's), goes to this endpoint.</summary>
    public bool Receives(string eventType, string? tenantId) =>
        Enabled && !Deleted
        && EventTypes.Any(pattern => WebhookEventTypes.Matches(pattern, eventType))
        && (tenantId is null || TenantIds.Count == 0 || TenantIds.Contains(tenantId));
}
