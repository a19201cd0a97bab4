using System.Text.Json;
using Alba;
using RaffsSync.Api.Dispatches;
using RaffsSync.Api.Tests.Harness;
using RaffsSync.Domain;
using RaffsSync.Domain.Dispatches;
using RaffsSync.Domain.Registry;
using Wolverine;
using Wolverine.Tracking;

namespace RaffsSync.Api.Tests.Registry;

[Collection(RegistryCollection.Name)]
public sealed class RegistryTests(AppFixture fixture) : ApiTest(fixture)
{
    private static object Provider(string key, string baseUrl) => new
    {
        key, name = key.ToUpperInvariant(), auth_kind = "none",
        base_urls = new { sandbox = baseUrl, production = baseUrl }
    };

    private static object OrdersRoute(string path, int? version = null) => new
    {
        kind = "http",
        request = new
        {
            method = "POST", path,
            query = new Dictionary<string, string> { ["tenant"] = "{{dispatch.tenant_id}}" },
            headers = new Dictionary<string, string> { ["X-Ref"] = "{{payload.ref}}" },
            body = "{order: payload.ref, lines: payload.lines}"
        },
        success = new[] { 201 },
        version
    };

    private Task<IScenarioResult> PutRoute(string key, string provider, string routeKey, object body, string? requestId = null) =>
        CallAsync(key, s => s.Put.Json(body).ToUrl($"/api/v1/providers/{provider}/routes/{routeKey}"), requestId);

    [Fact]
    public async Task a_provider_and_route_added_through_the_api_serve_dispatches_without_a_restart()
    {
        await using var provider = await LoopbackProvider.StartAsync();
        provider.Reply(201, """{"ok":true}""");
        var key = await Fixture.CreateKeyAsync();

        var created = await CallAsync(key, s => s.Post.Json(Provider("brand-new", provider.BaseUrl)).ToUrl("/api/v1/providers"));
        Assert.Equal(201, created.Context.Response.StatusCode);
        var defined = await PutRoute(key, "brand-new", "orders.create", OrdersRoute("/v1/orders"));
        Assert.Equal(201, defined.Context.Response.StatusCode);

        var accepted = await ScenarioAndWaitAsync(PostDispatch(key, new
        {
            tenant_id = 7, provider = "brand-new", route_key = "orders.create", payload = new { @ref = "R-1", lines = new[] { 1, 2 } }
        }));
        Assert.Equal(202, accepted.Context.Response.StatusCode);

        var received = Assert.Single(provider.Received);
        Assert.Equal("/v1/orders?tenant=7", received.PathAndQuery);
        Assert.Equal("""{"order":"R-1","lines":[1,2]}""", received.Body);
        var status = await Host.GetAsJson<JsonElement>(accepted.Context.Response.Headers.Location.ToString(), key);
        Assert.Equal("succeeded", status.GetProperty("status").GetString());
    }

    [Fact]
    public async Task the_render_dry_run_is_exactly_what_the_provider_receives()
    {
        await using var provider = await LoopbackProvider.StartAsync();
        provider.Reply(201);
        var key = await Fixture.CreateKeyAsync();
        await CallAsync(key, s => s.Post.Json(Provider("dry-run", provider.BaseUrl)).ToUrl("/api/v1/providers"));
        await PutRoute(key, "dry-run", "orders.create", OrdersRoute("/v1/orders/{{payload.ref}}"));
        var payload = new { @ref = "R 2/x", lines = new[] { "kopi", "teh" } };

        var rendered = await CallAsync(key, s => s.Post.Json(new { tenant_id = "29", payload })
            .ToUrl("/api/v1/providers/dry-run/routes/orders.create/render"));
        Assert.Equal(200, rendered.Context.Response.StatusCode);
        var dryRun = await rendered.ReadAsJsonAsync<JsonElement>();
        Assert.Empty(provider.Received);

        await ScenarioAndWaitAsync(PostDispatch(key, new { tenant_id = "29", provider = "dry-run", route_key = "orders.create", payload }));

        var received = Assert.Single(provider.Received);
        Assert.Equal(dryRun.GetProperty("method").GetString(), received.Method);
        Assert.Equal(dryRun.GetProperty("url").GetString(), provider.BaseUrl + received.PathAndQuery);
        Assert.Equal(dryRun.GetProperty("body").GetString(), received.Body);
        foreach (var header in dryRun.GetProperty("headers").EnumerateObject())
            Assert.Equal(header.Value.GetString(), received.Headers[header.Name]);
    }

    [Fact]
    public async Task render_errors_are_422_naming_the_template_field()
    {
        var key = await Fixture.CreateKeyAsync();
        await CallAsync(key, s => s.Post.Json(Provider("render-err", "http://127.0.0.1:9")).ToUrl("/api/v1/providers"));
        await PutRoute(key, "render-err", "orders.get", new { kind = "http", request = new { method = "GET", path = "/o/{{payload.id}}", body = (string?)null } });

        var result = await CallAsync(key, s => s.Post.Json(new { tenant_id = "29", payload = new { } })
            .ToUrl("/api/v1/providers/render-err/routes/orders.get/render"));

        var problem = await result.ShouldBeProblemAsync(422, "render_failed");
        Assert.Equal("request.path", problem.GetProperty("details")[0].GetProperty("field").GetString());
    }

    [Fact]
    public async Task revising_makes_version_2_and_history_lists_both_with_authors_and_request_ids()
    {
        var ana = await Fixture.CreateKeyAsync();
        var budi = await Fixture.CreateKeyAsync();
        await CallAsync(ana, s => s.Post.Json(Provider("history", "http://127.0.0.1:9")).ToUrl("/api/v1/providers"));

        await PutRoute(ana, "history", "orders.create", OrdersRoute("/v1/orders"), requestId: "define-1");
        var revised = await PutRoute(budi, "history", "orders.create", OrdersRoute("/v2/orders", version: 1), requestId: "revise-1");

        Assert.Equal(200, revised.Context.Response.StatusCode);
        Assert.Equal(2, (await revised.ReadAsJsonAsync<JsonElement>()).GetProperty("version").GetInt32());

        var history = await Host.GetAsJson<JsonElement>("/api/v1/providers/history/routes/orders.create/versions", ana);
        var versions = history.GetProperty("data").EnumerateArray().ToList();
        Assert.Equal(2, history.GetProperty("total").GetInt32());
        Assert.Equal([1, 2], versions.Select(v => v.GetProperty("version").GetInt32()));
        Assert.Equal(["define-1", "revise-1"], versions.Select(v => v.GetProperty("request_id").GetString()));
        Assert.Equal(2, versions.Select(v => v.GetProperty("defined_by").GetString()).Distinct().Count());
        Assert.Equal("/v1/orders", versions[0].GetProperty("definition").GetProperty("request").GetProperty("path").GetString());

        // The event store itself carries the author and the request id of the revision.
        Assert.Equal(1, await Fixture.ScalarAsync(
            "select count(*) from raffssync.mt_events where type = 'route_revised' and correlation_id = 'revise-1' and user_name is not null"));
    }

    [Fact]
    public async Task a_dispatch_accepted_before_a_revision_executes_the_version_it_pinned()
    {
        await using var provider = await LoopbackProvider.StartAsync();
        var key = await Fixture.CreateKeyAsync();
        await CallAsync(key, s => s.Post.Json(Provider("pinning", provider.BaseUrl)).ToUrl("/api/v1/providers"));
        await PutRoute(key, "pinning", "orders.create", OrdersRoute("/v1/orders"));

        // Accepted at version 1; execution is held back until after the revision.
        var dispatchId = Guid.NewGuid();
        await using (var session = Fixture.Store.LightweightSession("29"))
        {
            session.Events.StartStream<Dispatch>(dispatchId, new DispatchRequested(dispatchId, "29", "pinning", "orders.create", 1,
                ProviderEnvironment.Sandbox, JsonSerializer.SerializeToElement(new { @ref = "R-9", lines = Array.Empty<int>() }), DateTimeOffset.UtcNow));
            await session.SaveChangesAsync();
        }
        await PutRoute(key, "pinning", "orders.create", OrdersRoute("/v2/orders", version: 1));
        provider.Reply(201);

        await Host.TrackActivity().Timeout(TimeSpan.FromSeconds(60))
            .ExecuteAndWaitAsync((Func<IMessageContext, Task>)(bus => bus.InvokeForTenantAsync("29", new ExecuteDispatch(dispatchId))));

        Assert.Equal("/v1/orders?tenant=29", Assert.Single(provider.Received).PathAndQuery);

        provider.Reply(201);
        var later = await ScenarioAndWaitAsync(PostDispatch(key, new
        {
            tenant_id = "29", provider = "pinning", route_key = "orders.create", payload = new { @ref = "R-10", lines = Array.Empty<int>() }
        }));
        Assert.Equal(2, (await later.ReadAsJsonAsync<JsonElement>()).GetProperty("route_version").GetInt32());
        Assert.Equal("/v2/orders?tenant=29", provider.Received[1].PathAndQuery);
    }

    [Fact]
    public async Task of_concurrent_revisions_of_one_version_exactly_one_wins()
    {
        var key = await Fixture.CreateKeyAsync();
        await CallAsync(key, s => s.Post.Json(Provider("racing", "http://127.0.0.1:9")).ToUrl("/api/v1/providers"));
        await PutRoute(key, "racing", "orders.create", OrdersRoute("/v1/orders"));

        var results = await Task.WhenAll(Enumerable.Range(2, 6)
            .Select(n => PutRoute(key, "racing", "orders.create", OrdersRoute($"/v{n}/orders", version: 1))));

        var statuses = results.Select(r => r.Context.Response.StatusCode).ToList();
        Assert.Equal(1, statuses.Count(s => s == 200));
        Assert.Equal(5, statuses.Count(s => s == 409));
        foreach (var loser in results.Where(r => r.Context.Response.StatusCode == 409))
            await loser.ShouldBeProblemAsync(409, "version_conflict");

        var route = await Host.GetAsJson<JsonElement>("/api/v1/providers/racing/routes/orders.create", key);
        Assert.Equal(2, route.GetProperty("version").GetInt32());
    }

    [Fact]
    public async Task revising_with_a_stale_or_missing_version_is_409_and_if_match_works_too()
    {
        var key = await Fixture.CreateKeyAsync();
        await CallAsync(key, s => s.Post.Json(Provider("stale", "http://127.0.0.1:9")).ToUrl("/api/v1/providers"));
        await PutRoute(key, "stale", "orders.create", OrdersRoute("/v1/orders"));
        await PutRoute(key, "stale", "orders.create", OrdersRoute("/v2/orders", version: 1));

        await (await PutRoute(key, "stale", "orders.create", OrdersRoute("/v3/orders", version: 1))).ShouldBeProblemAsync(409, "version_conflict");
        await (await PutRoute(key, "stale", "orders.create", OrdersRoute("/v3/orders"))).ShouldBeProblemAsync(409, "version_conflict");

        var viaIfMatch = await CallAsync(key, s =>
        {
            s.Put.Json(OrdersRoute("/v3/orders")).ToUrl("/api/v1/providers/stale/routes/orders.create");
            s.WithRequestHeader("If-Match", "\"2\"");
        });
        Assert.Equal(200, viaIfMatch.Context.Response.StatusCode);
        Assert.Equal(3, (await viaIfMatch.ReadAsJsonAsync<JsonElement>()).GetProperty("version").GetInt32());
    }

    [Fact]
    public async Task an_invalid_route_is_400_naming_each_field_and_appends_nothing()
    {
        var key = await Fixture.CreateKeyAsync();
        await CallAsync(key, s => s.Post.Json(Provider("invalid", "http://127.0.0.1:9")).ToUrl("/api/v1/providers"));
        var before = await Fixture.ScalarAsync("select count(*) from raffssync.mt_events where type like 'route_%'");

        var result = await PutRoute(key, "invalid", "orders.create", new
        {
            kind = "http",
            request = new { method = "YELL", path = "/o/{{credentials.token}}" },
            timeout = "soon",
            error_rules = new[] { new { status = new[] { 700 }, action = "retry" } }
        });

        var problem = await result.ShouldBeProblemAsync(400, "validation_failed");
        var fields = problem.GetProperty("details").EnumerateArray().Select(d => d.GetProperty("field").GetString()).ToList();
        Assert.Equal(["request.method", "request.path", "timeout", "error_rules[0].status"], fields);
        Assert.Equal(before, await Fixture.ScalarAsync("select count(*) from raffssync.mt_events where type like 'route_%'"));

        var wrongType = await PutRoute(key, "invalid", "orders.create", new { kind = "http", request = new { method = "GET", path = "/o" }, success = "200" });
        var typeProblem = await wrongType.ShouldBeProblemAsync(400, "validation_failed");
        Assert.Equal("success", typeProblem.GetProperty("details")[0].GetProperty("field").GetString());
    }

    [Fact]
    public async Task a_disabled_route_refuses_dispatches_until_enabled_again()
    {
        await using var provider = await LoopbackProvider.StartAsync();
        var key = await Fixture.CreateKeyAsync();
        await CallAsync(key, s => s.Post.Json(Provider("toggle", provider.BaseUrl)).ToUrl("/api/v1/providers"));
        await PutRoute(key, "toggle", "ping", new { kind = "http", request = new { method = "POST", path = "/ping" } });
        var dispatch = new { tenant_id = "29", provider = "toggle", route_key = "ping", payload = new { } };

        var disabled = await CallAsync(key, s => s.Post.Url("/api/v1/providers/toggle/routes/ping/disable"));
        Assert.Equal("disabled", (await disabled.ReadAsJsonAsync<JsonElement>()).GetProperty("status").GetString());
        await (await Host.Scenario(PostDispatch(key, dispatch))).ShouldBeProblemAsync(422, "route_disabled");

        await CallAsync(key, s => s.Post.Url("/api/v1/providers/toggle/routes/ping/enable"));
        var accepted = await ScenarioAndWaitAsync(PostDispatch(key, dispatch));
        Assert.Equal(202, accepted.Context.Response.StatusCode);
        Assert.Single(provider.Received);
    }

    [Fact]
    public async Task providers_are_created_once_changed_by_put_and_listed_in_pages()
    {
        var key = await Fixture.CreateKeyAsync();

        var first = await CallAsync(key, s => s.Post.Json(Provider("listed", "https://sandbox.listed.example")).ToUrl("/api/v1/providers"));
        Assert.Equal("/api/v1/providers/listed", first.Context.Response.Headers.Location.ToString());
        var again = await CallAsync(key, s => s.Post.Json(Provider("listed", "https://sandbox.listed.example")).ToUrl("/api/v1/providers"));
        await again.ShouldBeProblemAsync(409, "conflict");

        var changed = await CallAsync(key, s => s.Put.Json(new
        {
            name = "Listed POS", auth_kind = "bearer",
            base_urls = new { sandbox = "https://sandbox.listed.example", production = "https://api.listed.example" }
        }).ToUrl("/api/v1/providers/listed"));
        Assert.Equal(200, changed.Context.Response.StatusCode);

        var provider = await Host.GetAsJson<JsonElement>("/api/v1/providers/listed", key);
        Assert.Equal("Listed POS", provider.GetProperty("name").GetString());
        Assert.Equal("https://api.listed.example", provider.GetProperty("base_urls").GetProperty("production").GetString());

        var page = await Host.GetAsJson<JsonElement>("/api/v1/providers?per_page=1&page=1", key);
        Assert.True(page.GetProperty("total").GetInt32() >= 2); // the built-in sandbox and this one at least
        Assert.Equal(1, page.GetProperty("data").GetArrayLength());
        Assert.Equal(1, page.GetProperty("per_page").GetInt32());
        Assert.Contains("page=2", page.GetProperty("next_page_url").GetString());
        Assert.Equal(JsonValueKind.Null, page.GetProperty("prev_page_url").ValueKind);
    }

    [Fact]
    public async Task a_retired_route_refuses_dispatches_revisions_and_enabling()
    {
        var key = await Fixture.CreateKeyAsync();
        await CallAsync(key, s => s.Post.Json(Provider("retiring", "http://127.0.0.1:9")).ToUrl("/api/v1/providers"));
        await PutRoute(key, "retiring", "ping", new { kind = "http", request = new { method = "POST", path = "/ping" } });

        var retired = await CallAsync(key, s => s.Post.Url("/api/v1/providers/retiring/routes/ping/retire"));
        Assert.Equal("retired", (await retired.ReadAsJsonAsync<JsonElement>()).GetProperty("status").GetString());

        await (await Host.Scenario(PostDispatch(key, new { tenant_id = "29", provider = "retiring", route_key = "ping", payload = new { } })))
            .ShouldBeProblemAsync(422, "route_retired");
        await (await PutRoute(key, "retiring", "ping", new { kind = "http", request = new { method = "POST", path = "/ping2" }, version = 1 }))
            .ShouldBeProblemAsync(409, "conflict");
        await (await CallAsync(key, s => s.Post.Url("/api/v1/providers/retiring/routes/ping/enable"))).ShouldBeProblemAsync(409, "conflict");
        Assert.Equal(1, await Fixture.ScalarAsync("select count(*) from raffssync.mt_events where type = 'route_retired'"));
    }

    [Fact]
    public async Task a_retired_provider_refuses_dispatches_and_changes()
    {
        var key = await Fixture.CreateKeyAsync();
        await CallAsync(key, s => s.Post.Json(Provider("sunset", "http://127.0.0.1:9")).ToUrl("/api/v1/providers"));
        await PutRoute(key, "sunset", "ping", new { kind = "http", request = new { method = "POST", path = "/ping" } });

        var retired = await CallAsync(key, s => s.Post.Url("/api/v1/providers/sunset/retire"));
        Assert.Equal("retired", (await retired.ReadAsJsonAsync<JsonElement>()).GetProperty("status").GetString());

        await (await Host.Scenario(PostDispatch(key, new { tenant_id = "29", provider = "sunset", route_key = "ping", payload = new { } })))
            .ShouldBeProblemAsync(422, "provider_retired");
        await (await PutRoute(key, "sunset", "pong", new { kind = "http", request = new { method = "POST", path = "/pong" } }))
            .ShouldBeProblemAsync(409, "conflict");
        await (await CallAsync(key, s => s.Put.Json(Provider("sunset", "http://127.0.0.1:10")).ToUrl("/api/v1/providers/sunset")))
            .ShouldBeProblemAsync(409, "conflict");
    }

    [Fact]
    public async Task an_unknown_provider_is_404_provider_not_found()
    {
        var key = await Fixture.CreateKeyAsync();

        await (await CallAsync(key, s => s.Get.Url("/api/v1/providers/nobody"))).ShouldBeProblemAsync(404, "provider_not_found");
        await (await PutRoute(key, "nobody", "x", OrdersRoute("/x"))).ShouldBeProblemAsync(404, "provider_not_found");
    }
}
