using Microsoft.Extensions.Logging;
using JasperFx.Events.Projections;
using Marten;
using RaffsSync.Domain.Access;
using RaffsSync.Domain.Connections;
using RaffsSync.Domain.Dispatches;
using RaffsSync.Domain.Registry;
using RaffsSync.Domain.Reports;
using RaffsSync.Projections.Access;
using RaffsSync.Projections.Audit;
using RaffsSync.Projections.Connections;
using RaffsSync.Projections.Dispatches;
using RaffsSync.Projections.Registry;
using RaffsSync.Projections.Reports;
using RaffsSync.Projections.Webhooks;
using RaffsSync.Projections.Inbound;
using RaffsSync.Domain.Webhooks;
using RaffsSync.Domain.Inbound;

namespace RaffsSync.Projections;

public static class ProjectionRegistration
{
    /// <summary>
    /// Dispatch streams belong to a location (conjoined tenancy). Registry and access streams are
    /// global: their events and documents live under the default tenant whatever session wrote them.
    /// </summary>
    public static void AddRaffsSyncProjections(this StoreOptions opts, ILoggerFactory? loggers = null)
    {
        opts.Projections.Add<DispatchProjection>(ProjectionLifecycle.Inline);
        // The list's filters and default sort. The conjoined primary key is (tenant_id, id), which a read by
        // id alone (GET /dispatches/{id}, whose caller may see several locations) cannot use: it has its own.
        opts.Schema.For<Dispatch>().MultiTenanted()
            .Index(x => x.Id)
            .Index(x => x.CreatedAt)
            .Index(x => x.Status)
            .Index(x => x.Provider)
            .Index(x => x.RouteKey);

        opts.Projections.Add<ConnectionProjection>(ProjectionLifecycle.Inline);
        opts.Schema.For<Connection>().MultiTenanted()
            .Index(x => x.Id)
            .Index(x => x.Provider)
            // One active connection per location, provider and environment, also when creates race (the loser is a 409).
            .Index([x => x.Provider, x => x.Environment], index =>
            {
                index.Name = "ix_connection_one_active";
                index.IsUnique = true;
                index.TenancyScope = Marten.Schema.Indexing.Unique.TenancyScope.PerTenant;
                index.Predicate = "(data ->> 'active') = 'true'";
            });

        opts.Projections.AddGlobalProjection(new ReplayJobProjection(), ProjectionLifecycle.Inline);
        opts.Projections.AddGlobalProjection(new ProviderProjection(), ProjectionLifecycle.Inline);
        opts.Projections.AddGlobalProjection(new RouteProjection(), ProjectionLifecycle.Inline);
        opts.Projections.AddGlobalProjection(new ApiKeyProjection(), ProjectionLifecycle.Inline);
        opts.Schema.For<ApiKey>().UniqueIndex(x => x.SecretHash);
        opts.Projections.AddGlobalProjection(new CustomerProjection(), ProjectionLifecycle.Inline);
        opts.Projections.AddGlobalProjection(new OAuthClientProjection(), ProjectionLifecycle.Inline);
        opts.Schema.For<OAuthClient>().UniqueIndex(x => x.ClientId);
        opts.Schema.For<Location>().Index(x => x.CustomerId);

        // Webhook endpoints are the customer's (global streams); deliveries and inbound events belong to a location,
        // except deliveries of events that are no location's (route.changed, webhook.endpoint.disabled).
        opts.Projections.AddGlobalProjection(new WebhookEndpointProjection(), ProjectionLifecycle.Inline);
        opts.Schema.For<WebhookEndpoint>().Index(x => x.CustomerId);
        opts.Projections.Add<WebhookDeliveryProjection>(ProjectionLifecycle.Inline);
        opts.Schema.For<WebhookDelivery>().MultiTenanted()
            .Index(x => x.Id)
            .Index(x => x.EndpointId)
            .Index(x => x.CreatedAt)
            .Index(x => x.Status);
        opts.Projections.AddGlobalProjection(new WebhookRecoveryProjection(), ProjectionLifecycle.Inline);
        opts.Schema.For<EndpointHealth>();
        opts.Projections.Add<InboundEventProjection>(ProjectionLifecycle.Inline);
        opts.Schema.For<InboundEvent>().MultiTenanted().Index(x => x.Id).Index(x => x.ReceivedAt);

        // Run by the async daemon: the audit log (its own append-only table, emptied only by 'audit rebuild',
        // which can get past the table's triggers) and the daily reports.
        opts.Storage.ExtendedSchemaObjects.Add(AuditLogTable.Define(opts.DatabaseSchemaName));
        opts.Projections.Subscribe(new AuditLogSubscription(loggers?.CreateLogger<AuditLogSubscription>()));
        opts.Projections.Add<DispatchDayProjection>(ProjectionLifecycle.Async);
        opts.Schema.For<DispatchDay>().MultiTenanted().Index(x => x.Day);
    }
}
