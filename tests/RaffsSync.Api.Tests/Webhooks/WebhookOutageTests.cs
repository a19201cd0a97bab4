using System.Collections.Concurrent;
using System.Text.Json;
using Alba;
using RaffsSync.Api.Tests.Harness;
using RaffsSync.Domain.Webhooks;

namespace RaffsSync.Api.Tests.Webhooks;

/// <summary>
/// PostgreSQL stops for a few seconds while messages are being queued and sent: every message that was accepted (202)
/// still reaches its endpoint and ends succeeded. No test collection: the test stops a PostgreSQL cluster of its own.
/// </summary>
public sealed class WebhookOutageTests
{
    [Fact]
    public async Task every_accepted_message_is_delivered_after_the_database_stops_and_comes_back()
    {
        await using var postgres = await StoppablePostgres.StartAsync("raffs_webhook_outage");
        await using var receiver = await WebhookReceiver.StartAsync();
        await using var host = await postgres.Database.StartHostAsync(settings: new Dictionary<string, string>
        {
            ["RaffsSync:Reconciler:Interval"] = "00:00:02",
            ["RaffsSync:Reconciler:StaleAfter"] = "00:00:10",
            ["RaffsSync:Webhooks:RetrySchedule"] = "PT0.5S,PT1S,PT2S,PT5S"
        });
        var key = await host.CreateInternalKeyAsync();
        var (endpoint, secret) = await host.CreateEndpointAsync("cus_outage", receiver.Url, ["webhook.test"]);

        var accepted = new ConcurrentBag<string>();
        var refused = new ConcurrentBag<int>();
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(40));
        var clients = Enumerable.Range(0, 4).Select(_ => Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                var result = await host.CallAsync(key, s => s.Post.Url($"/api/v1/webhooks/endpoints/{endpoint}/test"));
                if (result.Context.Response.StatusCode == 202)
                    accepted.Add((await result.ReadAsJsonAsync<JsonElement>()).GetProperty("message_id").GetString()!);
                else
                {
                    refused.Add(result.Context.Response.StatusCode);
                    await Task.Delay(200);
                }
            }
        })).ToList();

        await Eventually.UntilAsync(() => accepted.Count >= 30, "the load to get going");
        postgres.Stop();
        var outage = Task.Delay(TimeSpan.FromSeconds(5));
        await Eventually.UntilAsync(() => refused.Count >= 5, "requests to meet the outage");
        await outage;
        postgres.Start();
        var before = accepted.Count;
        await Eventually.UntilAsync(() => accepted.Count >= before + 30, "the load to go on once PostgreSQL is back");
        await stop.CancelAsync();
        await Task.WhenAll(clients);

        Assert.All(refused, status => Assert.Equal(503, status));
        foreach (var message in accepted)
            await host.WaitForDeliveryAsync(message, WebhookDeliveryStatus.Succeeded);
        var received = receiver.Received.Where(m => StandardWebhooks.Verify(secret, m)).Select(m => m.Id).ToHashSet();
        Assert.All(accepted, message => Assert.Contains(message, received));
    }
}
