using System.Text.Json;
using Alba;
using Marten;
using RaffsSync.Api.Tests.Harness;
using RaffsSync.Domain.Dispatches;
using RaffsSync.Domain.Registry;

namespace RaffsSync.Api.Tests.Dispatches;

/// <summary>Retries run on their real schedule (tiny backoffs), and the schedule is checked in the events, not the clock.</summary>
[Collection(RetryCollection.Name)]
public sealed class RetryTests(AppFixture fixture) : ApiTest(fixture)
{
    private static RouteDefinition Orders(Backoff backoff, params ErrorRule[] rules) =>
        new("http", new RequestTemplate("POST", "/orders"), Success: [200, 201], Backoff: backoff, ErrorRules: rules.Length > 0 ? rules : null);

    private async Task<(Guid Id, string Location, string Key)> DispatchAsync(string provider)
    {
        var key = await Fixture.CreateKeyAsync();
        var accepted = await Host.Scenario(PostDispatch(key, new { tenant_id = "29", provider, route_key = "orders", payload = new { n = 1 } }));
        Assert.Equal(202, accepted.Context.Response.StatusCode);
        var id = (await accepted.ReadAsJsonAsync<JsonElement>()).GetProperty("id").GetGuid();
        return (id, accepted.Context.Response.Headers.Location.ToString(), key);
    }

    private async Task<IReadOnlyList<object>> EventsAsync(Guid id)
    {
        await using var session = Fixture.Store.QuerySession("29");
        return (await session.Events.FetchStreamAsync(id)).Select(e => e.Data).ToList();
    }

    [Fact]
    public async Task transient_503s_are_retried_with_backoff_until_the_provider_answers()
    {
        await using var provider = await LoopbackProvider.StartAsync();
        await Fixture.RegisterProviderAsync("flaky", provider.BaseUrl, ("orders", Orders(new Backoff("exponential", "PT0.2S", 5, "PT1M"))));
        provider.Reply(503);
        provider.Reply(503);
        provider.Reply(201, """{"id":"o-1"}""");

        var (id, location, key) = await DispatchAsync("flaky");
        var status = await WaitForStatusAsync(location, key, "succeeded", "failed", "dead_lettered");

        Assert.Equal("succeeded", status.GetProperty("status").GetString());
        Assert.Equal(3, status.GetProperty("attempts").GetInt32());
        Assert.Equal(3, provider.Received.Count);

        var events = await EventsAsync(id);
        var retries = events.OfType<DispatchRetryScheduled>().ToList();
        var starts = events.OfType<DispatchAttemptStarted>().ToList();
        Assert.Equal([1, 2], retries.Select(r => r.Attempt));
        // Equal jitter: attempt n waits between half and all of 0.2 s × 2^(n−1).
        AssertDelayWithin(retries[0], TimeSpan.FromMilliseconds(100), TimeSpan.FromMilliseconds(200));
        AssertDelayWithin(retries[1], TimeSpan.FromMilliseconds(200), TimeSpan.FromMilliseconds(400));
        Assert.True(starts[1].StartedAt >= retries[0].NextAttemptAt, "attempt 2 started before its scheduled time");
        Assert.True(starts[2].StartedAt >= retries[1].NextAttemptAt, "attempt 3 started before its scheduled time");
        Assert.IsType<DispatchSucceeded>(events[^1]);
    }

    [Fact]
    public async Task a_429_waits_for_retry_after_and_the_wait_is_capped_by_the_route()
    {
        await using var provider = await LoopbackProvider.StartAsync();
        await Fixture.RegisterProviderAsync("busy", provider.BaseUrl, ("orders", Orders(new Backoff("exponential", "PT0.1S", 5, "PT1M"),
            new ErrorRule([429], Action: "rate_limited", MaxWait: "PT2S"))));
        provider.Reply(429, headers: new Dictionary<string, string> { ["Retry-After"] = "1" });
        provider.Reply(429, headers: new Dictionary<string, string> { ["Retry-After"] = "3600" });
        provider.Reply(200);

        var (id, location, key) = await DispatchAsync("busy");
        await WaitForStatusAsync(location, key, "succeeded", "failed", "dead_lettered");

        var events = await EventsAsync(id);
        var retries = events.OfType<DispatchRetryScheduled>().ToList();
        var starts = events.OfType<DispatchAttemptStarted>().ToList();
        Assert.Equal(TimeSpan.FromSeconds(1), retries[0].NextAttemptAt - retries[0].ScheduledAt);
        Assert.Equal(TimeSpan.FromSeconds(2), retries[1].NextAttemptAt - retries[1].ScheduledAt); // capped from an hour
        Assert.True(starts[1].StartedAt >= retries[0].NextAttemptAt);
        Assert.True(starts[2].StartedAt >= retries[1].NextAttemptAt);
        Assert.IsType<DispatchSucceeded>(events[^1]);
    }

    [Theory]
    [InlineData(400, "failed", "rejected")]
    [InlineData(401, "failed", "configuration")]
    public async Task permanent_errors_fail_without_a_retry(int answer, string status, string failureType)
    {
        await using var provider = await LoopbackProvider.StartAsync();
        await Fixture.RegisterProviderAsync($"strict-{answer}", provider.BaseUrl, ("orders", Orders(new Backoff("exponential", "PT0.1S"))));
        provider.Reply(answer);

        var (_, location, key) = await DispatchAsync($"strict-{answer}");
        var result = await WaitForStatusAsync(location, key, "succeeded", "failed", "dead_lettered");

        Assert.Equal(status, result.GetProperty("status").GetString());
        Assert.Equal(failureType, result.GetProperty("failure_type").GetString());
        Assert.Single(provider.Received);
    }

    [Fact]
    public async Task exhausted_attempts_dead_letter_after_exactly_max_attempts_calls()
    {
        await using var provider = await LoopbackProvider.StartAsync();
        await Fixture.RegisterProviderAsync("down", provider.BaseUrl, ("orders", Orders(new Backoff("fixed", "PT0.1S", 3, "PT1M"))));
        for (var i = 0; i < 5; i++) provider.Reply(502);

        var (id, location, key) = await DispatchAsync("down");
        var result = await WaitForStatusAsync(location, key, "succeeded", "failed", "dead_lettered");

        Assert.Equal("dead_lettered", result.GetProperty("status").GetString());
        Assert.Equal(3, provider.Received.Count);
        var events = await EventsAsync(id);
        Assert.Equal(3, events.OfType<ProviderResponded>().Count());
        Assert.Equal(2, events.OfType<DispatchRetryScheduled>().Count());
        Assert.IsType<DispatchDeadLettered>(events[^1]);
    }

    private static void AssertDelayWithin(DispatchRetryScheduled retry, TimeSpan min, TimeSpan max)
    {
        var delay = retry.NextAttemptAt - retry.ScheduledAt;
        Assert.InRange(delay, min, max);
    }
}

[Collection(RetryCollection.Name)]
public sealed class ReconcileTests(AppFixture fixture) : ApiTest(fixture)
{
    private async Task<(string Key, string Location)> WriteThatTimesOutAsync(string provider, LoopbackProvider server)
    {
        await Fixture.RegisterProviderAsync(provider, server.BaseUrl,
            ("orders.push", new RouteDefinition("http", new RequestTemplate("POST", "/orders"), Success: [201], Timeout: "PT0.5S",
                Backoff: new Backoff("fixed", "PT0.1S", 3, "PT1M"), Reconcile: new Reconcile("orders.find"))),
            ("orders.find", new RouteDefinition("http", new RequestTemplate("GET", "/orders/by-key/{{idempotency_key}}", Body: null), Success: [200])));
        var key = await Fixture.CreateKeyAsync();
        var accepted = await Host.Scenario(PostDispatch(key, new { tenant_id = "29", provider, route_key = "orders.push", payload = new { } }));
        return (key, accepted.Context.Response.Headers.Location.ToString());
    }

    [Fact]
    public async Task a_timed_out_write_the_lookup_finds_succeeded()
    {
        await using var server = await LoopbackProvider.StartAsync();
        server.ReplyAfter(TimeSpan.FromSeconds(10), 201); // the write: no answer in time
        server.Reply(200, """{"id":"o-1"}""");             // the lookup: it is there

        var (key, location) = await WriteThatTimesOutAsync("reconciled", server);
        var status = await WaitForStatusAsync(location, key, "succeeded", "outcome_unknown", "failed", "dead_lettered");

        Assert.Equal("succeeded", status.GetProperty("status").GetString());
        Assert.Equal(["POST", "GET"], server.Received.Select(r => r.Method));
        Assert.StartsWith("/orders/by-key/", server.Received[1].PathAndQuery);
    }

    [Fact]
    public async Task a_timed_out_write_the_lookup_does_not_find_is_retried()
    {
        await using var server = await LoopbackProvider.StartAsync();
        server.ReplyAfter(TimeSpan.FromSeconds(10), 201);
        server.Reply(404);
        server.Reply(201);

        var (key, location) = await WriteThatTimesOutAsync("not-there", server);
        var status = await WaitForStatusAsync(location, key, "succeeded", "outcome_unknown", "failed", "dead_lettered");

        Assert.Equal("succeeded", status.GetProperty("status").GetString());
        Assert.Equal(["POST", "GET", "POST"], server.Received.Select(r => r.Method));
        Assert.Equal(2, status.GetProperty("attempts").GetInt32());
    }

    [Fact]
    public async Task without_a_lookup_answer_the_outcome_stays_unknown()
    {
        await using var server = await LoopbackProvider.StartAsync();
        server.ReplyAfter(TimeSpan.FromSeconds(10), 201);
        server.Reply(500);

        var (key, location) = await WriteThatTimesOutAsync("still-unknown", server);
        var status = await WaitForStatusAsync(location, key, "succeeded", "outcome_unknown", "failed", "dead_lettered");

        Assert.Equal("outcome_unknown", status.GetProperty("status").GetString());
        Assert.Equal(2, server.Received.Count);
    }
}
