using System.ComponentModel.DataAnnotations;
using RaffsSync.Api.Infrastructure.OpenApi;
using RaffsSync.Domain;
using RaffsSync.Domain.Webhooks;

namespace RaffsSync.Api.Webhooks;

/// <summary>A new webhook endpoint. Only <c>url</c> and <c>event_types</c> must be sent.</summary>
/// <param name="Url">Where the messages are POSTed: an absolute https URL whose host resolves only to public addresses (see the operation).</param>
/// <param name="Description">A label for people.</param>
/// <param name="EventTypes">What it receives: event types (<c>dispatch.failed</c>), prefix patterns (<c>dispatch.*</c>) or <c>*</c>; see <c>GET /api/v1/webhooks/event-types</c>.</param>
/// <param name="TenantIds">The customer's locations whose events it receives. Left out or empty: all of them, also those added later (for a credential limited to some locations: those).</param>
/// <param name="Enabled">Whether messages are sent to it; default true.</param>
/// <param name="Ordered">Deliver its messages one at a time in event order, a failing one holding those behind it; default false.</param>
/// <param name="RateLimit">At most this many deliveries per second, 1 to 1000; left out, no limit of its own.</param>
/// <param name="CustomerId">The customer it belongs to: required from internal callers; customers may leave it out or send their own.</param>
public sealed record CreateWebhookEndpoint(
    [property: Required, MaxLength(WebhookEndpointRules.MaxUrlLength)] string? Url = null,
    [property: MaxLength(IdentifierLimits.Reason)] string? Description = null,
    [property: Required, MaxLength(WebhookEndpointRules.MaxEventTypes)] List<string?>? EventTypes = null,
    List<string?>? TenantIds = null,
    bool? Enabled = null,
    bool? Ordered = null,
    [property: Range(WebhookEndpointRules.MinRateLimit, WebhookEndpointRules.MaxRateLimit)] int? RateLimit = null,
    [property: MaxLength(IdentifierLimits.Id)] string? CustomerId = null) : IExample<CreateWebhookEndpoint>
{
    public static CreateWebhookEndpoint Example => new("https://hooks.kopikita.example/raffssync", "Back office: failed dispatches",
        [WebhookEventTypes.DispatchFailed, WebhookEventTypes.DispatchDeadLettered], ["29"], CustomerId: "cus_0193a3f4c2b87d10a5e6f7a8b9c0d1e2");
}

/// <summary>A change to a webhook endpoint: what is left out stays as it is; <c>description</c> and <c>rate_limit</c> are removed by sending null.</summary>
/// <param name="Url">The new URL, checked as at creation.</param>
/// <param name="Description">The new label; null removes it.</param>
/// <param name="EventTypes">The new event types and patterns; they replace the current ones.</param>
/// <param name="TenantIds">The new locations; empty means all of the customer's (for a credential limited to some locations: those).</param>
/// <param name="Enabled">false stops deliveries; true starts them again, also for an endpoint RaffsSync disabled.</param>
/// <param name="Ordered">Deliver one at a time in event order.</param>
/// <param name="RateLimit">At most this many deliveries per second, 1 to 1000; null removes the limit.</param>
public sealed record ChangeWebhookEndpoint(
    [property: MaxLength(WebhookEndpointRules.MaxUrlLength)] string? Url = null,
    [property: MaxLength(IdentifierLimits.Reason)] string? Description = null,
    [property: MaxLength(WebhookEndpointRules.MaxEventTypes)] List<string?>? EventTypes = null,
    List<string?>? TenantIds = null,
    bool? Enabled = null,
    bool? Ordered = null,
    [property: Range(WebhookEndpointRules.MinRateLimit, WebhookEndpointRules.MaxRateLimit)] int? RateLimit = null)
    : IExample<ChangeWebhookEndpoint>
{
    public static ChangeWebhookEndpoint Example => new(EventTypes: ["dispatch.*"], Enabled: true);
}

/// <summary>A webhook endpoint as the API shows it: never its secret.</summary>
/// <param name="Id">The endpoint's id.</param>
/// <param name="CustomerId">The customer it belongs to.</param>
/// <param name="Url">Where messages are POSTed.</param>
/// <param name="Description">Its label; null if none.</param>
/// <param name="EventTypes">The event types and patterns it receives.</param>
/// <param name="TenantIds">The locations whose events it receives; empty means all of the customer's.</param>
/// <param name="Enabled">Whether messages are sent to it.</param>
/// <param name="DisabledReason">Why RaffsSync disabled it (410 Gone, days of failures); null otherwise. PATCH <c>enabled: true</c> starts it again.</param>
/// <param name="Ordered">Whether its messages are delivered one at a time in event order.</param>
/// <param name="RateLimit">Deliveries per second at most; null for no limit of its own.</param>
/// <param name="SecretFingerprint">Tells its signing secrets apart (16 hex digits of the key's SHA-256); never the secret.</param>
/// <param name="PreviousSecretValidUntil">After a rotation, until when messages are signed with the previous secret as well; null before any.</param>
/// <param name="CreatedAt">When it was created.</param>
/// <param name="UpdatedAt">When it last changed.</param>
public record WebhookEndpointView(
    Guid Id,
    string CustomerId,
    string Url,
    string? Description,
    IReadOnlyList<string> EventTypes,
    IReadOnlyList<string> TenantIds,
    bool Enabled,
    string? DisabledReason,
    bool Ordered,
    int? RateLimit,
    string SecretFingerprint,
    DateTimeOffset? PreviousSecretValidUntil,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt)
{
    public static WebhookEndpointView From(WebhookEndpoint e) => new(e.Id, e.CustomerId, e.Url, e.Description, e.EventTypes, e.TenantIds,
        e.Enabled, e.DisabledReason, e.Ordered, e.RateLimit, e.SecretFingerprint, e.PreviousSecretValidUntil, e.CreatedAt, e.UpdatedAt);
}

/// <summary>The one answer that carries an endpoint's signing secret: its creation.</summary>
public sealed record CreatedWebhookEndpointView(
    Guid Id, string CustomerId, string Url, string? Description, IReadOnlyList<string> EventTypes, IReadOnlyList<string> TenantIds,
    bool Enabled, string? DisabledReason, bool Ordered, int? RateLimit, string SecretFingerprint, DateTimeOffset? PreviousSecretValidUntil,
    DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt, string Secret)
    : WebhookEndpointView(Id, CustomerId, Url, Description, EventTypes, TenantIds, Enabled, DisabledReason, Ordered, RateLimit,
        SecretFingerprint, PreviousSecretValidUntil, CreatedAt, UpdatedAt)
{
    /// <summary>The signing secret (<c>whsec_</c> and base64), shown here only: store it now. Verify each message's <c>webhook-signature</c> with it (Standard Webhooks).</summary>
    public string Secret { get; init; } = Secret;

    public static CreatedWebhookEndpointView From(WebhookEndpoint e, string secret) => new(e.Id, e.CustomerId, e.Url, e.Description,
        e.EventTypes, e.TenantIds, e.Enabled, e.DisabledReason, e.Ordered, e.RateLimit, e.SecretFingerprint, e.PreviousSecretValidUntil,
        e.CreatedAt, e.UpdatedAt, secret);
}

/// <summary>The answer to a secret rotation: the new secret, shown here only.</summary>
/// <param name="Secret">The new signing secret (<c>whsec_...</c>): store it now.</param>
/// <param name="PreviousSecretValidUntil">Until then messages carry a signature with the previous secret as well, so receivers can switch over.</param>
public sealed record RotatedWebhookSecretView(string Secret, DateTimeOffset PreviousSecretValidUntil);
