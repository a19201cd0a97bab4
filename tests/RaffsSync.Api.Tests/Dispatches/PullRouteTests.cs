using System.Text.Json;
using Alba;
using Marten;
using RaffsSync.Api.Tests.Harness;
using RaffsSync.Domain.Dispatches;
using RaffsSync.Domain.Registry;

namespace RaffsSync.Api.Tests.Dispatches;

[Collection(DispatchCollection.Name)]
public sealed class PullRouteTests(AppFixture fixture) : ApiTest(fixture)
{
    [Fact]
    public async Task a_pull_route_fetches_every_page_and_records_pages_and_records()
    {
        await using var provider = await LoopbackProvider.StartAsync();
        await Fixture.RegisterProviderAsync("paged", provider.BaseUrl, ("orders.pull", new RouteDefinition("http",
            new RequestTemplate("GET", "/orders", Query: new Dictionary<string, string> { ["since"] = "{{payload.since}}" }, Body: null),
            Response: new ResponseMapping("data"),
            Pagination: new Pagination("cursor", Param: "cursor", SizeParam: "limit", Size: 2, Next: "meta.next_cursor"))));
        provider.Reply(200, """{"data":[{"id":1},{"id":2}],"meta":{"next_cursor":"c-2"}}""");
        provider.Reply(200, """{"data":[{"id":3},{"id":4}],"meta":{"next_cursor":"c-3"}}""");
        provider.Reply(200, """{"data":[{"id":5}],"meta":{"next_cursor":null}}""");
        var key = await Fixture.CreateKeyAsync();

        var accepted = await ScenarioAndWaitAsync(PostDispatch(key, new
        {
            tenant_id = "29", provider = "paged", route_key = "orders.pull", payload = new { since = "2026-02-01T00:00:00Z" }
        }));

        Assert.Equal(
            ["/orders?since=2026-02-01T00%3A00%3A00Z&limit=2",
             "/orders?since=2026-02-01T00%3A00%3A00Z&cursor=c-2&limit=2",
             "/orders?since=2026-02-01T00%3A00%3A00Z&cursor=c-3&limit=2"],
            provider.Received.Select(r => r.PathAndQuery));
        var status = await Host.GetAsJson<JsonElement>(accepted.Context.Response.Headers.Location.ToString(), key);
        Assert.Equal("succeeded", status.GetProperty("status").GetString());
        Assert.Equal(3, status.GetProperty("pages").GetInt32());
        Assert.Equal(5, status.GetProperty("records").GetInt32());

        var id = (await accepted.ReadAsJsonAsync<JsonElement>()).GetProperty("id").GetGuid();
        await using var session = Fixture.Store.QuerySession("29");
        var answers = (await session.Events.FetchStreamAsync(id)).Select(e => e.Data).OfType<ProviderResponded>().ToList();
        Assert.Equal([1, 2, 3], answers.Select(a => a.Page));
    }

    [Fact]
    public async Task a_failing_page_decides_the_attempt()
    {
        await using var provider = await LoopbackProvider.StartAsync();
        await Fixture.RegisterProviderAsync("paged-broken", provider.BaseUrl, ("items.pull", new RouteDefinition("http",
            new RequestTemplate("GET", "/items", Body: null),
            Pagination: new Pagination("page", Param: "page", Size: 1, SizeParam: "per_page"),
            Backoff: new Backoff(MaxAttempts: 1))));
        provider.Reply(200, """[{"id":1}]""");
        provider.Reply(400, """{"error":"bad page"}""");
        var key = await Fixture.CreateKeyAsync();

        var accepted = await ScenarioAndWaitAsync(PostDispatch(key, new { tenant_id = "29", provider = "paged-broken", route_key = "items.pull", payload = new { } }));

        var status = await Host.GetAsJson<JsonElement>(accepted.Context.Response.Headers.Location.ToString(), key);
        Assert.Equal("failed", status.GetProperty("status").GetString());
        Assert.Equal(400, status.GetProperty("last_provider_status").GetInt32());
        Assert.Equal(["/items?page=1&per_page=1", "/items?page=2&per_page=1"], provider.Received.Select(r => r.PathAndQuery));
    }
}
