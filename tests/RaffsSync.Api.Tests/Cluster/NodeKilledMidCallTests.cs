using Alba;
using RaffsSync.Api.Tests.Harness;

namespace RaffsSync.Api.Tests.Cluster;

/// <summary>
/// The only worker is a real process, killed with SIGKILL while provider calls are in flight. Another worker takes
/// over once the cluster declares the dead node gone: every accepted dispatch reaches a final state, and no provider
/// sees more calls for one idempotency key than the route's attempts allow.
/// </summary>
public sealed class NodeKilledMidCallTests : IAsyncLifetime
{
    private const int Dispatches = 8, MaxAttempts = 3;
    private readonly List<IAlbaHost> _hosts = [];
    private OwnDatabase _db = null!;
    private LoopbackProvider _provider = null!;
    private readonly TaskCompletionSource _killed = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public async Task InitializeAsync()
    {
        _db = await OwnDatabase.CreateAsync();
        _provider = await LoopbackProvider.StartAsync();
        // Calls that arrive before the kill hang until then: the worker dies with them open.
        _provider.BeforeAnswer = _ => _killed.Task;
    }

    public async Task DisposeAsync()
    {
        _killed.TrySetResult();
        foreach (var host in _hosts.AsEnumerable().Reverse())
        {
            await host.StopAsync();
            await host.DisposeAsync();
        }
        await _provider.DisposeAsync();
    }

    [Fact]
    public async Task every_dispatch_finishes_after_its_worker_is_killed_mid_call_and_no_key_is_called_past_the_route_policy()
    {
        var api = await _db.StartNodeAsync("api", new CapturedLogs());
        _hosts.Add(api);
        var key = await api.CreateInternalKeyAsync();
        await api.CallAsync(key, s => s.Post.Json(new { key = "fragile", name = "Fragile", base_urls = new { sandbox = _provider.BaseUrl } })
            .ToUrl("/api/v1/providers"));
        var route = await api.CallAsync(key, s => s.Put.Json(new
        {
            kind = "http", success = new[] { 200 }, timeout = "PT60S",
            request = new { method = "POST", path = "/orders", headers = new Dictionary<string, string> { ["Idempotency-Key"] = "{{idempotency_key}}" } },
            backoff = new { strategy = "fixed", initial = "PT1S", max_attempts = MaxAttempts, budget = "PT5M" }
        }).ToUrl("/api/v1/providers/fragile/routes/orders"));
        Assert.Equal(201, route.Context.Response.StatusCode);

        var settings = new Dictionary<string, string>(OwnDatabase.ClusterTimings) { ["RaffsSync:Roles"] = "worker,projections" };
        await using var doomed = await ServiceProcess.StartAsync(_db, settings);

        var locations = new List<string>();
        for (var i = 0; i < Dispatches; i++)
            locations.Add(await api.AcceptDispatchAsync(key, new { tenant_id = "91", provider = "fragile", route_key = "orders", payload = new { n = i } },
                idempotencyKey: $"order-{i}"));

        await Eventually.UntilAsync(() => _provider.Received.Count >= 3, "the worker process to have calls in flight");
        doomed.Kill();
        _killed.SetResult();
        var inFlightAtKill = _provider.Received.Count;

        var successor = await _db.StartNodeAsync("worker,projections", new CapturedLogs());
        _hosts.Add(successor);

        await api.UntilDispatchesAsync(key, locations, TimeSpan.FromSeconds(120), DispatchWaits.FinalStatuses);

        var statuses = await Task.WhenAll(locations.Select(l => api.DispatchStatusAsync(key, l)));
        Assert.All(statuses, s => Assert.Equal("succeeded", s));
        var callsPerKey = _provider.Received.GroupBy(r => r.Headers["Idempotency-Key"]).ToDictionary(g => g.Key, g => g.Count());
        Assert.Equal(Dispatches, callsPerKey.Count);
        Assert.All(callsPerKey, pair => Assert.InRange(pair.Value, 1, MaxAttempts));
        // The calls cut off by the kill were made again: the provider saw more calls than dispatches.
        Assert.True(_provider.Received.Count > Dispatches, $"{inFlightAtKill} calls were in flight at the kill, {_provider.Received.Count} in all");
    }
}
