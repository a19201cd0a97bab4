using RaffsSync.Domain.Access;
using RaffsSync.Domain.Registry;
using RaffsSync.Domain.Webhooks;

namespace RaffsSync.Domain.Audit;

/// <summary>Who an entry belongs to. Entries without a location or customer of their own inherit the owner of their stream.</summary>
public sealed record AuditOwner(string Scope, string? TenantId, string? CustomerId)
{
    public static readonly AuditOwner Internal = new(AuditScopes.Internal, null, null);

    /// <param name="tenantId">The location the event was recorded for, or null for global streams.</param>
    /// <param name="streamOwner">The owner of earlier entries of the same stream, if any.</param>
    public static AuditOwner For(object data, string? tenantId, AuditOwner? streamOwner) => data switch
    {
        _ when tenantId is not null => new(AuditScopes.Location, tenantId, null),
        ProviderRegistered or ProviderChanged or ProviderRetired
            or RouteDefined or RouteRevised or RouteDisabled or RouteEnabled or RouteRetired => new(AuditScopes.Registry, null, null),
        CustomerCreated e => new(AuditScopes.Customer, null, e.CustomerId),
        LocationAdded e => new(AuditScopes.Customer, e.TenantId, e.CustomerId),
        ApiKeyCreated { CustomerId: { } customer } => new(AuditScopes.Customer, null, customer),
        OAuthClientRegistered { CustomerId: { } customer } => new(AuditScopes.Customer, null, customer),
        WebhookEndpointCreated e => new(AuditScopes.Customer, null, e.CustomerId),
        WebhookDeliveryCreated e => new(AuditScopes.Customer, null, e.CustomerId),
        WebhookRecoveryStarted e => new(AuditScopes.Customer, null, e.CustomerId),
        _ => streamOwner is { Scope: AuditScopes.Customer } owner ? owner with { TenantId = null } : streamOwner ?? Internal
    };
}
