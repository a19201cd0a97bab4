using System.Text;
using System.Text.Json;
using Alba;
using RaffsSync.Api.Tests.Harness;
using RaffsSync.Domain.Access;
using RaffsSync.Domain.Registry;

namespace RaffsSync.Api.Tests.Http;

/// <summary>The cross-cutting rules of API.md: auth, error shape, request ids, limits, and that a refused request writes nothing.</summary>
[Collection(HttpContractCollection.Name)]
public sealed class HttpContractTests(AppFixture fixture) : ApiTest(fixture)
{
    private static readonly object ValidDispatch = new
    {
        tenant_id = "29", provider = "sandbox", route_key = "orders.push", payload = new { customer = "Ana" }
    };

    [Fact]
    public async Task unknown_route_is_404_route_not_found_and_appends_nothing()
    {
        var key = await Fixture.CreateKeyAsync();
        var before = await Fixture.CountEventsAsync("dispatch_requested");

        var result = await Host.Scenario(PostDispatch(key,
            new { tenant_id = "29", provider = "sandbox", route_key = "orders.pul", payload = new { } }));

        var problem = await result.ShouldBeProblemAsync(404, "route_not_found");
        Assert.Equal("route_key", problem.GetProperty("details")[0].GetProperty("field").GetString());
        Assert.Equal(before, await Fixture.CountEventsAsync("dispatch_requested"));
    }

    [Fact]
    public async Task malformed_json_is_400_invalid_json_and_appends_nothing()
    {
        var key = await Fixture.CreateKeyAsync();
        var before = await Fixture.CountEventsAsync("dispatch_requested");

        var result = await Host.Scenario(s =>
        {
            s.Post.Text("{\"tenant_id\": \"29\", \"provider\": ").ToUrl("/api/v1/dispatches");
            s.WithRequestHeader("Content-Type", "application/json");
            s.WithRequestHeader("Authorization", $"Bearer {key}");
            s.IgnoreStatusCode();
        });

        var problem = await result.ShouldBeProblemAsync(400, "invalid_json");
        Assert.Equal("body", problem.GetProperty("details")[0].GetProperty("field").GetString());
        Assert.Equal(before, await Fixture.CountEventsAsync("dispatch_requested"));
    }

    [Fact]
    public async Task json_nested_far_deeper_than_the_limit_is_400_too_deep_and_appends_nothing()
    {
        var key = await Fixture.CreateKeyAsync();
        var before = await Fixture.CountEventsAsync("dispatch_requested");
        var deep = string.Concat(Enumerable.Repeat("{\"a\":", 100)) + "1" + new string('}', 100);

        var result = await Host.Scenario(s =>
        {
            s.Post.Text($"{{\"tenant_id\":\"29\",\"provider\":\"sandbox\",\"route_key\":\"orders.push\",\"payload\":{deep}}}").ToUrl("/api/v1/dispatches");
            s.WithRequestHeader("Content-Type", "application/json");
            s.WithRequestHeader("Authorization", $"Bearer {key}");
            s.IgnoreStatusCode();
        });

        var problem = await result.ShouldBeProblemAsync(400, "validation_failed");
        Assert.Equal("too_deep", problem.GetProperty("details")[0].GetProperty("issue").GetString());
        Assert.Equal(before, await Fixture.CountEventsAsync("dispatch_requested"));
    }

    [Fact]
    public async Task an_object_with_too_many_properties_is_400_naming_it()
    {
        var key = await Fixture.CreateKeyAsync();
        var wide = Enumerable.Range(0, 1001).ToDictionary(i => $"p{i}", i => i);

        var result = await Host.Scenario(PostDispatch(key, new { tenant_id = "29", provider = "sandbox", route_key = "orders.push", payload = new { lines = wide } }));

        var problem = await result.ShouldBeProblemAsync(400, "validation_failed");
        Assert.Equal("payload.lines", problem.GetProperty("details")[0].GetProperty("field").GetString());
    }

    [Fact]
    public async Task missing_fields_are_400_validation_failed_naming_each_field()
    {
        var key = await Fixture.CreateKeyAsync();

        var result = await Host.Scenario(PostDispatch(key, new { provider = "sandbox" }));

        var problem = await result.ShouldBeProblemAsync(400, "validation_failed");
        var fields = problem.GetProperty("details").EnumerateArray().Select(d => d.GetProperty("field").GetString());
        Assert.Equal(["tenant_id", "route_key", "payload"], fields);
    }

    [Theory]
    [InlineData("""{"tenant_id": "29", "provider": 5, "route_key": "orders.push", "payload": {}}""", "provider")]
    [InlineData("""{"tenant_id": true, "provider": "sandbox", "route_key": "orders.push", "payload": {}}""", "tenant_id")]
    [InlineData("""{"tenant_id": 29.5, "provider": "sandbox", "route_key": "orders.push", "payload": {}}""", "tenant_id")]
    public async Task a_value_of_the_wrong_type_is_400_validation_failed_naming_the_field(string json, string field)
    {
        var key = await Fixture.CreateKeyAsync();

        var result = await Host.Scenario(s =>
        {
            s.Post.Text(json).ToUrl("/api/v1/dispatches");
            s.WithRequestHeader("Content-Type", "application/json");
            s.WithRequestHeader("Authorization", $"Bearer {key}");
            s.IgnoreStatusCode();
        });

        var problem = await result.ShouldBeProblemAsync(400, "validation_failed");
        var detail = problem.GetProperty("details")[0];
        Assert.Equal(field, detail.GetProperty("field").GetString());
        Assert.Equal("wrong_type", detail.GetProperty("issue").GetString());
    }

    [Fact]
    public async Task tenant_id_may_be_sent_as_a_number_as_in_the_seed_examples()
    {
        var key = await Fixture.CreateKeyAsync();

        var result = await Host.Scenario(s =>
        {
            s.Post.Text("""{"tenant_id": 29, "provider": "sandbox", "route_key": "orders.pul", "payload": {}}""").ToUrl("/api/v1/dispatches");
            s.WithRequestHeader("Content-Type", "application/json");
            s.WithRequestHeader("Authorization", $"Bearer {key}");
            s.IgnoreStatusCode();
        });

        // Got past body reading and field validation to the route lookup.
        await result.ShouldBeProblemAsync(404, "route_not_found");
    }

    [Fact]
    public async Task missing_credentials_are_401_and_append_nothing()
    {
        var before = await Fixture.CountEventsAsync("dispatch_requested");

        var result = await Host.Scenario(s =>
        {
            s.Post.Json(ValidDispatch).ToUrl("/api/v1/dispatches");
            s.IgnoreStatusCode();
        });

        await result.ShouldBeProblemAsync(401, "unauthenticated");
        Assert.Equal(before, await Fixture.CountEventsAsync("dispatch_requested"));
    }

    [Theory]
    [InlineData("Authorization", "Bearer rsk_test_0000000000000000000000000000000000000000")]
    [InlineData("Authorization", "Bearer not-a-key")]
    [InlineData("X-Api-Key", "rsk_live_unknown")]
    public async Task unknown_or_malformed_keys_are_401(string header, string value)
    {
        var result = await Host.Scenario(s =>
        {
            s.Get.Url($"/api/v1/dispatches/{Guid.NewGuid()}");
            s.WithRequestHeader(header, value);
            s.IgnoreStatusCode();
        });

        await result.ShouldBeProblemAsync(401, "unauthenticated");
    }

    [Fact]
    public async Task x_api_key_header_is_accepted_like_a_bearer_key()
    {
        var key = await Fixture.CreateKeyAsync();

        var result = await Host.Scenario(s =>
        {
            s.Get.Url($"/api/v1/dispatches/{Guid.NewGuid()}");
            s.WithRequestHeader("X-Api-Key", key);
            s.IgnoreStatusCode();
        });

        await result.ShouldBeProblemAsync(404, "not_found");
    }

    [Fact]
    public async Task a_key_without_the_scope_is_403_insufficient_scope_and_appends_nothing()
    {
        var readOnly = await Fixture.CreateKeyAsync(CallerClass.Customer, [Scopes.DispatchesRead], ["29"]);
        var before = await Fixture.CountEventsAsync("dispatch_requested");

        var result = await Host.Scenario(PostDispatch(readOnly, ValidDispatch));

        var problem = await result.ShouldBeProblemAsync(403, "insufficient_scope");
        Assert.Contains(Scopes.DispatchesWrite, problem.GetProperty("message").GetString());
        Assert.Equal(before, await Fixture.CountEventsAsync("dispatch_requested"));
    }

    [Fact]
    public async Task another_locations_dispatch_answers_404_as_if_it_did_not_exist()
    {
        await using var provider = await LoopbackProvider.StartAsync();
        await Fixture.RegisterProviderAsync("isolation", provider.BaseUrl,
            ("ping", new RouteDefinition("http", new RequestTemplate("POST", "/ping"))));
        var ownerOf29 = await Fixture.CreateKeyAsync(CallerClass.Customer, [Scopes.DispatchesWrite, Scopes.DispatchesRead], ["29"]);
        var ownerOf30 = await Fixture.CreateKeyAsync(CallerClass.Customer, [Scopes.DispatchesWrite, Scopes.DispatchesRead], ["30"]);

        var accepted = await ScenarioAndWaitAsync(PostDispatch(ownerOf29,
            new { tenant_id = "29", provider = "isolation", route_key = "ping", payload = new { } }));
        var location = accepted.Context.Response.Headers.Location.ToString();

        var foreign = await Host.Scenario(s =>
        {
            s.Get.Url(location);
            s.WithRequestHeader("Authorization", $"Bearer {ownerOf30}");
            s.IgnoreStatusCode();
        });
        await foreign.ShouldBeProblemAsync(404, "not_found");

        var before = await Fixture.CountEventsAsync("dispatch_requested");
        var intoForeignLocation = await Host.Scenario(PostDispatch(ownerOf30,
            new { tenant_id = "29", provider = "isolation", route_key = "ping", payload = new { } }));
        await intoForeignLocation.ShouldBeProblemAsync(404, "not_found");
        Assert.Equal(before, await Fixture.CountEventsAsync("dispatch_requested"));
    }

    [Fact]
    public async Task request_id_is_generated_when_absent_and_replaced_when_invalid()
    {
        var absent = await Host.Scenario(s => s.Get.Url("/health/live"));
        Assert.Matches("^[0-9a-f]{32}$", absent.Context.Response.Headers["X-Request-Id"].ToString());

        var invalid = await Host.Scenario(s =>
        {
            s.Get.Url("/health/live");
            s.WithRequestHeader("X-Request-Id", "has spaces; and <script>");
        });
        Assert.Matches("^[0-9a-f]{32}$", invalid.Context.Response.Headers["X-Request-Id"].ToString());
    }

    [Fact]
    public async Task wrong_content_type_is_415()
    {
        var key = await Fixture.CreateKeyAsync();

        var result = await Host.Scenario(s =>
        {
            s.Post.Text("tenant_id=29").ToUrl("/api/v1/dispatches");
            s.WithRequestHeader("Content-Type", "text/plain");
            s.WithRequestHeader("Authorization", $"Bearer {key}");
            s.IgnoreStatusCode();
        });

        await result.ShouldBeProblemAsync(415, "unsupported_media_type");
    }

    [Fact]
    public async Task unknown_path_is_404_and_wrong_method_is_405_in_the_problem_shape()
    {
        var key = await Fixture.CreateKeyAsync();

        var missing = await Host.Scenario(s =>
        {
            s.Get.Url("/api/v1/nothing-here");
            s.WithRequestHeader("Authorization", $"Bearer {key}");
            s.IgnoreStatusCode();
        });
        await missing.ShouldBeProblemAsync(404, "not_found");

        var wrongMethod = await Host.Scenario(s =>
        {
            s.Delete.Url("/api/v1/dispatches");
            s.WithRequestHeader("Authorization", $"Bearer {key}");
            s.IgnoreStatusCode();
        });
        await wrongMethod.ShouldBeProblemAsync(405, "method_not_allowed");
    }

    [Fact]
    public async Task a_body_over_10_mb_is_413()
    {
        var key = await Fixture.CreateKeyAsync();
        var huge = Encoding.UTF8.GetBytes("{\"payload\":\"" + new string('x', 10 * 1024 * 1024) + "\"}");

        var result = await Host.Scenario(s =>
        {
            s.Post.ByteArray(huge).ToUrl("/api/v1/dispatches");
            s.WithRequestHeader("Content-Type", "application/json");
            s.WithRequestHeader("Content-Length", huge.Length.ToString());
            s.WithRequestHeader("Authorization", $"Bearer {key}");
            s.IgnoreStatusCode();
        });

        await result.ShouldBeProblemAsync(413, "payload_too_large");
    }

    [Fact]
    public async Task health_openapi_and_docs_are_served()
    {
        await Host.Scenario(s => { s.Get.Url("/health/live"); s.StatusCodeShouldBeOk(); });
        await Host.Scenario(s => { s.Get.Url("/health/ready"); s.StatusCodeShouldBeOk(); });

        var openApi = await Host.Scenario(s => { s.Get.Url("/openapi/v1.json"); s.StatusCodeShouldBeOk(); });
        var document = JsonDocument.Parse(await openApi.ReadAsTextAsync()).RootElement;
        Assert.Equal("bearer", document.GetProperty("components").GetProperty("securitySchemes").GetProperty("api_key").GetProperty("scheme").GetString());
        var paths = document.GetProperty("paths");
        Assert.True(paths.TryGetProperty("/api/v1/dispatches", out _));
        Assert.True(paths.TryGetProperty("/api/v1/dispatches/{id}", out _));

        var redirect = await Host.Scenario(s => { s.Get.Url("/docs"); s.IgnoreStatusCode(); });
        Assert.Equal(302, redirect.Context.Response.StatusCode);
        var docs = await Host.Scenario(s => { s.Get.Url("/docs/"); s.StatusCodeShouldBeOk(); });
        Assert.Contains("<html", await docs.ReadAsTextAsync(), StringComparison.OrdinalIgnoreCase);
    }
}
