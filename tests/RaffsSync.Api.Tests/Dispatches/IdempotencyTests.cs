using System.Text.Json;
using Alba;
using RaffsSync.Api.Tests.Harness;
using RaffsSync.Domain.Registry;
using Wolverine.Tracking;

namespace RaffsSync.Api.Tests.Dispatches;

[Collection(IdempotencyCollection.Name)]
public sealed class IdempotencyTests(AppFixture fixture) : ApiTest(fixture)
{
    private static readonly RouteDefinition Push = new("http", new RequestTemplate("POST", "/orders",
        Headers: new Dictionary<string, string> { ["Idempotency-Key"] = "{{idempotency_key}}" }), Success: [201]);

    private async Task<(LoopbackProvider Provider, string ProviderKey)> ProviderAsync()
    {
        var provider = await LoopbackProvider.StartAsync();
        var key = $"idem-{Guid.NewGuid():N}"[..20];
        await Fixture.RegisterProviderAsync(key, provider.BaseUrl, ("orders", Push));
        return (provider, key);
    }

    private Task<IScenarioResult> Post(string apiKey, string idempotencyKey, object body) => CallAsync(apiKey, s =>
    {
        s.Post.Json(body).ToUrl("/api/v1/dispatches");
        s.WithRequestHeader("Idempotency-Key", idempotencyKey);
    });

    private async Task<long> DispatchesOf(string provider) =>
        await Fixture.ScalarAsync("select count(*) from raffssync.mt_events where type = 'dispatch_requested' and data->>'provider' = $1", provider);

    [Fact]
    public async Task a_repeated_request_gets_the_first_response_replayed_and_the_work_is_done_once()
    {
        var (provider, providerKey) = await ProviderAsync();
        await using var _ = provider;
        provider.Reply(201);
        var key = await Fixture.CreateKeyAsync();
        var body = new { tenant_id = "29", provider = providerKey, route_key = "orders", payload = new { order = 1 } };

        IScenarioResult first = null!;
        await Host.WaitForWorkAsync(async () => first = await Post(key, "order-1-create", body));
        var second = await Post(key, "order-1-create", body);

        Assert.Equal(202, first.Context.Response.StatusCode);
        Assert.Equal(202, second.Context.Response.StatusCode);
        Assert.Equal(await first.ReadAsTextAsync(), await second.ReadAsTextAsync());
        Assert.Equal(first.Context.Response.Headers.Location.ToString(), second.Context.Response.Headers.Location.ToString());
        Assert.False(first.Context.Response.Headers.ContainsKey("Idempotent-Replayed"));
        Assert.Equal("true", second.Context.Response.Headers["Idempotent-Replayed"].ToString());
        Assert.Equal(1, await DispatchesOf(providerKey));
        var received = Assert.Single(provider.Received);
        Assert.Equal("order-1-create", received.Headers["Idempotency-Key"]); // carried to the provider
    }

    [Fact]
    public async Task twenty_concurrent_repeats_make_one_dispatch_one_call_and_identical_answers()
    {
        var (provider, providerKey) = await ProviderAsync();
        await using var _ = provider;
        provider.Reply(201);
        var key = await Fixture.CreateKeyAsync();
        var body = new { tenant_id = "29", provider = providerKey, route_key = "orders", payload = new { order = 2 } };

        IScenarioResult[] results = [];
        await Host.WaitForWorkAsync(async () =>
            results = await Task.WhenAll(Enumerable.Range(0, 20).Select(_ => Post(key, "order-2-create", body))));

        Assert.All(results, r => Assert.Equal(202, r.Context.Response.StatusCode));
        var bodies = await Task.WhenAll(results.Select(r => r.ReadAsTextAsync()));
        Assert.Single(bodies.Distinct());
        Assert.Equal(1, await DispatchesOf(providerKey));
        Assert.Single(provider.Received);
    }

    [Fact]
    public async Task the_same_key_for_a_different_request_is_422_and_writes_nothing()
    {
        var (provider, providerKey) = await ProviderAsync();
        await using var _ = provider;
        var key = await Fixture.CreateKeyAsync();
        await Host.WaitForWorkAsync(async () =>
            await Post(key, "order-3", new { tenant_id = "29", provider = providerKey, route_key = "orders", payload = new { order = 3 } }));

        var reused = await Post(key, "order-3", new { tenant_id = "29", provider = providerKey, route_key = "orders", payload = new { order = 4 } });

        await reused.ShouldBeProblemAsync(422, "idempotency_key_reused");
        Assert.Equal(1, await DispatchesOf(providerKey));
    }

    [Fact]
    public async Task keys_belong_to_their_caller()
    {
        var (provider, providerKey) = await ProviderAsync();
        await using var _ = provider;
        var body = new { tenant_id = "29", provider = providerKey, route_key = "orders", payload = new { order = 5 } };

        await Host.WaitForWorkAsync(async () =>
        {
            await Post(await Fixture.CreateKeyAsync(), "shared-key", body);
            await Post(await Fixture.CreateKeyAsync(), "shared-key", body);
        });

        Assert.Equal(2, await DispatchesOf(providerKey));
    }

    [Fact]
    public async Task a_key_longer_than_255_characters_is_refused()
    {
        var key = await Fixture.CreateKeyAsync();

        var result = await Post(key, new string('k', 256), new { tenant_id = "29", provider = "sandbox", route_key = "orders.push", payload = new { } });

        var problem = await result.ShouldBeProblemAsync(400, "validation_failed");
        Assert.Equal("Idempotency-Key", problem.GetProperty("details")[0].GetProperty("field").GetString());
    }
}
