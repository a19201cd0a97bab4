using RaffsSync.Domain;
using RaffsSync.Domain.Registry;

namespace RaffsSync.Domain.Tests;

public sealed class ProviderRegistryTests
{
    private static readonly DateTimeOffset T0 = new(2026, 12, 1, 9, 0, 0, TimeSpan.Zero);
    private static readonly Dictionary<ProviderEnvironment, string> Urls = new() { [ProviderEnvironment.Sandbox] = "https://a.example" };
    private static readonly ProviderRegistered Registered = new("acme", "Acme", "none", Urls, T0);

    [Fact]
    public void a_key_can_be_registered_once()
    {
        Assert.Null(ProviderDecisions.AlreadyRegistered(null, "acme"));
        var conflict = ProviderDecisions.AlreadyRegistered(Provider.Create(Registered), "acme");
        Assert.Equal("conflict", conflict?.Code);
        Assert.Equal(conflict, ProviderDecisions.Register(Provider.Create(Registered), Registered));
    }

    [Fact]
    public void evolving_through_the_events_gives_what_the_projection_stores()
    {
        var changed = new ProviderChanged("acme", "Acme Corp", "bearer", Urls, T0.AddHours(1));
        var retired = new ProviderRetired("acme", T0.AddHours(2));

        var provider = new object[] { Registered, changed, retired }.Aggregate((Provider?)null, Provider.Evolve)!;

        Assert.Equal(Provider.Create(Registered).Apply(changed).Apply(retired), provider);
        Assert.Throws<ArgumentOutOfRangeException>(() => Provider.Evolve(provider, new RouteRetired("acme", "x", T0)));
    }
}
