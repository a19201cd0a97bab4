using System.Collections.Concurrent;
using System.Text.Json;
using Alba;
using RaffsSync.Api.Tests.Harness;

namespace RaffsSync.Api.Tests.Dispatches;

/// <summary>
/// PostgreSQL stops for a few seconds under a dispatch load. Requests meanwhile answer 503
/// <c>database_unavailable</c> with Retry-After (never 500), and every dispatch that was accepted
/// (202) still reaches a final status, calling the provider no more often than its route allows.
/// No test collection: the test stops a PostgreSQL cluster of its own, not the shared one.
/// </summary>
public sealed class DatabaseOutageTests
{
    private const int MaxAttempts = 3;

    private sealed record Answer(int Status, string? Location, string? Code, string? RetryAfter, string? ContentType);

    [Fact]
    public async Task accepted_dispatches_all_finish_after_the_database_stops_and_comes_back_and_meanwhile_requests_answer_503()
    {
        await using var postgres = await StoppablePostgres.StartAsync("raffs_outage");
        var database = postgres.Database;
        await using var provider = await LoopbackProvider.StartAsync();
        await using var host = await database.StartHostAsync(settings: new Dictionary<string, string>
        {
            ["RaffsSync:Reconciler:Interval"] = "00:00:02",
            ["RaffsSync:Reconciler:StaleAfter"] = "00:00:10"
        });
        var key = await host.CreateInternalKeyAsync();
        await host.CallAsync(key, s => s.Post.Json(new { key = "steady", name = "S", base_urls = new { sandbox = provider.BaseUrl } })
            .ToUrl("/api/v1/providers"));
        await host.CallAsync(key, s => s.Put.Json(new
        {
            kind = "http", request = new { method = "POST", path = "/orders", headers = new Dictionary<string, string> { ["X-Dispatch-Id"] = "{{dispatch.id}}" } },
            backoff = new { strategy = "fixed", initial = "PT0.5S", max_attempts = MaxAttempts, budget = "PT10M" }
        }).ToUrl("/api/v1/providers/steady/routes/orders"));

        // The load: parallel clients posting dispatches until told to stop (bounded in time either way).
        var answers = new ConcurrentBag<Answer>();
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(40));
        var clients = Enumerable.Range(0, 6).Select(_ => Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                var result = await host.CallAsync(key, s => s.Post.Json(new { tenant_id = "41", provider = "steady", route_key = "orders", payload = new { } })
                    .ToUrl("/api/v1/dispatches"));
                answers.Add(await AnswerOf(result));
                if (result.Context.Response.StatusCode == 503) await Task.Delay(200);
            }
        })).ToList();

        await Eventually.UntilAsync(() => answers.Count(a => a.Status == 202) >= 60, "the load to get going");
        postgres.Stop();
        var outage = Task.Delay(TimeSpan.FromSeconds(5));
        var accepted = answers.Count(a => a.Status == 202);
        await Eventually.UntilAsync(() => answers.Count(a => a.Status == 503) >= 10, "requests to meet the outage");
        await outage;
        postgres.Start();
        await Eventually.UntilAsync(() => answers.Count(a => a.Status == 202) >= accepted + 60, "the load to go on once PostgreSQL is back");
        await stop.CancelAsync();
        await Task.WhenAll(clients);

        Assert.All(answers.Where(a => a.Status != 202), a =>
        {
            Assert.Equal(503, a.Status);
            Assert.Equal("database_unavailable", a.Code);
            Assert.Equal(5, int.Parse(a.RetryAfter!));
            Assert.StartsWith("application/problem+json", a.ContentType);
        });

        var locations = answers.Where(a => a.Status == 202).Select(a => a.Location!).ToList();
        var unfinished = locations;
        await Eventually.UntilAsync(async () =>
        {
            var still = new List<string>();
            foreach (var location in unfinished)
                if ((await Status(host, key, location)) is not "succeeded") still.Add(location);
            unfinished = still;
            return unfinished.Count == 0;
        }, "every accepted dispatch to succeed", TimeSpan.FromSeconds(90));

        // An attempt cut off by the outage may be made again, never more often than the route allows.
        var calls = provider.Received.GroupBy(r => r.Headers["X-Dispatch-Id"]).ToDictionary(g => g.Key, g => g.Count());
        foreach (var location in locations)
        {
            var id = location.Split('/')[^1];
            Assert.InRange(calls.GetValueOrDefault(id), 1, MaxAttempts);
        }
    }

    private static async Task<Answer> AnswerOf(IScenarioResult result)
    {
        var response = result.Context.Response;
        string? code = null;
        if (response.StatusCode != 202)
        {
            var body = await result.ReadAsTextAsync();
            try { code = JsonDocument.Parse(body).RootElement.GetProperty("code").GetString(); }
            catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException) { code = body; }
        }
        return new Answer(response.StatusCode, response.Headers.Location.ToString(), code, response.Headers.RetryAfter.ToString(),
            response.ContentType);
    }

    private static async Task<string?> Status(IAlbaHost host, string key, string location) =>
        (await (await host.CallAsync(key, s => s.Get.Url(location))).ReadAsJsonAsync<JsonElement>()).GetProperty("status").GetString();
}
