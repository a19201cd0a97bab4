using System.Text.Json;
using Alba;
using RaffsSync.Api.Tests.Harness;

namespace RaffsSync.Api.Tests.Registry;

/// <summary>Hostile or careless registry input: every one is a 400 naming its field, and nothing is appended.</summary>
[Collection(RegistryCollection.Name)]
public sealed class RegistryHardeningTests(AppFixture fixture) : ApiTest(fixture)
{
    private Task<long> EventCount() => Fixture.ScalarAsync("select count(*) from raffssync.mt_events");

    private Task<IScenarioResult> Send(string key, string method, string url, string body) => CallAsync(key, s =>
    {
        switch (method)
        {
            case "PUT": s.Put.Text(body).ToUrl(url); break;
            default: s.Post.Text(body).ToUrl(url); break;
        }
        s.WithRequestHeader("Content-Type", "application/json");
    });

    private async Task<string> ProviderAsync(string key, string provider)
    {
        var created = await CallAsync(key, s => s.Post.Json(new
        {
            key = provider, name = provider, auth_kind = "none", base_urls = new { sandbox = "https://api.example" }
        }).ToUrl("/api/v1/providers"));
        Assert.Equal(201, created.Context.Response.StatusCode);
        return provider;
    }

    private async Task AssertRefusedAsync(IScenarioResult result, params string[] fields)
    {
        var problem = await result.ShouldBeProblemAsync(400, "validation_failed");
        var named = problem.GetProperty("details").EnumerateArray().Select(d => d.GetProperty("field").GetString()).ToList();
        foreach (var field in fields) Assert.Contains(field, named);
    }

    [Theory]
    [InlineData("""{"key": 5, "name": "Typed", "base_urls": {"sandbox": "https://api.example"}}""", "provider.key")]
    [InlineData("""{"key": "typed", "name": ["Typed"], "base_urls": {"sandbox": "https://api.example"}}""", "provider.name")]
    [InlineData("""{"key": "typed", "name": "Typed", "base_urls": "https://api.example"}""", "provider.base_urls")]
    [InlineData("""{"key": "typed", "name": "Typed", "base_urls": {"sandbox": 443}}""", "provider.base_urls.sandbox")]
    [InlineData("""{"key": "typed", "name": "Typed", "auth_kind": {}, "base_urls": {"sandbox": "https://api.example"}}""", "provider.auth_kind")]
    [InlineData("""{"key": "typed", "name": "Typed", "base_urls": {"sandbox": "https://a.example", "Sandbox": "https://b.example"}}""", "provider.base_urls.Sandbox")]
    [InlineData("""{"key": "typed", "name": "Typed", "base_urls": {"sandbox,production": "https://a.example"}}""", "provider.base_urls.sandbox,production")]
    public async Task a_route_pack_with_a_wrongly_typed_provider_field_is_refused_naming_it(string provider, string field)
    {
        var key = await Fixture.CreateKeyAsync();
        var before = await EventCount();

        var result = await Send(key, "POST", "/api/v1/route-packs", $$$"""{"provider": {{{provider}}}, "routes": {}}""");

        await AssertRefusedAsync(result, field);
        Assert.Equal(before, await EventCount());
    }

    [Theory]
    [InlineData("""{"kind": "http", "request": {"method": "GET", "path": "/a", "headers": {"X-A": null}}}""", "request.headers.X-A")]
    [InlineData("""{"kind": "http", "request": {"method": "GET", "path": "/a", "headers": {"X-A": {"v": 1}}}}""", "request.headers.X-A")]
    [InlineData("""{"kind": "http", "request": {"method": "GET", "path": "/a", "query": {"q": null}}}""", "request.query.q")]
    [InlineData("""{"kind": "http", "request": {"method": "GET", "path": "/a", "query": {"q": ["a"]}}}""", "request.query.q")]
    [InlineData("""{"kind": "http", "request": {"method": "GET", "path": "/a", "headers": {"Bad Name": "v"}}}""", "request.headers.Bad Name")]
    [InlineData("""{"kind": "http", "request": {"method": "GET", "path": "/a"}, "error_rules": [null]}""", "error_rules[0]")]
    [InlineData("""{"kind": "http", "request": {"method": "GET", "path": "/a"}, "error_rules": [{"status": [null], "action": "retry"}]}""", "error_rules[0].status[0]")]
    [InlineData("""{"kind": "http", "request": {"method": "GET", "path": "/a"}, "success": [null]}""", "success[0]")]
    [InlineData("""{"kind": "http", "request": {"method": "GET", "path": "/a"}, "error_rules": [{"body_contains": "x", "action": "fail"}, null]}""", "error_rules[1]")]
    public async Task nulls_and_wrong_types_inside_a_route_are_refused_naming_the_field(string route, string field)
    {
        var key = await Fixture.CreateKeyAsync();
        var provider = await ProviderAsync(key, $"typed-{Guid.NewGuid():N}"[..20]);
        var before = await EventCount();

        var put = await Send(key, "PUT", $"/api/v1/providers/{provider}/routes/orders", route);
        await AssertRefusedAsync(put, field);

        var pack = await Send(key, "POST", "/api/v1/route-packs",
            $$$"""{"provider": {"key": "{{{provider}}}", "name": "{{{provider}}}", "base_urls": {"sandbox": "https://api.example"}}, "routes": {"orders": {{{route}}}}}""");
        await AssertRefusedAsync(pack, $"routes.orders.{field}");

        Assert.Equal(before, await EventCount());
    }

    [Theory]
    [InlineData("POST", "/api/v1/providers")]
    [InlineData("PUT", "/api/v1/providers/sandbox")]
    [InlineData("PUT", "/api/v1/providers/sandbox/routes/orders.push")]
    [InlineData("POST", "/api/v1/route-packs")]
    public async Task a_body_of_null_is_refused(string method, string url)
    {
        var key = await Fixture.CreateKeyAsync();
        var before = await EventCount();

        var result = await Send(key, method, url, "null");

        await result.ShouldBeProblemAsync(400, "validation_failed");
        Assert.Equal(before, await EventCount());
    }

    [Theory]
    [InlineData("https://user:secret@api.example", "credentials_in_url")]
    [InlineData("http://169.254.169.254/latest", "egress_denied")]
    [InlineData("http://[::ffff:169.254.169.254]", "egress_denied")]
    [InlineData("http://10.0.0.5:5432", "egress_denied")]
    public async Task a_base_url_with_credentials_or_at_a_refused_address_is_refused(string url, string issue)
    {
        var key = await Fixture.CreateKeyAsync();
        var before = await EventCount();

        var result = await CallAsync(key, s => s.Post.Json(new
        {
            key = "hostile-url", name = "Hostile", base_urls = new { sandbox = "https://api.example", production = url }
        }).ToUrl("/api/v1/providers"));

        var problem = await result.ShouldBeProblemAsync(400, "validation_failed");
        var detail = Assert.Single(problem.GetProperty("details").EnumerateArray());
        Assert.Equal("base_urls.production", detail.GetProperty("field").GetString());
        Assert.Equal(issue, detail.GetProperty("issue").GetString());
        Assert.DoesNotContain("secret", await result.ReadAsTextAsync());
        Assert.Equal(before, await EventCount());
    }

    [Fact]
    public async Task changing_a_provider_to_a_base_url_with_credentials_is_refused()
    {
        var key = await Fixture.CreateKeyAsync();
        var provider = await ProviderAsync(key, "userinfo-put");

        var result = await CallAsync(key, s => s.Put.Json(new
        {
            name = "U", base_urls = new { sandbox = "https://admin:hunter2@api.example" }
        }).ToUrl($"/api/v1/providers/{provider}"));

        var problem = await result.ShouldBeProblemAsync(400, "validation_failed");
        Assert.Equal("base_urls.sandbox", problem.GetProperty("details")[0].GetProperty("field").GetString());
    }

    [Fact]
    public async Task a_route_has_at_most_50_error_rules_and_body_contains_is_bounded()
    {
        var key = await Fixture.CreateKeyAsync();
        var provider = await ProviderAsync(key, "bounded-rules");
        var before = await EventCount();

        var tooMany = await CallAsync(key, s => s.Put.Json(new
        {
            kind = "http", request = new { method = "GET", path = "/a" },
            error_rules = Enumerable.Range(0, 51).Select(_ => new { status = new[] { 500 }, action = "retry" })
        }).ToUrl($"/api/v1/providers/{provider}/routes/a"));
        await AssertRefusedAsync(tooMany, "error_rules");

        var tooLong = await CallAsync(key, s => s.Put.Json(new
        {
            kind = "http", request = new { method = "GET", path = "/a" },
            error_rules = new[] { new { body_contains = new string('x', 1001), action = "fail" } }
        }).ToUrl($"/api/v1/providers/{provider}/routes/a"));
        await AssertRefusedAsync(tooLong, "error_rules[0].body_contains");

        Assert.Equal(before, await EventCount());
    }

    [Fact]
    public async Task reconcile_must_name_another_route_that_exists()
    {
        var key = await Fixture.CreateKeyAsync();
        var provider = await ProviderAsync(key, "reconciling");
        object Write(string reconcileWith) => new
        {
            kind = "http", request = new { method = "POST", path = "/orders" }, reconcile = new { route_key = reconcileWith }
        };
        var before = await EventCount();

        var missing = await CallAsync(key, s => s.Put.Json(Write("orders.lookup")).ToUrl($"/api/v1/providers/{provider}/routes/orders.create"));
        await AssertRefusedAsync(missing, "reconcile.route_key");
        var itself = await CallAsync(key, s => s.Put.Json(Write("orders.create")).ToUrl($"/api/v1/providers/{provider}/routes/orders.create"));
        await AssertRefusedAsync(itself, "reconcile.route_key");
        Assert.Equal(before, await EventCount());

        var lookup = await CallAsync(key, s => s.Put.Json(new { kind = "http", request = new { method = "GET", path = "/orders/{{payload.ref}}" } })
            .ToUrl($"/api/v1/providers/{provider}/routes/orders.lookup"));
        Assert.Equal(201, lookup.Context.Response.StatusCode);
        var defined = await CallAsync(key, s => s.Put.Json(Write("orders.lookup")).ToUrl($"/api/v1/providers/{provider}/routes/orders.create"));
        Assert.Equal(201, defined.Context.Response.StatusCode);
    }

    [Fact]
    public async Task in_a_route_pack_reconcile_may_name_a_route_of_the_same_pack_but_no_missing_one()
    {
        var key = await Fixture.CreateKeyAsync();
        string Pack(string reconcileWith) => JsonSerializer.Serialize(new
        {
            provider = new { key = "pack-reconcile", name = "P", base_urls = new { sandbox = "https://api.example" } },
            routes = new Dictionary<string, object>
            {
                ["orders.create"] = new { kind = "http", request = new { method = "POST", path = "/orders" }, reconcile = new { route_key = reconcileWith } },
                ["orders.lookup"] = new { kind = "http", request = new { method = "GET", path = "/orders/{{payload.ref}}" } }
            }
        });
        var before = await EventCount();

        var missing = await Send(key, "POST", "/api/v1/route-packs", Pack("orders.find"));
        await AssertRefusedAsync(missing, "routes.orders.create.reconcile.route_key");
        Assert.Equal(before, await EventCount());

        var imported = await Send(key, "POST", "/api/v1/route-packs", Pack("orders.lookup"));
        Assert.Equal(200, imported.Context.Response.StatusCode);
    }

    [Fact]
    public async Task the_services_own_database_port_is_no_provider_even_on_loopback()
    {
        var key = await Fixture.CreateKeyAsync();
        var port = new Npgsql.NpgsqlConnectionStringBuilder(Fixture.ConnectionString).Port;

        var literal = await CallAsync(key, s => s.Post.Json(new
        {
            key = "own-database", name = "DB", base_urls = new { sandbox = $"http://127.0.0.1:{port}" }
        }).ToUrl("/api/v1/providers"));
        var problem = await literal.ShouldBeProblemAsync(400, "validation_failed");
        Assert.Equal("egress_denied", problem.GetProperty("details")[0].GetProperty("issue").GetString());

        // By name it is only caught when connecting: the dispatch fails at once, without retries.
        await Fixture.RegisterProviderAsync("own-database-by-name", $"http://localhost:{port}",
            ("rows.pull", new RaffsSync.Domain.Registry.RouteDefinition("http", new RaffsSync.Domain.Registry.RequestTemplate("GET", "/rows", Body: null))));
        var accepted = await Host.Scenario(PostDispatch(key, new
        {
            tenant_id = "29", provider = "own-database-by-name", route_key = "rows.pull", payload = new { }
        }));
        Assert.Equal(202, accepted.Context.Response.StatusCode);

        var dispatch = await WaitForStatusAsync(accepted.Context.Response.Headers.Location.ToString(), key, "failed", "dead_lettered", "succeeded");
        Assert.Equal("failed", dispatch.GetProperty("status").GetString());
        Assert.Equal("configuration", dispatch.GetProperty("failure_type").GetString());
        Assert.Contains("it is this service's own database", dispatch.GetProperty("failure_reason").GetString());
    }

    [Theory]
    [InlineData("POST", "/api/v1/providers", """{"key": 5, "name": "Typed", "base_urls": {"sandbox": "https://api.example"}}""", "key")]
    [InlineData("POST", "/api/v1/providers", """{"key": "typed-post", "name": "Typed", "base_urls": {"sandbox": 443}}""", "base_urls.sandbox")]
    [InlineData("PUT", "/api/v1/providers/sandbox", """{"name": "Sandbox", "base_urls": ["/sandbox"]}""", "base_urls")]
    [InlineData("PUT", "/api/v1/providers/sandbox", """{"name": "Sandbox", "base_urls": {"sandbox": "/sandbox"}, "inbound_signature": {}}""", "inbound_signature")]
    public async Task a_wrongly_typed_provider_field_is_refused_naming_it(string method, string url, string body, string field)
    {
        var key = await Fixture.CreateKeyAsync();
        var before = await EventCount();

        var result = await Send(key, method, url, body);

        await AssertRefusedAsync(result, field);
        Assert.Equal(before, await EventCount());
    }
}
