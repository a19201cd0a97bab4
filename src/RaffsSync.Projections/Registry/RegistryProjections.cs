using JasperFx.Events;
using Marten.Events.Aggregation;
using RaffsSync.Domain.Registry;

namespace RaffsSync.Projections.Registry;

public partial class ProviderProjection : SingleStreamProjection<Provider, Guid>
{
    public Provider Create(ProviderRegistered e) => Provider.Create(e);
    public Provider Apply(ProviderChanged e, Provider provider) => provider.Apply(e);
    public Provider Apply(ProviderRetired e, Provider provider) => provider.Apply(e);
}

/// <summary>Route versions carry who wrote them and from which request: the event's user name and correlation id.</summary>
public partial class RouteProjection : SingleStreamProjection<Route, Guid>
{
    public Route Create(IEvent<RouteDefined> e) => Route.Create(e.Data, Source(e));
    public Route Apply(IEvent<RouteRevised> e, Route route) => route.Apply(e.Data, Source(e));
    public Route Apply(RouteDisabled e, Route route) => route.Apply(e);
    public Route Apply(RouteEnabled e, Route route) => route.Apply(e);
    public Route Apply(RouteRetired e, Route route) => route.Apply(e);

    private static ChangeSource Source(IEvent e) => new(e.UserName, e.CorrelationId);
}
