using System.Text.Json;
using Alba;
using Marten;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using RaffsSync.Api.Dispatches;
using RaffsSync.Api.Tests.Harness;
using RaffsSync.Domain.Dispatches;
using RaffsSync.Domain;
using RaffsSync.Domain.Registry;
using Wolverine;

namespace RaffsSync.Api.Tests.Dispatches;

/// <summary>
/// Dispatches whose execute message is gone (lost to an outage) or keeps failing. No test
/// collection: the host runs the reconciler with settings of its own, passes driven by the test.
/// </summary>
public sealed class StrandedDispatchTests : IAsyncLifetime
{
    private IAlbaHost _host = null!;
    private LoopbackProvider _provider = null!;
    private string _key = "";

    public async Task InitializeAsync()
    {
        _provider = await LoopbackProvider.StartAsync();
        var database = await OwnDatabase.CreateAsync();
        _host = await database.StartHostAsync(settings: new Dictionary<string, string>
        {
            ["RaffsSync:Reconciler:Interval"] = "01:00:00", // the test runs the passes
            ["RaffsSync:Reconciler:StaleAfter"] = "00:00:01"
        });
        _key = await _host.CreateInternalKeyAsync();
        await _host.CallAsync(_key, s => s.Post.Json(new { key = "shop", name = "S", base_urls = new { sandbox = _provider.BaseUrl } }).ToUrl("/api/v1/providers"));
        await _host.CallAsync(_key, s => s.Put.Json(new { kind = "http", request = new { method = "POST", path = "/orders" } })
            .ToUrl("/api/v1/providers/shop/routes/orders"));
    }

    public async Task DisposeAsync()
    {
        await _host.StopAsync();
        await _host.DisposeAsync();
        await _provider.DisposeAsync();
    }

    private IDocumentStore Store => _host.Services.GetRequiredService<IDocumentStore>();

    private DispatchReconciler Reconciler => _host.Services.GetServices<IHostedService>().OfType<DispatchReconciler>().Single();

    /// <summary>An accepted dispatch as if its execute message had been lost: the stream, and no message.</summary>
    private async Task<Guid> AcceptedWithoutMessageAsync(string routeKey = "orders")
    {
        var id = Guid.CreateVersion7();
        await using var session = Store.LightweightSession("71");
        session.Events.StartStream<Dispatch>(id, new DispatchRequested(id, "71", "shop", routeKey, 1, ProviderEnvironment.Sandbox,
            JsonDocument.Parse("{}").RootElement, DateTimeOffset.UtcNow));
        await session.SaveChangesAsync();
        return id;
    }

    private async Task<JsonElement> DispatchAsync(Guid id) =>
        await (await _host.CallAsync(_key, s => s.Get.Url($"/api/v1/dispatches/{id}"))).ReadAsJsonAsync<JsonElement>();

    private async Task<IReadOnlyList<object>> StreamAsync(Guid id)
    {
        await using var session = Store.QuerySession("71");
        return (await session.Events.FetchStreamAsync(id)).Select(e => e.Data).ToList();
    }

    [Fact]
    public async Task a_dispatch_left_without_its_message_is_queued_again_and_one_with_a_live_message_is_left_alone()
    {
        var stranded = await AcceptedWithoutMessageAsync();
        var waiting = await AcceptedWithoutMessageAsync();
        await _host.MessageBus().ScheduleAsync(new ExecuteDispatch(waiting), DateTimeOffset.UtcNow.AddHours(1),
            new DeliveryOptions { TenantId = "71" });

        await Eventually.UntilAsync(async () => await Reconciler.ReconcileAsync(CancellationToken.None) > 0, "a pass to queue the stranded dispatch");
        await Eventually.UntilAsync(async () => (await DispatchAsync(stranded)).GetProperty("status").GetString() == "succeeded",
            "the stranded dispatch to succeed");

        Assert.Equal(0, await Reconciler.ReconcileAsync(CancellationToken.None));
        var requeued = Assert.Single((await StreamAsync(stranded)).OfType<DispatchRequeued>());
        Assert.Equal(1, requeued.Attempt);
        Assert.Contains("no execute message", requeued.Reason);
        Assert.Single(_provider.Received);

        Assert.Equal("accepted", (await DispatchAsync(waiting)).GetProperty("status").GetString());
        Assert.Empty((await StreamAsync(waiting)).OfType<DispatchRequeued>());
    }

    [Fact]
    public async Task an_execute_message_that_fails_for_good_dead_letters_its_dispatch_with_the_cause()
    {
        var broken = await AcceptedWithoutMessageAsync(routeKey: "gone"); // its route does not exist: the executor throws
        await _host.MessageBus().PublishAsync(new ExecuteDispatch(broken), new DeliveryOptions { TenantId = "71" });

        await Eventually.UntilAsync(async () => (await DispatchAsync(broken)).GetProperty("status").GetString() == "dead_lettered",
            "the dispatch to be dead-lettered");
        var deadLettered = Assert.Single((await StreamAsync(broken)).OfType<DispatchDeadLettered>());
        Assert.Contains("InvalidOperationException", deadLettered.Reason);
        Assert.Equal(0, await Reconciler.ReconcileAsync(CancellationToken.None)); // final: nothing left to do
    }
}
