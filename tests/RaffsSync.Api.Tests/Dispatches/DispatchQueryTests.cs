using System.Text.Json;
using Alba;
using RaffsSync.Api.Tests.Harness;
using RaffsSync.Domain.Access;
using RaffsSync.Domain.Registry;

namespace RaffsSync.Api.Tests.Dispatches;

/// <summary>The list, attempts and timeline read models, over dispatches this class makes itself (its own database).</summary>
[Collection(DispatchQueryCollection.Name)]
public sealed class DispatchQueryTests(AppFixture fixture) : ApiTest(fixture), IAsyncLifetime
{
    private static readonly RouteDefinition Push = new("http", new RequestTemplate("POST", "/orders"), Success: [201],
        Backoff: new Backoff("fixed", "PT0.1S", 3, "PT1M"));

    // Each test gets a provider of its own, so its list filters see only its own dispatches.
    private LoopbackProvider _provider = null!;
    private string _providerKey = "";
    private string _key = "";

    public async Task InitializeAsync()
    {
        _provider = await LoopbackProvider.StartAsync();
        _key = await Fixture.CreateKeyAsync();
        _providerKey = $"query-{Guid.NewGuid():N}"[..20];
        await Fixture.RegisterProviderAsync(_providerKey, _provider.BaseUrl, ("orders.push", Push));
    }

    public async Task DisposeAsync() => await _provider.DisposeAsync();


    private async Task<string> DispatchAsync(string provider, string tenant, int answer)
    {
        _provider.Reply(answer);
        var accepted = await ScenarioAndWaitAsync(PostDispatch(_key, new { tenant_id = tenant, provider, route_key = "orders.push", payload = new { } }));
        return (await accepted.ReadAsJsonAsync<JsonElement>()).GetProperty("id").GetString()!;
    }

    private async Task<JsonElement> ListAsync(string key, string query)
    {
        var result = await CallAsync(key, s => s.Get.Url("/api/v1/dispatches?" + query));
        Assert.Equal(200, result.Context.Response.StatusCode);
        return await result.ReadAsJsonAsync<JsonElement>();
    }

    private static IReadOnlyList<string> Ids(JsonElement page) =>
        page.GetProperty("data").EnumerateArray().Select(d => d.GetProperty("id").GetString()!).ToList();

    [Fact]
    public async Task the_list_filters_sorts_and_pages_exactly()
    {
        var provider = _providerKey;
        var ok1 = await DispatchAsync(provider, "50", 201);
        var rejected = await DispatchAsync(provider, "50", 400);
        var ok2 = await DispatchAsync(provider, "51", 201);
        var ok3 = await DispatchAsync(provider, "50", 201);

        var failed = await ListAsync(_key, $"filter[provider]={provider}&filter[status]=failed,dead_lettered");
        Assert.Equal([rejected], Ids(failed));

        var newestFirst = await ListAsync(_key, $"filter[provider]={provider}");
        Assert.Equal([ok3, ok2, rejected, ok1], Ids(newestFirst));

        var oldestFirst = await ListAsync(_key, $"filter[provider]={provider}&sort=created_at");
        Assert.Equal([ok1, rejected, ok2, ok3], Ids(oldestFirst));

        var tenant50 = await ListAsync(_key, $"filter[provider]={provider}&filter[tenant_id]=50&sort=created_at");
        Assert.Equal([ok1, rejected, ok3], Ids(tenant50));

        var secondPage = await ListAsync(_key, $"filter[provider]={provider}&sort=created_at&per_page=3&page=2");
        Assert.Equal([ok3], Ids(secondPage));
        Assert.Equal(4, secondPage.GetProperty("total").GetInt32());
        Assert.Equal(3, secondPage.GetProperty("per_page").GetInt32());
        Assert.Equal(2, secondPage.GetProperty("current_page").GetInt32());
        Assert.Equal(2, secondPage.GetProperty("last_page").GetInt32());
        Assert.Equal(4, secondPage.GetProperty("from").GetInt32());
        Assert.Equal(4, secondPage.GetProperty("to").GetInt32());
        Assert.Equal(JsonValueKind.Null, secondPage.GetProperty("next_page_url").ValueKind);
        Assert.Contains("page=1", secondPage.GetProperty("prev_page_url").GetString());
        Assert.Contains($"filter%5Bprovider%5D={provider}", secondPage.GetProperty("first_page_url").GetString());

        var ok2CreatedAt = (await Host.GetAsJson<JsonElement>($"/api/v1/dispatches/{ok2}", _key)).GetProperty("created_at").GetString();
        var since = await ListAsync(_key, $"filter[provider]={provider}&sort=created_at&created_at[gte]={Uri.EscapeDataString(ok2CreatedAt!)}");
        Assert.Equal([ok2, ok3], Ids(since));
        var before = await ListAsync(_key, $"filter[provider]={provider}&sort=created_at&created_at[lt]={Uri.EscapeDataString(ok2CreatedAt!)}");
        Assert.Equal([ok1, rejected], Ids(before));
    }

    [Fact]
    public async Task a_customer_sees_only_its_own_locations()
    {
        var provider = _providerKey;
        var mine = await DispatchAsync(provider, "60", 201);
        await DispatchAsync(provider, "61", 201);
        var customer = await Fixture.CreateKeyAsync(CallerClass.Customer, [Scopes.DispatchesRead], ["60"]);

        Assert.Equal([mine], Ids(await ListAsync(customer, $"filter[provider]={provider}")));
        Assert.Empty(Ids(await ListAsync(customer, $"filter[provider]={provider}&filter[tenant_id]=61")));
    }

    [Theory]
    [InlineData("filter[secret]=1", "filter[secret]")]
    [InlineData("sort=payload", "sort")]
    [InlineData("sort=created_at;drop table x", "sort")]
    [InlineData("filter[status]=exploded", "filter[status]")]
    [InlineData("created_at[gte]=yesterday", "created_at[gte]")]
    public async Task unknown_filters_sort_keys_and_values_are_400_naming_them(string query, string field)
    {
        var result = await CallAsync(_key, s => s.Get.Url("/api/v1/dispatches?" + query));

        var problem = await result.ShouldBeProblemAsync(400, "validation_failed");
        Assert.Equal(field, problem.GetProperty("details")[0].GetProperty("field").GetString());
    }

    [Fact]
    public async Task attempts_and_the_timeline_tell_the_whole_story()
    {
        var provider = _providerKey;
        _provider.Reply(503, """{"error":"try later"}""");
        var id = await DispatchAsync(provider, "70", 201);
        await WaitForStatusAsync($"/api/v1/dispatches/{id}", _key, "succeeded", "failed", "dead_lettered");

        var attempts = await Host.GetAsJson<JsonElement>($"/api/v1/dispatches/{id}/attempts", _key);
        var data = attempts.GetProperty("data").EnumerateArray().ToList();
        Assert.Equal([1, 2], data.Select(a => a.GetProperty("attempt").GetInt32()));
        Assert.Equal([503, 201], data.Select(a => a.GetProperty("status_code").GetInt32()));
        Assert.Contains("try later", data[0].GetProperty("response_body").GetString());
        Assert.Equal("POST", data[0].GetProperty("request").GetProperty("method").GetString());
        Assert.Equal(64, data[1].GetProperty("response_sha256").GetString()!.Length);

        var timeline = await Host.GetAsJson<JsonElement>($"/api/v1/dispatches/{id}/events", _key);
        Assert.Equal(
            ["dispatch_requested", "dispatch_attempt_started", "provider_responded", "dispatch_retry_scheduled",
             "dispatch_attempt_started", "provider_responded", "dispatch_succeeded"],
            timeline.GetProperty("data").EnumerateArray().Select(e => e.GetProperty("type").GetString()));
    }

    [Fact]
    public async Task another_locations_attempts_and_events_answer_404()
    {
        var provider = _providerKey;
        var id = await DispatchAsync(provider, "80", 201);
        var stranger = await Fixture.CreateKeyAsync(CallerClass.Customer, [Scopes.DispatchesRead], ["81"]);

        await (await CallAsync(stranger, s => s.Get.Url($"/api/v1/dispatches/{id}/attempts"))).ShouldBeProblemAsync(404, "not_found");
        await (await CallAsync(stranger, s => s.Get.Url($"/api/v1/dispatches/{id}/events"))).ShouldBeProblemAsync(404, "not_found");
    }

    // The conjoined primary key is (tenant_id, id): without an index of its own, a read by id alone scans the table.
    [Theory]
    [InlineData("mt_doc_dispatch")]
    [InlineData("mt_doc_connection")]
    [InlineData("mt_doc_webhookdelivery")]
    [InlineData("mt_doc_inboundevent")]
    public async Task documents_read_by_id_alone_have_an_index_on_id(string table)
    {
        Assert.Equal(1, await Fixture.ScalarAsync(
            "select count(*) from pg_indexes where schemaname = 'raffssync' and tablename = $1 and indexdef like '% (id)'", table));
        Assert.Equal(1, await Fixture.ScalarAsync(
            "select count(*) from pg_indexes where schemaname = 'raffssync' and tablename = $1 and indexdef like '%(tenant_id, id)'", table));
    }
}
