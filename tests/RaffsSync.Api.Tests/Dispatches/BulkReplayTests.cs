using System.Text.Json;
using Alba;
using RaffsSync.Api.Tests.Harness;

namespace RaffsSync.Api.Tests.Dispatches;

[Collection(RetryCollection.Name)]
public sealed class BulkReplayTests(AppFixture fixture) : ApiTest(fixture)
{
    [Fact]
    public async Task a_bulk_replay_job_replays_every_dead_lettered_dispatch_of_the_filter_and_reports_progress()
    {
        var key = await Fixture.CreateKeyAsync();
        await CallAsync(key, s => s.Post.Json(new { key = "outage", name = "O", base_urls = new { sandbox = "http://127.0.0.1:9" } }).ToUrl("/api/v1/providers"));
        await CallAsync(key, s => s.Put.Json(new
        {
            kind = "http", request = new { method = "GET", path = "/stock", body = (string?)null },
            backoff = new { strategy = "fixed", initial = "PT0.1S", max_attempts = 1, budget = "PT1M" }
        }).ToUrl("/api/v1/providers/outage/routes/stock"));

        var locations = new List<string>();
        foreach (var tenant in new[] { "90", "91", "92" })
        {
            var accepted = await Host.Scenario(PostDispatch(key, new { tenant_id = tenant, provider = "outage", route_key = "stock", payload = new { } }));
            locations.Add(accepted.Context.Response.Headers.Location.ToString());
        }
        foreach (var location in locations) await WaitForStatusAsync(location, key, "dead_lettered");

        // The outage ends: the provider moves to a working address.
        await using var provider = await LoopbackProvider.StartAsync();
        await CallAsync(key, s => s.Put.Json(new { name = "O", base_urls = new { sandbox = provider.BaseUrl } }).ToUrl("/api/v1/providers/outage"));

        var started = await CallAsync(key, s => s.Post.Json(new { route_version = "pinned", reason = "provider outage over" })
            .ToUrl("/api/v1/dispatches/replay")
            .QueryString("filter[provider]", "outage").QueryString("filter[status]", "dead_lettered"));
        Assert.Equal(202, started.Context.Response.StatusCode);
        var jobLocation = started.Context.Response.Headers.Location.ToString();

        var job = await FinishedJobAsync(jobLocation, key);

        Assert.Equal("completed", job.GetProperty("status").GetString());
        Assert.Equal(3, job.GetProperty("replayed").GetInt32());
        Assert.Equal(0, job.GetProperty("skipped").GetInt32());
        foreach (var location in locations)
            Assert.Equal("succeeded", (await WaitForStatusAsync(location, key, "succeeded", "dead_lettered", "failed")).GetProperty("status").GetString());
        Assert.Equal(3, provider.Received.Count);

        // Nothing is left to replay, and a finished job cannot be cancelled.
        var again = await CallAsync(key, s => s.Post.Json(new { reason = "again" })
            .ToUrl("/api/v1/dispatches/replay")
            .QueryString("filter[provider]", "outage").QueryString("filter[status]", "dead_lettered"));
        var secondJob = again.Context.Response.Headers.Location.ToString();
        job = await FinishedJobAsync(secondJob, key);
        Assert.Equal(0, job.GetProperty("replayed").GetInt32());
        await (await CallAsync(key, s => s.Post.Url(secondJob + "/cancel"))).ShouldBeProblemAsync(409, "conflict");
    }

    private async Task<JsonElement> FinishedJobAsync(string location, string key)
    {
        var job = default(JsonElement);
        await Eventually.UntilAsync(async () =>
        {
            job = await Host.GetAsJson<JsonElement>(location, key);
            return job.GetProperty("status").GetString() != "running";
        }, $"{location} to finish");
        return job;
    }

    [Fact]
    public async Task a_bulk_replay_needs_a_reason_and_valid_filters()
    {
        var key = await Fixture.CreateKeyAsync();

        await (await CallAsync(key, s => s.Post.Json(new { route_version = "pinned" }).ToUrl("/api/v1/dispatches/replay")))
            .ShouldBeProblemAsync(400, "validation_failed");
        await (await CallAsync(key, s => s.Post.Json(new { reason = "x" }).ToUrl("/api/v1/dispatches/replay").QueryString("filter[nope]", "1")))
            .ShouldBeProblemAsync(400, "validation_failed");
    }

    [Fact]
    public async Task an_unknown_replay_job_is_not_found_to_read_or_cancel()
    {
        var key = await Fixture.CreateKeyAsync();
        var unknown = $"/api/v1/dispatches/replay-jobs/{Guid.NewGuid()}";

        await (await CallAsync(key, s => s.Get.Url(unknown))).ShouldBeProblemAsync(404, "not_found");
        await (await CallAsync(key, s => s.Post.Url(unknown + "/cancel"))).ShouldBeProblemAsync(404, "not_found");
    }
}
