using System.Text.Json;
using Alba;
using Marten;
using RaffsSync.Api.Tests.Harness;
using RaffsSync.Domain.Dispatches;
using RaffsSync.Domain.Registry;

namespace RaffsSync.Api.Tests.Dispatches;

[Collection(RetryCollection.Name)]
public sealed class ReplayTests(AppFixture fixture) : ApiTest(fixture)
{
    private static object Route(string path, int? version = null) => new
    {
        kind = "http", request = new { method = "POST", path }, success = new[] { 201 },
        backoff = new { strategy = "fixed", initial = "PT0.1S", max_attempts = 2, budget = "PT1M" }, version
    };

    private async Task<(string Key, string Location)> DispatchAsync(string provider)
    {
        var key = await Fixture.CreateKeyAsync();
        var accepted = await Host.Scenario(PostDispatch(key, new { tenant_id = "29", provider, route_key = "orders", payload = new { n = 1 } }));
        return (key, accepted.Context.Response.Headers.Location.ToString());
    }

    private Task<IScenarioResult> Replay(string key, string location, string mode, string reason = "fixed the route") =>
        CallAsync(key, s => s.Post.Json(new { route_version = mode, reason }).ToUrl(location + "/replay"));

    [Fact]
    public async Task a_dead_lettered_dispatch_replayed_with_the_current_route_succeeds_and_the_stream_tells_the_story()
    {
        await using var provider = await LoopbackProvider.StartAsync();
        var admin = await Fixture.CreateKeyAsync();
        await CallAsync(admin, s => s.Post.Json(new { key = "replayable", name = "R", base_urls = new { sandbox = provider.BaseUrl } }).ToUrl("/api/v1/providers"));
        await CallAsync(admin, s => s.Put.Json(Route("/wrong")).ToUrl("/api/v1/providers/replayable/routes/orders"));
        provider.Reply(503);
        provider.Reply(503);

        var (key, location) = await DispatchAsync("replayable");
        Assert.Equal("dead_lettered", (await WaitForStatusAsync(location, key, "dead_lettered", "succeeded", "failed")).GetProperty("status").GetString());

        // Fix the route (version 2), then replay with the current version.
        await CallAsync(admin, s => s.Put.Json(Route("/orders", version: 1)).ToUrl("/api/v1/providers/replayable/routes/orders"));
        provider.Reply(201);
        var replay = await Replay(key, location, "current", "route fixed to /orders");
        Assert.Equal(202, replay.Context.Response.StatusCode);

        var done = await WaitForStatusAsync(location, key, "succeeded", "failed", "dead_lettered");
        Assert.Equal("succeeded", done.GetProperty("status").GetString());
        Assert.Equal(2, done.GetProperty("route_version").GetInt32());
        Assert.Equal(3, done.GetProperty("attempts").GetInt32());
        Assert.Equal(["/wrong", "/wrong", "/orders"], provider.Received.Select(r => r.PathAndQuery));

        var id = Guid.Parse(location.Split('/')[^1]);
        await using var session = Fixture.Store.QuerySession("29");
        var stream = await session.Events.FetchStreamAsync(id);
        Assert.Equal(
            [typeof(DispatchRequested), typeof(DispatchAttemptStarted), typeof(ProviderResponded), typeof(DispatchRetryScheduled),
             typeof(DispatchAttemptStarted), typeof(ProviderResponded), typeof(DispatchDeadLettered),
             typeof(DispatchReplayRequested), typeof(DispatchAttemptStarted), typeof(ProviderResponded), typeof(DispatchSucceeded)],
            stream.Select(e => e.EventType));
        var replayEvent = stream.Single(e => e.Data is DispatchReplayRequested);
        Assert.Equal("route fixed to /orders", ((DispatchReplayRequested)replayEvent.Data).Reason);
        Assert.False(string.IsNullOrEmpty(replayEvent.UserName)); // who asked
    }

    [Fact]
    public async Task a_pinned_replay_keeps_the_version_and_a_succeeded_or_running_dispatch_cannot_be_replayed()
    {
        await using var provider = await LoopbackProvider.StartAsync();
        var admin = await Fixture.CreateKeyAsync();
        await CallAsync(admin, s => s.Post.Json(new { key = "pinned-replay", name = "P", base_urls = new { sandbox = provider.BaseUrl } }).ToUrl("/api/v1/providers"));
        await CallAsync(admin, s => s.Put.Json(Route("/v1")).ToUrl("/api/v1/providers/pinned-replay/routes/orders"));
        provider.Reply(400);

        var (key, location) = await DispatchAsync("pinned-replay");
        await WaitForStatusAsync(location, key, "failed");
        await CallAsync(admin, s => s.Put.Json(Route("/v2", version: 1)).ToUrl("/api/v1/providers/pinned-replay/routes/orders"));
        provider.Reply(201);

        await Replay(key, location, "pinned");
        var done = await WaitForStatusAsync(location, key, "succeeded", "failed", "dead_lettered");
        Assert.Equal(1, done.GetProperty("route_version").GetInt32());
        Assert.Equal("/v1", provider.Received[^1].PathAndQuery);

        await (await Replay(key, location, "pinned")).ShouldBeProblemAsync(409, "conflict");
        await (await Replay(key, location, "sideways")).ShouldBeProblemAsync(400, "validation_failed");
        await (await CallAsync(key, s => s.Post.Json(new { route_version = "pinned" }).ToUrl(location + "/replay")))
            .ShouldBeProblemAsync(400, "validation_failed");
    }

    [Fact]
    public async Task cancelling_between_retries_stops_the_next_attempt()
    {
        await using var provider = await LoopbackProvider.StartAsync();
        var admin = await Fixture.CreateKeyAsync();
        await CallAsync(admin, s => s.Post.Json(new { key = "cancellable", name = "C", base_urls = new { sandbox = provider.BaseUrl } }).ToUrl("/api/v1/providers"));
        await CallAsync(admin, s => s.Put.Json(new
        {
            kind = "http", request = new { method = "POST", path = "/slow" },
            backoff = new { strategy = "fixed", initial = "PT2S", max_attempts = 5, budget = "PT1M", jitter = false }
        }).ToUrl("/api/v1/providers/cancellable/routes/orders"));
        provider.Reply(503);

        var (key, location) = await DispatchAsync("cancellable");
        await WaitForStatusAsync(location, key, "retry_scheduled");

        var cancelled = await CallAsync(key, s => s.Post.Json(new { reason = "order voided" }).ToUrl(location + "/cancel"));
        Assert.Equal("cancelled", (await cancelled.ReadAsJsonAsync<JsonElement>()).GetProperty("status").GetString());

        // Wait until the scheduled retry has been picked up and handled (it must do nothing).
        await Eventually.UntilAsync(async () =>
            await Fixture.ScalarAsync("""
                select (select count(*) from raffssync.wolverine_incoming_envelopes where status in ('Scheduled', 'Incoming'))
                     + (select count(*) from wolverine_queues.wolverine_queue_dispatches_scheduled)
                     + (select count(*) from wolverine_queues.wolverine_queue_dispatches)
                """) == 0,
            "the scheduled retry to be handled");
        Assert.Single(provider.Received);
        Assert.Equal("cancelled", (await Host.GetAsJson<JsonElement>(location, key)).GetProperty("status").GetString());
        await (await CallAsync(key, s => s.Post.Json(new { }).ToUrl(location + "/cancel"))).ShouldBeProblemAsync(409, "conflict");
    }
}
