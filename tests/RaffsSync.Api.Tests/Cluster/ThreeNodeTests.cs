using System.Text.Json;
using Alba;
using RaffsSync.Api.Tests.Harness;

namespace RaffsSync.Api.Tests.Cluster;

/// <summary>
/// Three nodes in one test process on one database, as Wolverine's own distribution tests run them: an api-only node
/// and two worker+projections nodes, with heartbeats every second (<see cref="OwnDatabase.ClusterTimings"/>).
/// </summary>
public sealed class ThreeNodeTests : IAsyncLifetime
{
    private readonly List<IAlbaHost> _started = [];
    private OwnDatabase _db = null!;
    private LoopbackProvider _provider = null!;

    public async Task InitializeAsync()
    {
        _db = await OwnDatabase.CreateAsync();
        _provider = await LoopbackProvider.StartAsync();
    }

    public async Task DisposeAsync()
    {
        foreach (var host in _started.AsEnumerable().Reverse())
        {
            try { await host.StopAsync(); } catch (ObjectDisposedException) { }
            await host.DisposeAsync();
        }
        await _provider.DisposeAsync();
    }

    private async Task<IAlbaHost> StartAsync(string roles, CapturedLogs logs)
    {
        // Small batches, so both workers take a share of a burst.
        var node = await _db.StartNodeAsync(roles, logs, new Dictionary<string, string> { ["RaffsSync:Queues:BatchSize"] = "2" });
        _started.Add(node);
        return node;
    }

    private async Task<string> ProviderWithRouteAsync(IAlbaHost api)
    {
        var key = await api.CreateInternalKeyAsync();
        await api.CallAsync(key, s => s.Post.Json(new { key = "cluster", name = "Cluster", base_urls = new { sandbox = _provider.BaseUrl } })
            .ToUrl("/api/v1/providers"));
        var route = await api.CallAsync(key, s => s.Put.Json(new
        {
            kind = "http", request = new { method = "POST", path = "/orders" }, success = new[] { 200 },
            backoff = new { strategy = "fixed", initial = "PT0.5S", max_attempts = 3, budget = "PT1M" }
        }).ToUrl("/api/v1/providers/cluster/routes/orders"));
        Assert.Equal(201, route.Context.Response.StatusCode);
        return key;
    }

    private static async Task<List<string>> DispatchAsync(IAlbaHost api, string key, int count, string tenant = "81")
    {
        var locations = new List<string>();
        for (var i = 0; i < count; i++)
            locations.Add(await api.AcceptDispatchAsync(key, new { tenant_id = tenant, provider = "cluster", route_key = "orders", payload = new { n = i } }));
        return locations;
    }

    [Fact]
    public async Task dispatches_accepted_by_the_api_node_are_executed_by_the_workers_and_each_shard_runs_on_one_node()
    {
        var (apiLogs, firstLogs, secondLogs) = (new CapturedLogs(), new CapturedLogs(), new CapturedLogs());
        var first = await StartAsync("worker,projections", firstLogs);
        var second = await StartAsync("worker,projections", secondLogs);
        var api = await StartAsync("api", apiLogs);
        var key = await ProviderWithRouteAsync(api);

        var locations = await DispatchAsync(api, key, 20);
        await api.UntilDispatchesAsync(key, locations);

        Assert.Equal(20, _provider.Received.Count);
        Assert.Equal(0, apiLogs.ExecutedDispatches());
        Assert.True(firstLogs.ExecutedDispatches() > 0, "the first worker took none of the burst");
        Assert.True(secondLogs.ExecutedDispatches() > 0, "the second worker took none of the burst");
        Assert.Equal(20, firstLogs.ExecutedDispatches() + secondLogs.ExecutedDispatches());

        var reports = await ClusterNodes.SettledAsync([first, second, api], await api.ShardCountAsync(), TimeSpan.FromSeconds(30));
        Assert.Empty(reports[2].Shards); // the api node has no projections role
        Assert.Equal(["api"], reports[2].Roles);

        // A worker-only node serves health and nothing of the API.
        var refused = await first.Scenario(s => { s.Get.Url("/api/v1/providers"); s.IgnoreStatusCode(); });
        Assert.Equal(404, refused.Context.Response.StatusCode);
    }

    [Fact]
    public async Task stopping_the_leading_node_moves_its_agents_to_the_other_and_the_audit_chain_still_verifies()
    {
        var leader = await StartAsync("worker,projections", new CapturedLogs());
        var api = await StartAsync("api", new CapturedLogs());
        var key = await ProviderWithRouteAsync(api);
        var shards = await api.ShardCountAsync();
        var alone = await ClusterNodes.SettledAsync([leader, api], shards, TimeSpan.FromSeconds(30));
        Assert.True(alone[0].Leads);

        var successor = await StartAsync("worker,projections", new CapturedLogs());
        var before = await DispatchAsync(api, key, 5);
        await api.UntilDispatchesAsync(key, before);

        await leader.StopAsync();
        _started.Remove(leader);
        await leader.DisposeAsync();

        var after = await ClusterNodes.SettledAsync([successor, api], shards, TimeSpan.FromSeconds(30));
        Assert.Equal(shards, after[0].Shards.Count());
        Assert.True(after[0].Leads || after[1].Leads);

        var later = await DispatchAsync(api, key, 5, tenant: "82");
        await api.UntilDispatchesAsync(key, later);
        await Eventually.UntilAsync(async () =>
        {
            var audit = await api.GetAsJson<JsonElement>("/api/v1/audit?event_type=dispatch_succeeded&limit=100", key);
            return audit.GetProperty("data").GetArrayLength() == 10;
        }, "the audit log to hold every success, written on both sides of the hand-over");
        var verified = await api.GetAsJson<JsonElement>("/api/v1/audit/verify", key);
        Assert.True(verified.GetProperty("verified").GetBoolean(), verified.GetRawText());
    }
}
