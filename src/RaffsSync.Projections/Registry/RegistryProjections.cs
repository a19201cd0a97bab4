using Marten.Events.Aggregation;
using RaffsSync.Domain.Registry;

namespace RaffsSync.Projections.Registry;

public partial class ProviderProjection : SingleStreamProjection<Provider, Guid>
{
    public Provider Create(ProviderRegistered e) => Provider.Create(e);
}

public partial class RouteProjection : SingleStreamProjection<Route, Guid>
{
    public Route Create(RouteDefined e) => Route.Create(e);
}
