using System.Text.Json;
using Alba;
using RaffsSync.Api.Tests.Harness;
using RaffsSync.Domain.Access;

namespace RaffsSync.Api.Tests.Connections;

[Collection(ConnectionCollection.Name)]
public sealed class ConnectionTests(AppFixture fixture) : ApiTest(fixture)
{
    private const string Secret = "tok_s3cret_do_not_leak_7f3a";

    private async Task<string> ProviderWithBearerRouteAsync(string key, string name, string baseUrl)
    {
        await CallAsync(key, s => s.Post.Json(new
        {
            key = name, name, auth_kind = "bearer", base_urls = new { sandbox = baseUrl }
        }).ToUrl("/api/v1/providers"));
        await CallAsync(key, s => s.Put.Json(new
        {
            kind = "http",
            request = new { method = "POST", path = "/v1/outlets/{{connection.settings.outlet_id}}/orders" },
            auth = new { type = "bearer", token = "{{credentials.token}}" },
            success = new[] { 201 }
        }).ToUrl($"/api/v1/providers/{name}/routes/orders.push"));
        return name;
    }

    private Task<IScenarioResult> CreateConnection(string key, string tenant, string provider, string token) =>
        CallAsync(key, s => s.Post.Json(new
        {
            provider, environment = "sandbox",
            credentials = new { token },
            settings = new { outlet_id = "OUT-7" }
        }).ToUrl($"/api/v1/locations/{tenant}/connections"));

    [Fact]
    public async Task owasp_api3_credentials_reach_the_provider_and_appear_nowhere_else()
    {
        await using var provider = await LoopbackProvider.StartAsync();
        provider.Reply(201);
        var key = await Fixture.CreateKeyAsync();
        var name = await ProviderWithBearerRouteAsync(key, "secretive", provider.BaseUrl);
        var responses = new List<string>();

        var created = await CreateConnection(key, "29", name, Secret);
        Assert.Equal(201, created.Context.Response.StatusCode);
        responses.Add(await created.ReadAsTextAsync());
        var connection = JsonDocument.Parse(responses[^1]).RootElement;
        var credential = Assert.Single(connection.GetProperty("credentials").EnumerateArray());
        Assert.Equal("token", credential.GetProperty("name").GetString());
        Assert.Matches("^[0-9a-f]{16}$", credential.GetProperty("fingerprint").GetString());

        var rendered = await CallAsync(key, s => s.Post.Json(new { tenant_id = "29", payload = new { } })
            .ToUrl($"/api/v1/providers/{name}/routes/orders.push/render"));
        responses.Add(await rendered.ReadAsTextAsync());
        Assert.Equal("Bearer ********", JsonDocument.Parse(responses[^1]).RootElement.GetProperty("headers").GetProperty("Authorization").GetString());

        var accepted = await ScenarioAndWaitAsync(PostDispatch(key, new { tenant_id = "29", provider = name, route_key = "orders.push", payload = new { } }));
        responses.Add(await accepted.ReadAsTextAsync());
        var received = Assert.Single(provider.Received);
        Assert.Equal($"Bearer {Secret}", received.Headers["Authorization"]);
        Assert.Equal("/v1/outlets/OUT-7/orders", received.PathAndQuery);

        var status = await CallAsync(key, s => s.Get.Url(accepted.Context.Response.Headers.Location.ToString()));
        Assert.Equal("succeeded", JsonDocument.Parse(await status.ReadAsTextAsync()).RootElement.GetProperty("status").GetString());
        responses.Add(await status.ReadAsTextAsync());
        responses.Add(await (await CallAsync(key, s => s.Get.Url("/api/v1/locations/29/connections"))).ReadAsTextAsync());

        Assert.All(responses, r => Assert.DoesNotContain(Secret, r));
        Assert.NotEmpty(Fixture.Logs.Lines);
        Assert.DoesNotContain(Fixture.Logs.Lines, line => line.Contains(Secret));
        Assert.Equal(0, await Fixture.ScalarAsync("select count(*) from raffssync.mt_events where data::text like $1", $"%{Secret}%"));
        foreach (var table in await DocumentTablesAsync())
            Assert.Equal(0, await Fixture.ScalarAsync($"select count(*) from raffssync.{table} t where t::text like $1", $"%{Secret}%"));
        // The attempt is recorded with the credential masked.
        var dispatchId = JsonDocument.Parse(responses[2]).RootElement.GetProperty("id").GetString();
        Assert.Equal(1, await Fixture.ScalarAsync(
            "select count(*) from raffssync.mt_events where stream_id = $1::uuid and type = 'dispatch_attempt_started' and data::text like '%Bearer ********%'",
            dispatchId!));
    }

    [Fact]
    public async Task a_provider_that_authenticates_needs_an_active_connection()
    {
        await using var provider = await LoopbackProvider.StartAsync();
        var key = await Fixture.CreateKeyAsync();
        var name = await ProviderWithBearerRouteAsync(key, "needs-connection", provider.BaseUrl);
        var dispatch = new { tenant_id = "31", provider = name, route_key = "orders.push", payload = new { } };
        var before = await Fixture.CountEventsAsync("dispatch_requested");

        await (await Host.Scenario(PostDispatch(key, dispatch))).ShouldBeProblemAsync(422, "connection_missing");

        var created = JsonDocument.Parse(await (await CreateConnection(key, "31", name, "t1")).ReadAsTextAsync()).RootElement;
        var id = created.GetProperty("id").GetString();
        provider.Reply(201);
        Assert.Equal(202, (await ScenarioAndWaitAsync(PostDispatch(key, dispatch))).Context.Response.StatusCode);

        var removed = await CallAsync(key, s => s.Delete.Url($"/api/v1/locations/31/connections/{id}"));
        Assert.Equal("removed", JsonDocument.Parse(await removed.ReadAsTextAsync()).RootElement.GetProperty("status").GetString());
        await (await Host.Scenario(PostDispatch(key, dispatch))).ShouldBeProblemAsync(422, "connection_missing");
        Assert.Equal(before + 1, await Fixture.CountEventsAsync("dispatch_requested"));
        Assert.Equal(0, await Fixture.ScalarAsync("select count(*) from raffssync.mt_doc_connectionsecret where id = $1::uuid", id!));
    }

    [Fact]
    public async Task rotating_credentials_changes_the_fingerprint_and_the_next_call_uses_the_new_secret()
    {
        await using var provider = await LoopbackProvider.StartAsync();
        var key = await Fixture.CreateKeyAsync();
        var name = await ProviderWithBearerRouteAsync(key, "rotating", provider.BaseUrl);
        var created = JsonDocument.Parse(await (await CreateConnection(key, "32", name, "old-token")).ReadAsTextAsync()).RootElement;
        var id = created.GetProperty("id").GetString();

        var rotated = await CallAsync(key, s => s.Put.Json(new { credentials = new { token = "new-token" } })
            .ToUrl($"/api/v1/locations/32/connections/{id}"));
        var after = JsonDocument.Parse(await rotated.ReadAsTextAsync()).RootElement;
        Assert.NotEqual(created.GetProperty("credentials")[0].GetProperty("fingerprint").GetString(),
            after.GetProperty("credentials")[0].GetProperty("fingerprint").GetString());
        Assert.Equal("OUT-7", after.GetProperty("settings").GetProperty("outlet_id").GetString());

        provider.Reply(201);
        await ScenarioAndWaitAsync(PostDispatch(key, new { tenant_id = "32", provider = name, route_key = "orders.push", payload = new { } }));
        Assert.Equal("Bearer new-token", Assert.Single(provider.Received).Headers["Authorization"]);
        Assert.Equal(1, await Fixture.ScalarAsync(
            "select count(*) from raffssync.mt_events where type = 'connection_credentials_rotated' and stream_id = $1::uuid", id!));
    }

    [Fact]
    public async Task another_locations_connections_answer_404()
    {
        var key = await Fixture.CreateKeyAsync();
        var name = await ProviderWithBearerRouteAsync(key, "isolated", "http://127.0.0.1:9");
        var id = JsonDocument.Parse(await (await CreateConnection(key, "40", name, "t")).ReadAsTextAsync()).RootElement.GetProperty("id").GetString();
        var other = await Fixture.CreateKeyAsync(CallerClass.Customer, [Scopes.RegistryRead, Scopes.RegistryWrite], ["41"]);

        await (await CallAsync(other, s => s.Get.Url("/api/v1/locations/40/connections"))).ShouldBeProblemAsync(404, "not_found");
        await (await CallAsync(other, s => s.Delete.Url($"/api/v1/locations/40/connections/{id}"))).ShouldBeProblemAsync(404, "not_found");
        await (await CallAsync(other, s => s.Delete.Url($"/api/v1/locations/41/connections/{id}"))).ShouldBeProblemAsync(404, "not_found");
    }

    [Fact]
    public async Task oauth2_client_credentials_fetch_a_token_once_and_reuse_it()
    {
        await using var provider = await LoopbackProvider.StartAsync();
        var key = await Fixture.CreateKeyAsync();
        await CallAsync(key, s => s.Post.Json(new
        {
            key = "oauth-pos", name = "OAuth POS", auth_kind = "oauth2_client_credentials", base_urls = new { sandbox = provider.BaseUrl }
        }).ToUrl("/api/v1/providers"));
        await CallAsync(key, s => s.Put.Json(new
        {
            kind = "http",
            request = new { method = "GET", path = "/v1/items", body = (string?)null },
            auth = new
            {
                type = "oauth2_client_credentials", token_url = provider.BaseUrl + "/oauth/token",
                client_id = "{{credentials.client_id}}", client_secret = "{{credentials.client_secret}}", scope = "items:read"
            }
        }).ToUrl("/api/v1/providers/oauth-pos/routes/items.pull"));
        await CallAsync(key, s => s.Post.Json(new
        {
            provider = "oauth-pos", environment = "sandbox", credentials = new { client_id = "rs-client", client_secret = Secret }
        }).ToUrl("/api/v1/locations/29/connections"));

        provider.Reply(200, """{"access_token":"at-1","token_type":"Bearer","expires_in":3600}""");
        provider.Reply(200, "[]");
        provider.Reply(200, "[]");
        var dispatch = new { tenant_id = "29", provider = "oauth-pos", route_key = "items.pull", payload = new { } };
        await ScenarioAndWaitAsync(PostDispatch(key, dispatch));
        await ScenarioAndWaitAsync(PostDispatch(key, dispatch));

        var received = provider.Received;
        Assert.Equal(["/oauth/token", "/v1/items", "/v1/items"], received.Select(r => r.PathAndQuery));
        Assert.Contains("grant_type=client_credentials", received[0].Body);
        Assert.Contains("client_id=rs-client", received[0].Body);
        Assert.Contains("scope=items%3Aread", received[0].Body);
        Assert.All(received.Skip(1), r => Assert.Equal("Bearer at-1", r.Headers["Authorization"]));
        Assert.DoesNotContain(Fixture.Logs.Lines, line => line.Contains(Secret) || line.Contains("at-1"));
    }

    private async Task<IReadOnlyList<string>> DocumentTablesAsync()
    {
        var tables = new List<string>();
        await using var connection = new Npgsql.NpgsqlConnection(Fixture.ConnectionString);
        await connection.OpenAsync();
        await using var command = new Npgsql.NpgsqlCommand(
            "select table_name from information_schema.tables where table_schema = 'raffssync' and table_name like 'mt_doc_%'", connection);
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync()) tables.Add(reader.GetString(0));
        return tables;
    }
}
