using Alba;
using RaffsSync.Api.Tests.Harness;

namespace RaffsSync.Api.Tests.Cluster;

/// <summary>With <c>ConnectionStrings:RabbitMq</c> set, the work queues are RabbitMQ's: an api node and a worker share them there.</summary>
public sealed class RabbitMqTransportTests
{
    [RabbitMqFact]
    public async Task dispatches_accepted_by_the_api_node_are_executed_by_a_worker_through_the_broker()
    {
        await using var broker = await RabbitMqBroker.StartAsync();
        await using var provider = await LoopbackProvider.StartAsync();
        var db = await OwnDatabase.CreateAsync();
        var settings = new Dictionary<string, string> { ["ConnectionStrings:RabbitMq"] = broker.ConnectionString };
        var workerLogs = new CapturedLogs();
        await using var worker = await db.StartNodeAsync("worker,projections", workerLogs, settings);
        await using var api = await db.StartNodeAsync("api", new CapturedLogs(), settings);

        var key = await api.CreateInternalKeyAsync();
        await api.CallAsync(key, s => s.Post.Json(new { key = "brokered", name = "Brokered", base_urls = new { sandbox = provider.BaseUrl } })
            .ToUrl("/api/v1/providers"));
        await api.CallAsync(key, s => s.Put.Json(new
        {
            kind = "http", request = new { method = "POST", path = "/orders" }, success = new[] { 200 },
            backoff = new { strategy = "fixed", initial = "PT0.5S", max_attempts = 3, budget = "PT1M" }
        }).ToUrl("/api/v1/providers/brokered/routes/orders"));
        provider.Reply(503); // the first call fails: its retry, a scheduled message, travels the broker too

        var locations = new List<string>();
        for (var i = 0; i < 10; i++)
            locations.Add(await api.AcceptDispatchAsync(key, new { tenant_id = "95", provider = "brokered", route_key = "orders", payload = new { n = i } }));

        await api.UntilDispatchesAsync(key, locations);
        Assert.Equal(11, provider.Received.Count);
        Assert.Equal(11, workerLogs.ExecutedDispatches());
        Assert.Contains(workerLogs.Lines, line => line.Contains("rabbitmq://", StringComparison.OrdinalIgnoreCase));
    }
}
