using System.Text;
using System.Text.Json;
using Alba;
using JasperFx.Events.Daemon;
using Marten;
using Marten.Events;
using RaffsSync.Api.Tests.Harness;
using RaffsSync.Domain;
using RaffsSync.Domain.Access;
using RaffsSync.Domain.Input;
using RaffsSync.Domain.Registry;

namespace RaffsSync.Api.Tests.Http;

/// <summary>Regressions from black-box probing: refusals under any Accept, bodies and strings that once reached a 500.</summary>
[Collection(HttpContractCollection.Name)]
public sealed class HostileInputTests(AppFixture fixture) : ApiTest(fixture)
{
    private static async Task<long> AllEventsAsync(AppFixture fixture) => await fixture.ScalarAsync("select count(*) from raffssync.mt_events");

    private Task<IScenarioResult> RawAsync(string? key, string method, string url, string? body, string? accept = null,
        string contentType = "application/json") => Host.Scenario(s =>
    {
        s.ConfigureHttpContext(context =>
        {
            context.Request.Method = method;
            context.Request.Path = url.Split('?')[0];
            if (url.Contains('?')) context.Request.QueryString = new Microsoft.AspNetCore.Http.QueryString("?" + url.Split('?', 2)[1]);
            if (body is null) return;
            var bytes = Encoding.UTF8.GetBytes(body);
            context.Request.Body = new MemoryStream(bytes);
            context.Request.ContentType = contentType;
            context.Request.ContentLength = bytes.Length;
        });
        if (key is not null) s.WithRequestHeader("Authorization", $"Bearer {key}");
        if (accept is not null) s.WithRequestHeader("Accept", accept);
        s.IgnoreStatusCode();
    });

    [Theory]
    [InlineData("text/html")]
    [InlineData("application/xml")]
    [InlineData("text/plain")]
    [InlineData("application/xml;q=0.9, text/html")]
    public async Task every_refusal_is_problem_json_with_a_request_id_whatever_the_accept_header(string accept)
    {
        var key = await Fixture.CreateKeyAsync();
        var readOnly = await Fixture.CreateKeyAsync(scopes: [Scopes.DispatchesRead]);

        await (await RawAsync(null, "GET", "/api/v1/dispatches", null, accept)).ShouldBeProblemAsync(401, "unauthenticated");
        await (await RawAsync(readOnly, "POST", "/api/v1/providers", "{}", accept)).ShouldBeProblemAsync(403, "insufficient_scope");
        await (await RawAsync(key, "GET", $"/api/v1/dispatches/{Guid.NewGuid()}", null, accept)).ShouldBeProblemAsync(404, "not_found");
        await (await RawAsync(key, "GET", "/api/v1/no-such-thing", null, accept)).ShouldBeProblemAsync(404, "not_found");
        await (await RawAsync(key, "POST", "/api/v1/dispatches", "{", accept)).ShouldBeProblemAsync(400, "invalid_json");
        await (await RawAsync(key, "POST", "/api/v1/customers", "{\"name\": \"x\"}", accept, "text/plain"))
            .ShouldBeProblemAsync(415, "unsupported_media_type");

        var provider = "accept" + Guid.NewGuid().ToString("N")[..8];
        var body = $$$"""{"key":"{{{provider}}}","name":"A","auth_kind":"none","base_urls":{"sandbox":"https://a.example","production":"https://a.example"}}""";
        Assert.Equal(201, (await RawAsync(key, "POST", "/api/v1/providers", body)).Context.Response.StatusCode);
        await (await RawAsync(key, "POST", "/api/v1/providers", body, accept)).ShouldBeProblemAsync(406, "not_acceptable");
        await (await RawAsync(key, "POST", "/api/v1/providers", body, accept + ", */*;q=0.1")).ShouldBeProblemAsync(409, "conflict");
    }

    [Theory]
    [InlineData("POST", "/api/v1/dispatches")]
    [InlineData("POST", "/api/v1/providers")]
    [InlineData("PUT", "/api/v1/providers/sandbox")]
    [InlineData("PUT", "/api/v1/providers/sandbox/routes/orders.push")]
    [InlineData("POST", "/api/v1/route-packs")]
    [InlineData("POST", "/api/v1/customers")]
    [InlineData("POST", "/api/v1/api-keys")]
    [InlineData("POST", "/api/v1/oauth/clients")]
    [InlineData("POST", "/api/v1/locations/29/connections")]
    public async Task a_body_that_is_not_an_object_is_400_and_appends_nothing(string method, string path)
    {
        var key = await Fixture.CreateKeyAsync();
        foreach (var body in new[] { "null", "[]", "42", "\"text\"", "true" })
        {
            var before = await AllEventsAsync(Fixture);
            var problem = await (await RawAsync(key, method, path, body)).ShouldBeProblemAsync(400, "validation_failed");
            Assert.Equal("not_an_object", problem.GetProperty("details")[0].GetProperty("issue").GetString());
            Assert.Equal(before, await AllEventsAsync(Fixture));
        }
    }

    [Theory]
    [InlineData("\\u0000", "nul_character")]
    [InlineData("a\\u0000b", "nul_character")]
    [InlineData("\\ud800", "invalid_unicode")]
    [InlineData("x\\udc00y", "invalid_unicode")]
    public async Task nul_and_lone_surrogates_in_any_string_are_400_naming_the_field(string text, string issue)
    {
        var key = await Fixture.CreateKeyAsync();
        var before = await AllEventsAsync(Fixture);

        var inValue = await RawAsync(key, "POST", "/api/v1/dispatches",
            $$$"""{"tenant_id":"29","provider":"sandbox","route_key":"orders.push","payload":{"lines":[{"sku":"{{{text}}}"}]}}""");
        var problem = await inValue.ShouldBeProblemAsync(400, "validation_failed");
        Assert.Equal("payload.lines[0].sku", problem.GetProperty("details")[0].GetProperty("field").GetString());
        Assert.Equal(issue, problem.GetProperty("details")[0].GetProperty("issue").GetString());

        var inName = await RawAsync(key, "POST", "/api/v1/customers", $$"""{"name":"Ana","{{text}}":1}""");
        await inName.ShouldBeProblemAsync(400, "validation_failed");
        Assert.Equal(before, await AllEventsAsync(Fixture));
    }

    [Theory]
    [InlineData("1e131072")]
    [InlineData("1e-20000")]
    [InlineData("1e131071")]
    public async Task numbers_postgresql_cannot_store_or_would_store_as_a_hundred_thousand_digits_are_400(string number)
    {
        var key = await Fixture.CreateKeyAsync();
        var before = await AllEventsAsync(Fixture);

        var result = await RawAsync(key, "POST", "/api/v1/dispatches",
            $$$"""{"tenant_id":"29","provider":"sandbox","route_key":"orders.push","payload":{"n":{{{number}}}}}""");

        var problem = await result.ShouldBeProblemAsync(400, "validation_failed");
        Assert.Equal("payload.n", problem.GetProperty("details")[0].GetProperty("field").GetString());
        Assert.Equal(before, await AllEventsAsync(Fixture));
    }

    [Theory]
    [InlineData("/api/v1/dispatches?filter%5Bprovider%5D=a%00b")]
    [InlineData("/api/v1/dispatches?filter%5Btenant_id%5D=%00")]
    [InlineData("/api/v1/audit?actor=%00")]
    [InlineData("/api/v1/reports/dispatches?provider=x%00")]
    public async Task nul_in_a_query_filter_is_400(string url)
    {
        var key = await Fixture.CreateKeyAsync();
        var problem = await (await RawAsync(key, "GET", url, null)).ShouldBeProblemAsync(400, "validation_failed");
        Assert.Equal("nul_character", problem.GetProperty("details")[0].GetProperty("issue").GetString());
    }

    [Fact]
    public async Task identifiers_past_their_documented_length_are_400_and_nothing_is_written()
    {
        var key = await Fixture.CreateKeyAsync();
        var before = await AllEventsAsync(Fixture);

        var dispatch = await Host.Scenario(PostDispatch(key, new { tenant_id = new string('9', 5000), provider = "sandbox", route_key = "orders.push", payload = new { } }));
        var problem = await dispatch.ShouldBeProblemAsync(400, "validation_failed");
        Assert.Equal("tenant_id", problem.GetProperty("details")[0].GetProperty("field").GetString());

        var apiKey = await CallAsync(key, s => s.Post.Json(new { name = "k", scopes = new[] { "dispatches:read" }, customer_id = new string('c', 3000) })
            .ToUrl("/api/v1/api-keys"));
        await apiKey.ShouldBeProblemAsync(400, "validation_failed");

        var atLimit = await Host.Scenario(PostDispatch(key,
            new { tenant_id = new string('9', IdentifierLimits.Id + 1), provider = "sandbox", route_key = "orders.push", payload = new { } }));
        await atLimit.ShouldBeProblemAsync(400, "validation_failed");
        foreach (var (method, url, body) in new[]
                 {
                     ("POST", $"/api/v1/locations/{new string('t', IdentifierLimits.Id + 1)}/connections",
                         """{"provider":"sandbox","environment":"sandbox","credentials":{}}"""),
                     ("PUT", $"/api/v1/providers/sandbox/routes/{new string('r', IdentifierLimits.Key + 1)}", """{"kind":"http","request":{"method":"GET","path":"/x"}}""")
                 })
        {
            var inPath = await RawAsync(key, method, url, body);
            var pathProblem = await inPath.ShouldBeProblemAsync(400, "validation_failed");
            Assert.Equal("too_long", pathProblem.GetProperty("details")[0].GetProperty("issue").GetString());
        }
        Assert.Equal(before, await AllEventsAsync(Fixture));
    }

    [Fact]
    public async Task the_deepest_accepted_payload_reads_back_everywhere_and_one_level_more_is_refused()
    {
        var key = await Fixture.CreateKeyAsync();
        await using var provider = await LoopbackProvider.StartAsync();
        var providerKey = "deep" + Guid.NewGuid().ToString("N")[..8];
        await Fixture.RegisterProviderAsync(providerKey, provider.BaseUrl,
            ("orders.push", new RouteDefinition("http", new RequestTemplate("POST", "/orders"), Success: [200])));
        // The body object is level 1 and the payload object level 2: a payload nested down to level 32 is the deepest accepted.
        string Nested(int levels) => string.Concat(Enumerable.Repeat("{\"a\":", levels)) + "1" + new string('}', levels);
        string Body(int payloadLevels) => $$$"""{"tenant_id":"29","provider":"{{{providerKey}}}","route_key":"orders.push","payload":{{{Nested(payloadLevels)}}}}""";

        var refused = await RawAsync(key, "POST", "/api/v1/dispatches", Body(JsonInput.MaxDepth));
        var problem = await refused.ShouldBeProblemAsync(400, "validation_failed");
        Assert.Equal("too_deep", problem.GetProperty("details")[0].GetProperty("issue").GetString());

        var accepted = await RawAsync(key, "POST", "/api/v1/dispatches", Body(JsonInput.MaxDepth - 1));
        Assert.Equal(202, accepted.Context.Response.StatusCode);
        var location = accepted.Context.Response.Headers.Location.ToString();
        await WaitForStatusAsync(location, key, "succeeded");
        Assert.Single(provider.Received);
        await Host.WaitForNonStaleProjectionDataAsync(TimeSpan.FromSeconds(60));

        foreach (var url in new[] { location, location + "/events", location + "/attempts", "/api/v1/audit?limit=1000", "/api/v1/audit?per_page=100",
                     "/api/v1/audit/export" })
        {
            var read = await CallAsync(key, s => s.Get.Url(url));
            Assert.True(read.Context.Response.StatusCode == 200, $"{url} answered {read.Context.Response.StatusCode}");
            var text = await read.ReadAsTextAsync();
            if (url.EndsWith("/export")) Assert.All(text.Split('\n', StringSplitOptions.RemoveEmptyEntries), line => JsonDocument.Parse(line).Dispose());
            else JsonDocument.Parse(text).Dispose();
        }
    }

    [Fact]
    public async Task a_non_ascii_identifier_in_a_location_header_is_percent_encoded_and_the_answer_is_201()
    {
        var key = await Fixture.CreateKeyAsync();
        var tenant = "éx-" + Guid.NewGuid().ToString("N")[..6];

        var created = await CallAsync(key, s => s.Post.Json(new { provider = "sandbox", environment = "sandbox", credentials = new { } })
            .ToUrl($"/api/v1/locations/{Uri.EscapeDataString(tenant)}/connections"));

        Assert.Equal(201, created.Context.Response.StatusCode);
        Assert.StartsWith($"/api/v1/locations/{Uri.EscapeDataString(tenant)}/connections/", created.Context.Response.Headers.Location.ToString());
    }

    [Fact]
    public async Task concurrent_creates_of_one_provider_or_route_give_one_201_and_409_conflict_for_the_rest()
    {
        var key = await Fixture.CreateKeyAsync();
        var provider = "race" + Guid.NewGuid().ToString("N")[..8];
        var body = $$$"""{"key":"{{{provider}}}","name":"Race","auth_kind":"none","base_urls":{"sandbox":"https://a.example","production":"https://a.example"}}""";

        var linesBefore = Fixture.Logs.Lines.Count;
        var providers = await Task.WhenAll(Enumerable.Range(0, 10).Select(_ => RawAsync(key, "POST", "/api/v1/providers", body)));
        Assert.Single(providers, r => r.Context.Response.StatusCode == 201);
        foreach (var lost in providers.Where(r => r.Context.Response.StatusCode != 201)) await lost.ShouldBeProblemAsync(409, "conflict");

        var routes = await Task.WhenAll(Enumerable.Range(0, 10).Select(_ => RawAsync(key, "PUT", $"/api/v1/providers/{provider}/routes/r1",
            """{"kind":"http","request":{"method":"GET","path":"/x"}}""")));
        Assert.Single(routes, r => r.Context.Response.StatusCode == 201);
        foreach (var lost in routes.Where(r => r.Context.Response.StatusCode != 201))
        {
            Assert.Equal(409, lost.Context.Response.StatusCode);
            var code = JsonDocument.Parse(await lost.ReadAsTextAsync()).RootElement.GetProperty("code").GetString();
            Assert.Contains(code, new[] { "conflict", "version_conflict" });
        }
        Assert.Equal(1, await Fixture.ScalarAsync("select count(*) from raffssync.mt_events where type = 'route_defined' and data->>'provider' = $1", provider));
        // A lost race is the client's 409, not a server error: no Error line, no parameters, no stack trace.
        Assert.DoesNotContain(Fixture.Logs.Lines.Skip(linesBefore), line => line.StartsWith("Error") || line.StartsWith("Critical"));
    }

    [Fact]
    public async Task concurrent_creates_of_one_connection_leave_one_active_and_answer_409_conflict_for_the_rest()
    {
        var key = await Fixture.CreateKeyAsync();
        var tenant = "conn-race-" + Guid.NewGuid().ToString("N")[..8];
        var body = """{"provider":"sandbox","environment":"sandbox","credentials":{"token":"t"},"settings":{}}""";

        var results = await Task.WhenAll(Enumerable.Range(0, 10).Select(_ => RawAsync(key, "POST", $"/api/v1/locations/{tenant}/connections", body)));

        Assert.Single(results, r => r.Context.Response.StatusCode == 201);
        foreach (var lost in results.Where(r => r.Context.Response.StatusCode != 201)) await lost.ShouldBeProblemAsync(409, "conflict");
        var list = JsonDocument.Parse(await (await RawAsync(key, "GET", $"/api/v1/locations/{tenant}/connections", null)).ReadAsTextAsync()).RootElement;
        Assert.Equal(1, list.GetProperty("total").GetInt32());
        Assert.Equal(1, await Fixture.ScalarAsync("select count(*) from raffssync.mt_events where type = 'connection_created' and tenant_id = $1", tenant));
    }

    [Fact]
    public async Task a_token_request_with_more_form_fields_than_the_reader_takes_is_400()
    {
        var form = string.Join('&', Enumerable.Range(0, 1100).Select(i => $"f{i}=v"));
        var result = await RawAsync(null, "POST", "/api/v1/oauth/token", "grant_type=client_credentials&" + form, contentType: "application/x-www-form-urlencoded");
        await result.ShouldBeProblemAsync(400, "validation_failed");

        var multipart = await RawAsync(null, "POST", "/api/v1/oauth/token", "--x\r\nbroken", contentType: "multipart/form-data; boundary=x");
        await multipart.ShouldBeProblemAsync(400, "validation_failed");
    }

    [Fact]
    public async Task client_errors_are_not_logged_as_errors_with_stack_traces()
    {
        var key = await Fixture.CreateKeyAsync();
        var marker = "logcheck-" + Guid.NewGuid().ToString("N");
        var linesBefore = Fixture.Logs.Lines.Count;

        var wrongType = await RawAsync(key, "POST", "/api/v1/dispatches",
            $$$"""{"tenant_id": {"x": 1}, "provider": "sandbox", "route_key": "{{{marker}}}", "payload": {}}""");
        var problem = await wrongType.ShouldBeProblemAsync(400, "validation_failed");
        Assert.Equal("tenant_id", problem.GetProperty("details")[0].GetProperty("field").GetString());
        var wrongCustomer = await RawAsync(key, "POST", "/api/v1/customers", $$"""{"name": ["{{marker}}"]}""");
        await wrongCustomer.ShouldBeProblemAsync(400, "validation_failed");
        // No body and no content type at all, where one is required: said as a missing body, not logged as a server error.
        foreach (var path in new[] { "/api/v1/webhooks/endpoints", "/api/v1/customers", $"/api/v1/dispatches/{Guid.NewGuid()}/replay" })
        {
            var nothing = await Host.CallAsync(key, s => s.Post.Url(path));
            var missing = await nothing.ShouldBeProblemAsync(400, "invalid_json");
            Assert.Equal("body", missing.GetProperty("details")[0].GetProperty("field").GetString());
        }

        Assert.DoesNotContain(Fixture.Logs.Lines.Skip(linesBefore), line => line.StartsWith("Error") || line.StartsWith("Critical"));
    }
}
