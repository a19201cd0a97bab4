using Marten;
using RaffsSync.Domain.Registry;
using Route = RaffsSync.Domain.Registry.Route;

namespace RaffsSync.Api.Registry;

/// <summary>Starts a provider's or route's stream unless it already exists, so seeding can run on every start.</summary>
public static class RegistrySeeding
{
    public static async Task EnsureProviderAsync(IDocumentSession session, ProviderRegistered registered, CancellationToken cancellation)
    {
        var id = RegistryIds.Provider(registered.Key);
        if (await session.LoadAsync<Provider>(id, cancellation) is null)
            session.Events.StartStream<Provider>(id, registered);
    }

    public static async Task EnsureRouteAsync(IDocumentSession session, RouteDefined defined, CancellationToken cancellation)
    {
        var id = RegistryIds.Route(defined.Provider, defined.RouteKey);
        if (await session.LoadAsync<Route>(id, cancellation) is null)
            session.Events.StartStream<Route>(id, defined);
    }
}
