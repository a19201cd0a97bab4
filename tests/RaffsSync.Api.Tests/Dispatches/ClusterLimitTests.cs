using System.Collections.Concurrent;
using Alba;
using Marten;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using RaffsSync.Api.Infrastructure.RateLimits;
using RaffsSync.Api.Tests.Harness;
using RaffsSync.Domain.Dispatches;

namespace RaffsSync.Api.Tests.Dispatches;

/// <summary>
/// Two hosts on one database (two nodes of one cluster, each executing what it accepted): the caller limits, a route's
/// <c>rate_limit</c> and the per-provider concurrency cap hold for both together, not per node.
/// </summary>
public sealed class ClusterLimitTests
{
    [Fact]
    public async Task two_nodes_together_allow_a_credential_one_limit_not_two()
    {
        var database = await OwnDatabase.CreateAsync();
        var settings = new Dictionary<string, string>
        {
            ["RaffsSync:RateLimits:Internal:Limit"] = "6", ["RaffsSync:RateLimits:Window"] = "00:01:00", ["RaffsSync:RateLimits:Internal:PerSecond"] = "100"
        };
        await using var first = await database.StartHostAsync(settings: settings);
        await using var second = await database.StartHostAsync(settings: settings);
        var key = await first.CreateInternalKeyAsync();

        var statuses = new List<int>();
        var remaining = new List<string>();
        for (var i = 0; i < 12; i++)
        {
            var answer = await (i % 2 == 0 ? first : second).CallAsync(key, s => s.Get.Url("/api/v1/providers"));
            statuses.Add(answer.Context.Response.StatusCode);
            remaining.Add(answer.Context.Response.Headers["X-RateLimit-Remaining"].ToString());
        }

        Assert.Equal([200, 200, 200, 200, 200, 200, 429, 429, 429, 429, 429, 429], statuses);
        Assert.Equal(["5", "4", "3", "2", "1", "0"], remaining.Take(6));
    }

    [Fact]
    public async Task while_the_database_is_away_each_node_counts_on_its_own_and_afterwards_the_database_counts_again()
    {
        await using var postgres = await StoppablePostgres.StartAsync("raffs_limits_outage");
        await using var host = await postgres.Database.StartHostAsync(settings: new Dictionary<string, string>
        {
            ["RaffsSync:RateLimits:Inbound:Limit"] = "3", ["RaffsSync:RateLimits:Inbound:PerSecond"] = "100"
        });
        Task<IScenarioResult> Push(Guid connection) => host.Scenario(s =>
        {
            s.Post.Json(new { id = "evt_1", type = "order.created" }).ToUrl($"/api/v1/inbound/kedai/{connection}");
            s.IgnoreStatusCode();
        });

        postgres.Stop();
        var connection = Guid.NewGuid();
        var during = new List<(int Status, string Remaining)>();
        for (var i = 0; i < 4; i++)
        {
            var answer = await Push(connection);
            during.Add((answer.Context.Response.StatusCode, answer.Context.Response.Headers["X-RateLimit-Remaining"].ToString()));
        }
        // Not limited, then unable to look the connection up; the fourth is refused by the node's own count.
        Assert.Equal([(503, "2"), (503, "1"), (503, "0"), (429, "0")], during);

        postgres.Start();
        await Task.Delay(CallerRateLimiter.FallbackPeriod + TimeSpan.FromSeconds(1));
        var after = Guid.NewGuid();
        await Eventually.UntilAsync(async () => (await Push(after)).Context.Response.StatusCode == 404, "the database to answer again");
        await using var connectionToDb = new NpgsqlConnection(postgres.Database.ConnectionString);
        await connectionToDb.OpenAsync();
        await using var query = new NpgsqlCommand($"select count(*) from {ClusterLimits.Schema}.{ClusterLimits.Buckets} where key = @key", connectionToDb);
        query.Parameters.AddWithValue("key", $"caller:inbound:/kedai/{after}");
        Assert.Equal(1L, await query.ExecuteScalarAsync());
    }

    [Fact]
    public async Task a_routes_rate_limit_holds_across_two_nodes_and_every_waiting_dispatch_still_succeeds_in_one_attempt()
    {
        await using var provider = await LoopbackProvider.StartAsync();
        var arrivals = new ConcurrentQueue<DateTime>();
        provider.BeforeAnswer = _ =>
        {
            arrivals.Enqueue(DateTime.UtcNow);
            return Task.CompletedTask;
        };
        var database = await OwnDatabase.CreateAsync();
        await using var first = await database.StartHostAsync();
        await using var second = await database.StartHostAsync();
        var key = await first.CreateInternalKeyAsync();
        await first.CallAsync(key, s => s.Post.Json(new { key = "metered", name = "M", base_urls = new { sandbox = provider.BaseUrl } }).ToUrl("/api/v1/providers"));
        Assert.Equal(201, (await first.CallAsync(key, s => s.Put.Json(new
        {
            kind = "http", request = new { method = "POST", path = "/orders" }, rate_limit = new { requests = 5, per = "PT1S" }
        }).ToUrl("/api/v1/providers/metered/routes/orders"))).Context.Response.StatusCode);

        var locations = await Task.WhenAll(Enumerable.Range(0, 20).Select(async i =>
        {
            return await (i % 2 == 0 ? first : second).AcceptDispatchAsync(key, new { tenant_id = "29", provider = "metered", route_key = "orders", payload = new { } });
        }));

        await first.UntilDispatchesAsync(key, locations, TimeSpan.FromSeconds(90));

        Assert.Equal(20, arrivals.Count);
        var busiest = arrivals.GroupBy(a => a.Ticks / TimeSpan.TicksPerSecond).Max(g => g.Count());
        Assert.True(busiest <= 5, $"{busiest} calls arrived within one second");

        // Waiting counted no attempt: each dispatch started exactly one.
        await using var session = first.Services.GetRequiredService<IDocumentStore>().QuerySession("29");
        foreach (var location in locations)
        {
            var events = await session.Events.FetchStreamAsync(Guid.Parse(location.Split('/')[^1]));
            Assert.Equal([1], events.Select(e => e.Data).OfType<DispatchAttemptStarted>().Select(e => e.Attempt));
        }
    }

    [Fact]
    public async Task the_concurrency_cap_per_provider_holds_across_two_nodes()
    {
        await using var provider = await LoopbackProvider.StartAsync();
        for (var i = 0; i < 8; i++) provider.ReplyAfter(TimeSpan.FromMilliseconds(400), 200);
        var database = await OwnDatabase.CreateAsync();
        var settings = new Dictionary<string, string> { ["RaffsSync:Execution:MaxConcurrentCallsPerProvider"] = "2" };
        await using var first = await database.StartHostAsync(settings: settings);
        await using var second = await database.StartHostAsync(settings: settings);
        var key = await first.CreateInternalKeyAsync();
        await first.CallAsync(key, s => s.Post.Json(new { key = "narrow", name = "N", base_urls = new { sandbox = provider.BaseUrl } }).ToUrl("/api/v1/providers"));
        await first.CallAsync(key, s => s.Put.Json(new { kind = "http", request = new { method = "GET", path = "/items", body = (string?)null } })
            .ToUrl("/api/v1/providers/narrow/routes/items"));

        var locations = await Task.WhenAll(Enumerable.Range(0, 8).Select(async i =>
        {
            return await (i % 2 == 0 ? first : second).AcceptDispatchAsync(key, new { tenant_id = "29", provider = "narrow", route_key = "items", payload = new { } });
        }));

        await first.UntilDispatchesAsync(key, locations, TimeSpan.FromSeconds(90));
        Assert.Equal(8, provider.Received.Count);
        Assert.Equal(2, provider.MaxInFlight);

        // Every slot was given back.
        await using var connection = new NpgsqlConnection(database.ConnectionString);
        await connection.OpenAsync();
        await using var query = new NpgsqlCommand($"select count(*) from {ClusterLimits.Schema}.{ClusterLimits.Slots}", connection);
        Assert.Equal(0L, await query.ExecuteScalarAsync());
    }
}
