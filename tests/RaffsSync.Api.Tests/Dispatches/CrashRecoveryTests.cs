using System.Text.Json;
using Alba;
using Marten;
using Microsoft.Extensions.DependencyInjection;
using RaffsSync.Api.Tests.Harness;
using RaffsSync.Domain.Dispatches;
using Wolverine;

namespace RaffsSync.Api.Tests.Dispatches;

/// <summary>
/// The service stops in the middle of a provider call; a new process on the same database picks
/// the dispatch up, counts the interrupted attempt and completes it. No test collection: it runs
/// its own hosts on its own database.
/// </summary>
public sealed class CrashRecoveryTests
{
    [Fact]
    public async Task a_dispatch_cut_off_mid_call_is_completed_by_the_next_host_within_the_attempt_limit()
    {
        var database = await OwnDatabase.CreateAsync();
        await using var provider = await LoopbackProvider.StartAsync();
        provider.ReplyAfter(TimeSpan.FromMinutes(5), 201); // hangs: the first host is stopped during this call
        provider.Reply(201);

        // A short drain: the stop cuts the hanging call off instead of waiting 30 s for it.
        var first = await database.StartHostAsync(services => services.ConfigureWolverine(opts => opts.Durability.DrainTimeout = TimeSpan.FromSeconds(1)));
        var key = await first.CreateInternalKeyAsync();
        await Call(first, key, s => s.Post.Json(new { key = "hanging", name = "H", base_urls = new { sandbox = provider.BaseUrl } }).ToUrl("/api/v1/providers"));
        await Call(first, key, s => s.Put.Json(new
        {
            kind = "http", request = new { method = "POST", path = "/orders" }, timeout = "PT5M",
            backoff = new { strategy = "fixed", initial = "PT0.1S", max_attempts = 3, budget = "PT10M" }
        }).ToUrl("/api/v1/providers/hanging/routes/orders"));

        var accepted = await Call(first, key, s => s.Post.Json(new { tenant_id = "29", provider = "hanging", route_key = "orders", payload = new { } })
            .ToUrl("/api/v1/dispatches"));
        var location = accepted.Context.Response.Headers.Location.ToString();
        await Eventually.UntilAsync(() => provider.Received.Count == 1, "the first call to reach the provider");
        Assert.Equal("in_progress", (await Status(first, key, location)).GetProperty("status").GetString());

        await first.StopAsync();
        await first.DisposeAsync();

        await using var second = await database.StartHostAsync();
        await Eventually.UntilAsync(async () => (await Status(second, key, location)).GetProperty("status").GetString() == "succeeded",
            "the second host to complete the dispatch", TimeSpan.FromSeconds(90));

        Assert.Equal(2, provider.Received.Count);
        var id = Guid.Parse(location.Split('/')[^1]);
        await using var session = second.Services.GetRequiredService<IDocumentStore>().QuerySession("29");
        var events = (await session.Events.FetchStreamAsync(id)).Select(e => e.Data).ToList();
        Assert.Contains(events, e => e is DispatchAttemptInterrupted { Attempt: 1 });
        Assert.Equal([1, 2], events.OfType<DispatchAttemptStarted>().Select(e => e.Attempt));
        Assert.IsType<DispatchSucceeded>(events[^1]);
    }

    private static Task<IScenarioResult> Call(IAlbaHost host, string key, Action<Scenario> request) => host.CallAsync(key, request);

    private static async Task<JsonElement> Status(IAlbaHost host, string key, string location) =>
        await (await Call(host, key, s => s.Get.Url(location))).ReadAsJsonAsync<JsonElement>();

}
