using RaffsSync.Domain;
using RaffsSync.Domain.Registry;

namespace RaffsSync.Domain.Tests;

public sealed class RouteRegistryTests
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 22, 9, 0, 0, TimeSpan.Zero);
    private static readonly RequestTemplate MinimalRequest = new("POST", "/v1/orders");
    private static readonly RouteDefinition Minimal = new("http", MinimalRequest);
    private static readonly ChangeSource Ana = new("key-ana", "req-1");

    private static IReadOnlyList<string> Fields(RouteDefinition definition) =>
        RouteValidation.Validate(definition).Select(e => e.Field).ToList();

    [Fact]
    public void the_minimal_route_of_the_contract_is_valid() => Assert.Empty(RouteValidation.Validate(Minimal));

    [Fact]
    public void the_full_example_of_the_contract_is_valid()
    {
        var full = new RouteDefinition("http",
            new RequestTemplate("POST", "/v1/orders",
                new Dictionary<string, string> { ["location"] = "{{connection.settings.outlet_id}}" },
                new Dictionary<string, string> { ["Idempotency-Key"] = "{{idempotency_key}}" }, "payload"),
            [200, 201], "PT10S", new AuthPlacement("bearer", Token: "{{credentials.token}}"),
            new ResponseMapping("data[*]", "{id: id}"),
            [
                new ErrorRule([429], Action: "rate_limited", MaxWait: "PT10M"),
                new ErrorRule([500, 502, 503, 504], Action: "retry"),
                new ErrorRule([401, 403], Action: "fail", FailureType: "configuration")
            ],
            new Backoff("exponential", "PT1S", 5, "PT10M"),
            new Pagination("cursor", Param: "cursor", Next: "meta.next_cursor"),
            new RateLimit(10, "PT1S"));

        Assert.Empty(RouteValidation.Validate(full));
    }

    [Fact]
    public void the_contracts_failure_type_config_is_accepted_as_configuration()
    {
        var route = Minimal with { ErrorRules = [new ErrorRule([401, 403], Action: "fail", FailureType: "config")] };
        Assert.Empty(RouteValidation.Validate(route));
        Assert.Equal("configuration", RouteValidation.CanonicalFailureType("config"));
        Assert.Equal("rejected", RouteValidation.CanonicalFailureType("rejected"));
    }

    [Fact]
    public void each_problem_names_its_field()
    {
        var broken = new RouteDefinition("soap", new RequestTemplate("FETCH", "v1/orders",
                Headers: new Dictionary<string, string> { ["X"] = "{{payload.a | b}}" }, Body: "payload.[["),
            [99], "ten seconds", new AuthPlacement("api_key", In: "cookie"),
            ErrorRules: [new ErrorRule(Action: "explode")],
            Backoff: new Backoff(MaxAttempts: 0),
            Pagination: new Pagination("cursor", MaxPages: 0));

        Assert.Equal(
        [
            "kind", "request.method", "request.path", "request.headers.X", "request.body", "success", "timeout",
            "auth.name", "auth.value", "auth.in", "error_rules[0].action", "error_rules[0].status",
            "backoff.max_attempts", "pagination.param", "pagination.next", "pagination.max_pages"
        ], Fields(broken));
    }

    [Theory]
    [InlineData("/orders/{{credentials.token}}", "request.path", "forbidden")]
    [InlineData("/orders/{{env.PATH}}", "request.path", "unknown_input")]
    [InlineData("/orders/{{payload.id}}", null, null)]
    public void url_templates_may_read_only_the_dispatch_inputs(string path, string? field, string? issue)
    {
        var errors = RouteValidation.Validate(Minimal with { Request = MinimalRequest with { Path = path } });

        if (field is null) Assert.Empty(errors);
        else Assert.Contains(errors, e => e.Field == field && e.Issue == issue);
    }

    [Fact]
    public void a_body_may_not_read_credentials()
    {
        var errors = RouteValidation.Validate(Minimal with { Request = MinimalRequest with { Body = "{t: credentials.token}" } });

        Assert.Equal("forbidden", Assert.Single(errors).Issue);
    }

    [Fact]
    public void defining_then_revising_makes_version_2_and_keeps_version_1()
    {
        var defined = Assert.IsType<Decision.Append>(RouteDecisions.Put(null, "acme", "orders.push", Minimal, null, T0));
        var v1 = Route.Create((RouteDefined)Assert.Single(defined.Events), Ana);

        var revisedDefinition = Minimal with { Timeout = "PT5S" };
        var revised = Assert.IsType<Decision.Append>(RouteDecisions.Put(v1, "acme", "orders.push", revisedDefinition, 1, T0.AddHours(1)));
        var v2 = v1.Apply((RouteRevised)Assert.Single(revised.Events), new ChangeSource("key-budi", "req-2"));

        Assert.Equal(2, v2.CurrentVersion);
        Assert.Equal(Minimal, v2.AtVersion(1));
        Assert.Equal(revisedDefinition, v2.AtVersion(2));
        Assert.Equal(["key-ana", "key-budi"], v2.Versions.Select(v => v.DefinedBy));
        Assert.Equal(["req-1", "req-2"], v2.Versions.Select(v => v.RequestId));
    }

    [Theory]
    [InlineData(null)]
    [InlineData(2)]
    [InlineData(0)]
    public void revising_without_the_current_version_conflicts(int? expected)
    {
        var v1 = Route.Create(new RouteDefined("acme", "orders.push", 1, Minimal, T0), Ana);

        var decision = RouteDecisions.Put(v1, "acme", "orders.push", Minimal with { Timeout = "PT5S" }, expected, T0);

        Assert.Equal("version_conflict", Assert.IsType<Decision.Conflict>(decision).Code);
    }

    [Fact]
    public void writing_the_current_definition_again_appends_nothing()
    {
        var v1 = Route.Create(new RouteDefined("acme", "orders.push", 1, Minimal with { Success = [201] }, T0), Ana);

        var decision = RouteDecisions.Put(v1, "acme", "orders.push", Minimal with { Success = [201] }, 1, T0);

        Assert.True(Assert.IsType<Decision.Append>(decision).ChangesNothing);
    }

    [Fact]
    public void disabling_twice_appends_once()
    {
        var v1 = Route.Create(new RouteDefined("acme", "orders.push", 1, Minimal, T0), Ana);

        var first = (Decision.Append)RouteDecisions.SetEnabled(v1, false, T0);
        var disabled = v1.Apply((RouteDisabled)first.Events[0]);
        var second = (Decision.Append)RouteDecisions.SetEnabled(disabled, false, T0);

        Assert.False(disabled.Enabled);
        Assert.Single(first.Events);
        Assert.True(second.ChangesNothing);
    }

    [Theory]
    [InlineData("orders.push", true)]
    [InlineData("a_b-c.9", true)]
    [InlineData("", false)]
    [InlineData("../etc", false)]
    [InlineData("orders push", false)]
    public void keys_are_simple_names(string key, bool valid) => Assert.Equal(valid, RouteValidation.IsValidKey(key));

    [Fact]
    public void route_lists_and_texts_are_bounded()
    {
        var route = Minimal with
        {
            ErrorRules = [.. Enumerable.Range(0, RouteValidation.MaxErrorRules + 1).Select(_ => new ErrorRule([500], Action: "retry"))]
        };
        Assert.Equal(("error_rules", "too_many"), Single(route));

        route = Minimal with { ErrorRules = [new ErrorRule(BodyContains: new string('x', RouteValidation.MaxBodyContainsLength + 1))] };
        Assert.Equal(("error_rules[0].body_contains", "too_long"), Single(route));

        route = Minimal with { ErrorRules = [new ErrorRule(BodyContains: new string('x', RouteValidation.MaxBodyContainsLength))] };
        Assert.Empty(RouteValidation.Validate(route));

        route = Minimal with { Success = [.. Enumerable.Repeat(200, RouteValidation.MaxStatusCodes + 1)] };
        Assert.Equal(("success", "too_many"), Single(route));
    }

    [Fact]
    public void nulls_inside_route_lists_and_maps_name_their_field()
    {
        var route = Minimal with
        {
            Request = MinimalRequest with
            {
                Query = new Dictionary<string, string> { ["q"] = null! },
                Headers = new Dictionary<string, string> { ["X-A"] = null! }
            },
            ErrorRules = [new ErrorRule([500], Action: "retry"), null!]
        };

        Assert.Equal(
            [("request.query.q", "wrong_type"), ("request.headers.X-A", "wrong_type"), ("error_rules[1]", "wrong_type")],
            RouteValidation.Validate(route).Select(e => (e.Field, e.Issue)));
    }

    [Theory]
    [InlineData("X-Ref", true)]
    [InlineData("Idempotency-Key", true)]
    [InlineData("X Ref", false)]
    [InlineData("X-Ref\r\nHost: evil", false)]
    [InlineData("", false)]
    public void header_names_are_tokens(string name, bool valid)
    {
        var route = Minimal with { Request = MinimalRequest with { Headers = new Dictionary<string, string> { [name] = "v" } } };

        Assert.Equal(valid, RouteValidation.Validate(route).Count == 0);
    }

    [Fact]
    public void a_route_cannot_reconcile_with_itself()
    {
        var route = Minimal with { Reconcile = new Reconcile("orders.push") };

        Assert.Equal(("reconcile.route_key", "self_reference"), Single(route, "orders.push"));
        Assert.Empty(RouteValidation.Validate(route, "orders.lookup"));
    }

    [Fact]
    public void an_oauth_token_url_carries_no_credentials()
    {
        var route = Minimal with
        {
            Auth = new AuthPlacement("oauth2_client_credentials", TokenUrl: "https://id:secret@auth.example/token",
                ClientId: "{{credentials.client_id}}", ClientSecret: "{{credentials.client_secret}}")
        };

        Assert.Equal(("auth.token_url", "credentials_in_url"), Single(route));
    }

    private static (string Field, string Issue) Single(RouteDefinition route, string? routeKey = null)
    {
        var error = Assert.Single(RouteValidation.Validate(route, routeKey));
        return (error.Field, error.Issue);
    }

    [Theory]
    [InlineData("https://user:secret@api.example", "credentials_in_url")]
    [InlineData("https://token@api.example", "credentials_in_url")]
    [InlineData("http://169.254.169.254", "egress_denied")]
    [InlineData("http://127.0.0.1:5432", "egress_denied")]
    public void base_urls_carry_no_credentials_and_no_refused_literal_address(string url, string issue)
    {
        var errors = ProviderValidation.Validate("acme", "Acme", "none", new Dictionary<string, string> { ["sandbox"] = url }, EgressRules.Strict);

        Assert.Equal(("base_urls.sandbox", issue), (Assert.Single(errors).Field, errors[0].Issue));
    }

    [Theory]
    [InlineData("1")]
    [InlineData("sandbox,production")]
    [InlineData("staging")]
    public void base_url_environments_are_named(string environment)
    {
        var errors = ProviderValidation.Validate("acme", "Acme", "none", new Dictionary<string, string> { [environment] = "https://api.example" });

        Assert.Equal("unknown_environment", Assert.Single(errors).Issue);
    }

    [Fact]
    public void an_environment_named_twice_is_refused()
    {
        var errors = ProviderValidation.Validate("acme", "Acme", "none",
            new Dictionary<string, string> { ["sandbox"] = "https://a.example", ["Sandbox"] = "https://b.example" });

        Assert.Equal(("base_urls.Sandbox", "duplicate"), (Assert.Single(errors).Field, errors[0].Issue));
    }
}
