using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using RaffsSync.Api.Registry;
using RaffsSync.Domain;
using RaffsSync.Domain.Registry;
using Wolverine.Http;
using Wolverine.Marten;
using Route = RaffsSync.Domain.Registry.Route;

namespace RaffsSync.Api.Tests.Registry;

/// <summary>The registry's command endpoints as plain functions: aggregate in, answer and events out (no host, no database).</summary>
public sealed class RegistryEndpointUnitTests
{
    private sealed class FixedClock(DateTimeOffset now) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => now;
    }

    private static readonly DateTimeOffset T0 = new(2026, 12, 1, 9, 0, 0, TimeSpan.Zero);
    private static readonly TimeProvider Clock = new FixedClock(T0.AddHours(1));
    private static readonly Dictionary<ProviderEnvironment, string> Urls = new() { [ProviderEnvironment.Sandbox] = "https://a.example" };

    private static ProviderInput Input(string name) => new("acme", name, "none", new() { ["sandbox"] = "https://a.example" }, null);

    private static ProviderChange Change(string name) => new(null, name, "none", new() { ["sandbox"] = "https://a.example" }, null);

    private static Provider Acme() => Provider.Create(new ProviderRegistered("acme", "Acme", "none", Urls, T0));

    private static Route Ping() =>
        Route.Create(new RouteDefined("acme", "ping", 1, new RouteDefinition("http", new RequestTemplate("GET", "/ping")), T0), new("k", "r"));

    [Fact]
    public void registering_a_new_provider_answers_201_and_starts_its_stream()
    {
        var (answer, op) = RegisterProviderEndpoint.Post(Input("Acme"), existing: null, Clock);

        var created = Assert.IsType<Created<ProviderView>>(answer.Result);
        Assert.Equal("/api/v1/providers/acme", created.Location);
        Assert.IsType<ProviderRegistered>(Assert.Single(Assert.IsAssignableFrom<IStartStream>(op).Events));
    }

    [Fact]
    public void registering_an_existing_provider_is_409_conflict_and_writes_nothing()
    {
        var (answer, op) = RegisterProviderEndpoint.Post(Input("Acme"), Acme(), Clock);

        Assert.Equal("conflict", Assert.IsType<ProblemHttpResult>(answer.Result).ProblemDetails.Extensions["code"]);
        Assert.IsNotAssignableFrom<IStartStream>(op);
    }

    [Fact]
    public void changing_a_provider_answers_its_new_state_with_the_one_event_and_the_same_content_changes_nothing()
    {
        var (changed, events) = ChangeProviderEndpoint.Put("acme", Change("Acme Corp"), Acme(), Clock);
        Assert.Equal("Acme Corp", Assert.IsType<Ok<ProviderView>>(changed.Result).Value!.Name);
        Assert.IsType<ProviderChanged>(Assert.Single(events));

        var (same, none) = ChangeProviderEndpoint.Put("acme", Change("Acme"), Acme(), Clock);
        Assert.Equal(T0, Assert.IsType<Ok<ProviderView>>(same.Result).Value!.UpdatedAt);
        Assert.Empty(none);
    }

    [Fact]
    public void retiring_a_provider_or_route_that_does_not_exist_is_404_before_anything_is_decided()
    {
        var provider = RetireProviderEndpoint.Validate("ghost", existing: null);
        Assert.Equal((404, "provider_not_found"), (provider.Status, provider.Extensions["code"]));
        var route = RouteStatusEndpoints.Validate("acme", "ghost", route: null);
        Assert.Equal((404, "route_not_found"), (route.Status, route.Extensions["code"]));

        Assert.Same(WolverineContinue.NoProblems, RetireProviderEndpoint.Validate("acme", Acme()));
        Assert.Same(WolverineContinue.NoProblems, RouteStatusEndpoints.Validate("acme", "ping", Ping()));
    }

    [Fact]
    public void a_retired_route_cannot_be_enabled_and_disabling_a_disabled_route_appends_nothing()
    {
        var context = new DefaultHttpContext();
        var retired = Ping().Apply(new RouteRetired("acme", "ping", T0));
        var (refused, noEvents) = RouteStatusEndpoints.Enable(retired, context, Clock);
        Assert.Equal(409, Assert.IsType<ProblemHttpResult>(refused.Result).StatusCode);
        Assert.Empty(noEvents);

        var (disabled, events) = RouteStatusEndpoints.Disable(Ping(), context, Clock);
        Assert.Equal("disabled", Assert.IsType<Ok<RouteView>>(disabled.Result).Value!.Status);
        Assert.IsType<RouteDisabled>(Assert.Single(events));

        var (again, none) = RouteStatusEndpoints.Disable(Ping().Apply(new RouteDisabled("acme", "ping", T0)), context, Clock);
        Assert.Equal("disabled", Assert.IsType<Ok<RouteView>>(again.Result).Value!.Status);
        Assert.Empty(none);
    }
}
