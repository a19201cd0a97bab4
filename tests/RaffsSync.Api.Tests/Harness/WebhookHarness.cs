using System.Text.Json;
using Alba;
using Marten;
using Microsoft.Extensions.DependencyInjection;
using RaffsSync.Api.Connections;
using RaffsSync.Api.Webhooks;
using RaffsSync.Domain.Webhooks;

namespace RaffsSync.Api.Tests.Harness;

public static class WebhookHarness
{
    /// <summary>An endpoint as its events and sealed secret, for tests of delivery (the management API has tests of its own).</summary>
    public static async Task<(Guid Id, string Secret)> CreateEndpointAsync(this IAlbaHost host, string customer, string url, string[] eventTypes,
        bool ordered = false, int? rateLimit = null)
    {
        var secret = WebhookSignature.NewSecret();
        var id = Guid.CreateVersion7();
        await using var session = host.Services.GetRequiredService<IDocumentStore>().LightweightSession();
        session.Events.StartStream<WebhookEndpoint>(id, new WebhookEndpointCreated(id, customer, url, null, eventTypes, [], true, ordered, rateLimit,
            WebhookSignature.Fingerprint(secret), DateTimeOffset.UtcNow));
        session.Store(WebhookSecrets.Seal(host.Services.GetRequiredService<SecretVault>(), id, secret));
        await session.SaveChangesAsync();
        return (id, secret);
    }

    /// <summary>Queues a <c>webhook.test</c> message to the endpoint through the API.</summary>
    public static async Task<(Guid Delivery, string Message)> SendTestMessageAsync(this IAlbaHost host, string key, Guid endpoint)
    {
        var sent = await host.CallAsync(key, s => s.Post.Url($"/api/v1/webhooks/endpoints/{endpoint}/test"));
        Assert.Equal(202, sent.Context.Response.StatusCode);
        var body = await sent.ReadAsJsonAsync<JsonElement>();
        return (body.GetProperty("id").GetGuid(), body.GetProperty("message_id").GetString()!);
    }

    public static async Task<WebhookDelivery> WaitForDeliveryAsync(this IAlbaHost host, string messageId, params WebhookDeliveryStatus[] statuses)
    {
        WebhookDelivery? delivery = null;
        await Eventually.UntilAsync(async () =>
        {
            await using var session = host.Services.GetRequiredService<IDocumentStore>().QuerySession();
            delivery = await session.Query<WebhookDelivery>().Where(d => d.AnyTenant() && d.MessageId == messageId).SingleOrDefaultAsync();
            return delivery is not null && statuses.Contains(delivery.Status);
        }, $"delivery {messageId} to become {string.Join(" or ", statuses)}");
        return delivery!;
    }
}
