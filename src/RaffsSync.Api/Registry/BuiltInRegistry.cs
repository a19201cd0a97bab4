using Marten;
using Marten.Schema;
using RaffsSync.Domain;
using RaffsSync.Domain.Registry;

namespace RaffsSync.Api.Registry;

/// <summary>
/// The built-in <c>sandbox</c> provider, served by this service under <c>/sandbox</c>, so a
/// newcomer can dispatch something real right after start. Seeded once; re-seeding appends nothing.
/// </summary>
public sealed class BuiltInRegistry(TimeProvider clock) : IInitialData
{
    public const string SandboxProvider = "sandbox";

    public static readonly IReadOnlyDictionary<string, RouteDefinition> SandboxRoutes = new Dictionary<string, RouteDefinition>
    {
        ["orders.push"] = new("http", new RequestTemplate("POST", "/v1/orders"), [201]),
        ["orders.get"] = new("http", new RequestTemplate("GET", "/v1/orders/{{payload.order_id}}", Body: null), [200]),
        ["status.echo"] = new("http", new RequestTemplate("POST", "/v1/status/{{payload.status}}"))
    };

    public async Task Populate(IDocumentStore store, CancellationToken cancellation)
    {
        await using var session = store.LightweightSession();
        var now = clock.GetUtcNow();

        await RegistrySeeding.EnsureProviderAsync(session,
            new ProviderRegistered(SandboxProvider, "RaffsSync Sandbox (TakeApp-like orders)", "none",
                new Dictionary<ProviderEnvironment, string>
                {
                    [ProviderEnvironment.Sandbox] = "/sandbox",
                    [ProviderEnvironment.Production] = "/sandbox"
                }, now), cancellation);

        foreach (var (routeKey, definition) in SandboxRoutes)
        {
            await RegistrySeeding.EnsureRouteAsync(session,
                new RouteDefined(SandboxProvider, routeKey, 1, definition, now), cancellation);
        }

        await session.SaveChangesAsync(cancellation);
    }
}
