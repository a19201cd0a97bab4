using System.Text.Json;
using Alba;
using Marten;
using Npgsql;
using RaffsSync.Api.Dispatches;
using RaffsSync.Api.Tests.Harness;
using RaffsSync.Domain.Dispatches;
using Wolverine;

namespace RaffsSync.Api.Tests.Dispatches;

/// <summary>
/// Replays that race: a second replay of one dispatch must see the first (409 conflict, one new run),
/// and bulk replay jobs over overlapping filters must all finish, replaying each dispatch once between them.
/// </summary>
[Collection(RetryCollection.Name)]
public sealed class ConcurrentReplayTests(AppFixture fixture) : ApiTest(fixture)
{
    private static object RejectOnce(string path) => new
    {
        kind = "http", request = new { method = "POST", path }, success = new[] { 200 },
        backoff = new { strategy = "fixed", initial = "PT0.1S", max_attempts = 1, budget = "PT1M" }
    };

    private async Task<(string Key, LoopbackProvider Provider)> ProviderAsync(string name)
    {
        var provider = await LoopbackProvider.StartAsync();
        var key = await Fixture.CreateKeyAsync();
        await CallAsync(key, s => s.Post.Json(new { key = name, name, base_urls = new { sandbox = provider.BaseUrl } }).ToUrl("/api/v1/providers"));
        await CallAsync(key, s => s.Put.Json(RejectOnce("/orders")).ToUrl($"/api/v1/providers/{name}/routes/orders"));
        return (key, provider);
    }

    /// <summary>Dispatches that the provider rejects (400: failed); it accepts everything after that.</summary>
    private async Task<List<string>> FailedDispatchesAsync(string key, LoopbackProvider provider, string name, params string[] tenants)
    {
        foreach (var _ in tenants) provider.Reply(400);
        var locations = new List<string>();
        foreach (var tenant in tenants)
        {
            var accepted = await Host.Scenario(PostDispatch(key, new { tenant_id = tenant, provider = name, route_key = "orders", payload = new { } }));
            Assert.Equal(202, accepted.Context.Response.StatusCode);
            locations.Add(accepted.Context.Response.Headers.Location.ToString());
        }
        foreach (var location in locations) await WaitForStatusAsync(location, key, "failed");
        return locations;
    }

    private async Task<IReadOnlyList<object>> StreamAsync(string tenant, string location)
    {
        await using var session = Fixture.Store.QuerySession(tenant);
        return (await session.Events.FetchStreamAsync(Guid.Parse(location.Split('/')[^1]))).Select(e => e.Data).ToList();
    }

    [Fact]
    public async Task of_ten_simultaneous_replays_of_one_dispatch_one_is_accepted_and_the_others_conflict()
    {
        var (key, provider) = await ProviderAsync("racing-replays");
        await using var _ = provider;
        var location = (await FailedDispatchesAsync(key, provider, "racing-replays", "51")).Single();

        var answers = await Task.WhenAll(Enumerable.Range(0, 10).Select(i => Task.Run(() =>
            CallAsync(key, s => s.Post.Json(new { route_version = "pinned", reason = $"retry {i}" }).ToUrl(location + "/replay")))));

        Assert.Single(answers, a => a.Context.Response.StatusCode == 202);
        foreach (var conflict in answers.Where(a => a.Context.Response.StatusCode != 202))
            await conflict.ShouldBeProblemAsync(409, "conflict");

        await WaitForStatusAsync(location, key, "succeeded");
        var events = await StreamAsync("51", location);
        Assert.Single(events.OfType<DispatchReplayRequested>());
        Assert.Equal([1, 2], events.OfType<DispatchAttemptStarted>().Select(e => e.Attempt));
        Assert.Equal(2, provider.Received.Count);
    }

    [Fact]
    public async Task ten_simultaneous_bulk_replays_over_overlapping_filters_all_finish_and_replay_each_dispatch_once()
    {
        var (key, provider) = await ProviderAsync("racing-jobs");
        await using var _ = provider;
        string[] tenants = [.. Enumerable.Range(0, 150).Select(i => (61 + i % 3).ToString())];
        var locations = await FailedDispatchesAsync(key, provider, "racing-jobs", tenants);

        // Every job covers all of them, or one location's share, or the failed ones of two locations.
        var starts = await Task.WhenAll(Enumerable.Range(0, 10).Select(i => Task.Run(() => CallAsync(key, s =>
        {
            var send = s.Post.Json(new { route_version = "pinned", reason = $"job {i}" }).ToUrl("/api/v1/dispatches/replay")
                .QueryString("filter[provider]", "racing-jobs");
            if (i % 3 == 1) send.QueryString("filter[tenant_id]", (61 + i % 2).ToString());
            if (i % 3 == 2) send.QueryString("filter[tenant_id]", "62,63").QueryString("filter[status]", "failed");
        }))));
        Assert.All(starts, s => Assert.Equal(202, s.Context.Response.StatusCode));

        var jobs = new List<JsonElement>();
        foreach (var start in starts)
        {
            var jobLocation = start.Context.Response.Headers.Location.ToString();
            var job = default(JsonElement);
            await Eventually.UntilAsync(async () =>
            {
                job = await Host.GetAsJson<JsonElement>(jobLocation, key);
                return job.GetProperty("status").GetString() != "running";
            }, $"{jobLocation} to finish");
            Assert.Equal("completed", job.GetProperty("status").GetString());
            jobs.Add(job);
        }

        // Between them the jobs replayed each dispatch exactly once; a job that found one already replayed skipped it.
        Assert.Equal(locations.Count, jobs.Sum(j => j.GetProperty("replayed").GetInt32()));
        for (var i = 0; i < locations.Count; i++)
        {
            await WaitForStatusAsync(locations[i], key, "succeeded");
            Assert.Single((await StreamAsync(tenants[i], locations[i])).OfType<DispatchReplayRequested>());
        }
        Assert.Equal(2 * locations.Count, provider.Received.Count);
    }

    [Fact]
    public async Task a_bulk_replay_job_whose_batch_keeps_failing_ends_failed_with_the_cause_instead_of_running_forever()
    {
        var key = await Fixture.CreateKeyAsync();
        var id = Guid.CreateVersion7();
        await using (var session = Fixture.Store.LightweightSession())
        {
            session.Events.StartStream<ReplayJob>(id, new ReplayJobStarted(id, new DispatchFilter(null, [], [], [], null, null),
                "pinned", "broken filter", DateTimeOffset.UtcNow));
            await session.SaveChangesAsync();
        }
        // A filter without its provider list, which no endpoint writes: every batch of this job throws.
        await using (var connection = new NpgsqlConnection(Fixture.ConnectionString))
        {
            await connection.OpenAsync();
            await using var corrupt = new NpgsqlCommand(
                """
                update raffssync.mt_doc_replayjob
                set data = jsonb_set(data, '{filter,providers}', 'null')
                where id = @id
                """, connection);
            corrupt.Parameters.AddWithValue("id", id);
            Assert.Equal(1, await corrupt.ExecuteNonQueryAsync());
        }
        await Host.MessageBus().PublishAsync(new RunReplayJob(id));

        var job = default(JsonElement);
        await Eventually.UntilAsync(async () =>
        {
            job = await Host.GetAsJson<JsonElement>($"/api/v1/dispatches/replay-jobs/{id}", key);
            return job.GetProperty("status").GetString() != "running";
        }, "the job to stop");
        Assert.Equal("failed", job.GetProperty("status").GetString());
        Assert.Contains("NullReferenceException", job.GetProperty("failure").GetString());
    }
}
