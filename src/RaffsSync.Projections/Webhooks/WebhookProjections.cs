using JasperFx.Events;
using Marten.Events.Aggregation;
using RaffsSync.Domain.Webhooks;

namespace RaffsSync.Projections.Webhooks;

public partial class WebhookEndpointProjection : SingleStreamProjection<WebhookEndpoint, Guid>
{
    public WebhookEndpoint Create(WebhookEndpointCreated e) => WebhookEndpoint.Create(e);
    public WebhookEndpoint Apply(WebhookEndpointChanged e, WebhookEndpoint endpoint) => endpoint.Apply(e);
    public WebhookEndpoint Apply(WebhookEndpointDisabled e, WebhookEndpoint endpoint) => endpoint.Apply(e);
    public WebhookEndpoint Apply(WebhookEndpointDeleted e, WebhookEndpoint endpoint) => endpoint.Apply(e);
    public WebhookEndpoint Apply(WebhookSecretRotated e, WebhookEndpoint endpoint) => endpoint.Apply(e);
}

/// <summary>Inline, like dispatches: every event goes through <see cref="WebhookDelivery.After"/>.</summary>
public partial class WebhookDeliveryProjection : SingleStreamProjection<WebhookDelivery, Guid>
{
    public static readonly IReadOnlyList<Type> EventTypes = typeof(IWebhookDeliveryEvent).Assembly.GetTypes()
        .Where(t => t is { IsClass: true, IsAbstract: false } && typeof(IWebhookDeliveryEvent).IsAssignableFrom(t))
        .ToArray();

    public WebhookDeliveryProjection()
    {
        foreach (var type in EventTypes) IncludeType(type);
    }

    public override WebhookDelivery? Evolve(WebhookDelivery? snapshot, Guid id, IEvent e) =>
        e.Data is IWebhookDeliveryEvent @event ? WebhookDelivery.Next(snapshot, @event) : snapshot;
}

public partial class WebhookRecoveryProjection : SingleStreamProjection<WebhookRecovery, Guid>
{
    public WebhookRecovery Create(WebhookRecoveryStarted e) => WebhookRecovery.Create(e);
    public WebhookRecovery Apply(WebhookRecoveryProgressed e, WebhookRecovery recovery) => recovery.Apply(e);
    public WebhookRecovery Apply(WebhookRecoveryCompleted e, WebhookRecovery recovery) => recovery.Apply(e);
}
