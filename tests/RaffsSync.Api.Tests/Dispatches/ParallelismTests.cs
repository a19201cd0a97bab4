using Alba;
using RaffsSync.Api.Tests.Harness;

namespace RaffsSync.Api.Tests.Dispatches;

/// <summary>Its own host and database: the per-provider call limit is a setting.</summary>
public sealed class ParallelismTests
{
    [Fact]
    public async Task no_more_calls_run_at_once_against_one_provider_than_the_limit()
    {
        await using var provider = await LoopbackProvider.StartAsync();
        for (var i = 0; i < 8; i++) provider.ReplyAfter(TimeSpan.FromMilliseconds(300), 200);
        var database = await OwnDatabase.CreateAsync();
        await using var host = await database.StartHostAsync(settings: new Dictionary<string, string> { ["RaffsSync:Execution:MaxCallsPerProvider"] = "2" });
        var key = await host.CreateInternalKeyAsync();
        Assert.Equal(201, (await host.CallAsync(key, s => s.Post.Json(new { key = "narrow", name = "N", base_urls = new { sandbox = provider.BaseUrl } })
            .ToUrl("/api/v1/providers"))).Context.Response.StatusCode);
        Assert.Equal(201, (await host.CallAsync(key, s => s.Put.Json(new { kind = "http", request = new { method = "GET", path = "/items", body = (string?)null } })
            .ToUrl("/api/v1/providers/narrow/routes/items"))).Context.Response.StatusCode);

        await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => host.Scenario(s =>
        {
            s.Post.Json(new { tenant_id = "29", provider = "narrow", route_key = "items", payload = new { } }).ToUrl("/api/v1/dispatches");
            s.WithRequestHeader("Authorization", $"Bearer {key}");
            s.StatusCodeShouldBe(202);
        })));

        await Eventually.UntilAsync(() => provider.Received.Count == 8, "all eight calls to reach the provider");
        Assert.Equal(2, provider.MaxInFlight);
    }
}
