using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Marten;
using Microsoft.Extensions.DependencyInjection;
using RaffsSync.Api.Access;
using RaffsSync.Api.Tests.Harness;
using RaffsSync.Domain;
using RaffsSync.Domain.Access;
using RaffsSync.Domain.Inbound;

namespace RaffsSync.Api.Tests.Webhooks;

/// <summary>
/// The whole loop on one machine, over real sockets: a sandbox order makes the sandbox push a signed
/// <c>order.created</c>; RaffsSync verifies it, forwards it to the customer's endpoint (signature checked by the
/// receiver's own code) and chains it into a dispatch to a second provider, whose success is sent too; one request id
/// runs through all of it, in the events and in the audit log. No collection: its own host on its own database.
/// </summary>
public sealed class HubLoopTests
{
    [Fact]
    public async Task a_sandbox_order_is_forwarded_to_the_endpoint_and_chained_into_a_dispatch_under_one_request_id()
    {
        await using var host = LoopbackHost.Start(await OwnDatabase.CreateAsync());
        var store = host.Services.GetRequiredService<IDocumentStore>();
        var key = await ApiKeyStore.CreateAsync(store,
            new ApiKeyRequest("test", ProviderEnvironment.Sandbox, CallerClass.Internal, Scopes.All, null, []), TimeProvider.System);
        using var http = new HttpClient { BaseAddress = host.Address };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key);
        await using var ledger = await LoopbackProvider.StartAsync();
        await using var receiver = await WebhookReceiver.StartAsync();

        async Task<JsonElement> Send(HttpMethod method, string url, object body, HttpStatusCode expected)
        {
            using var response = await http.SendAsync(new HttpRequestMessage(method, url) { Content = JsonContent.Create(body) });
            Assert.True(response.StatusCode == expected, $"{method} {url}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
            return await response.Content.ReadFromJsonAsync<JsonElement>();
        }

        var customer = (await Send(HttpMethod.Post, "/api/v1/customers", new { name = "Loop" }, HttpStatusCode.Created)).GetProperty("id").GetString()!;
        await Send(HttpMethod.Post, $"/api/v1/customers/{customer}/locations", new { tenant_id = "loop-29", name = "Loop 29" }, HttpStatusCode.Created);
        await Send(HttpMethod.Post, "/api/v1/providers", new { key = "ledger", name = "Ledger", base_urls = new { sandbox = ledger.BaseUrl } }, HttpStatusCode.Created);
        await Send(HttpMethod.Put, "/api/v1/providers/ledger/routes/invoices.create",
            new { kind = "http", request = new { method = "POST", path = "/invoices" } }, HttpStatusCode.Created);
        await Send(HttpMethod.Put, "/api/v1/providers/sandbox/routes/order.created.forward", new { kind = "forward", @event = "order.created" },
            HttpStatusCode.Created);
        await Send(HttpMethod.Put, "/api/v1/providers/sandbox/routes/order.created.invoice", new
        {
            kind = "chain", @event = "order.created",
            chain = new { provider = "ledger", route_key = "invoices.create", payload = "{order_id: event.data.order.id, customer: event.data.order.order.customer}" }
        }, HttpStatusCode.Created);
        var connection = (await Send(HttpMethod.Post, "/api/v1/locations/loop-29/connections",
            new { provider = "sandbox", environment = "sandbox", credentials = new { webhook_secret = "loop-signing-secret" } }, HttpStatusCode.Created))
            .GetProperty("id").GetString()!;
        var secret = (await Send(HttpMethod.Post, "/api/v1/webhooks/endpoints", new
        {
            url = receiver.Url, customer_id = customer, event_types = new[] { "sandbox.order.created", "dispatch.succeeded" }
        }, HttpStatusCode.Created)).GetProperty("secret").GetString()!;

        using var order = new HttpRequestMessage(HttpMethod.Post, "/sandbox/v1/orders") { Content = JsonContent.Create(new { customer = "Ana", total = 125000 }) };
        order.Headers.Add("X-Sandbox-Notify", connection);
        order.Headers.Add("X-Request-Id", "loop-order-1");
        using var created = await http.SendAsync(order);
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var orderId = (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString();

        await Eventually.UntilAsync(() => receiver.Received.Select(m => m.Type).Distinct().Count() == 2, "the forwarded event and the dispatch's success");
        Assert.All(receiver.Received, m => Assert.True(StandardWebhooks.Verify(secret, m), $"{m.Type}: signature refused"));
        var forwarded = receiver.Received.Single(m => m.Type == "sandbox.order.created");
        Assert.Equal(orderId, forwarded.Data.GetProperty("data").GetProperty("order").GetProperty("id").GetString());
        var succeeded = receiver.Received.Single(m => m.Type == "dispatch.succeeded");
        Assert.Equal(("ledger", "invoices.create"), (succeeded.Data.GetProperty("provider").GetString(), succeeded.Data.GetProperty("route_key").GetString()));
        var invoice = JsonDocument.Parse(Assert.Single(ledger.Received).Body).RootElement;
        Assert.Equal((orderId, "Ana"), (invoice.GetProperty("order_id").GetString(), invoice.GetProperty("customer").GetString()));

        await using var session = store.QuerySession("loop-29");
        // A delivery's webhook_attempted and webhook_delivered are appended once the receiver has answered, so a
        // moment after it has the message.
        IReadOnlyList<JasperFx.Events.IEvent> events = [];
        await Eventually.UntilAsync(async () =>
        {
            events = await session.Events.QueryAllRawEvents().Where(e => e.TenantId == "loop-29").ToListAsync();
            return events.Count(e => e.EventTypeName == "webhook_delivered") >= 2;
        }, "both deliveries recorded as delivered");
        var inbound = events.First(e => e.Data is InboundEventReceived);
        Assert.Equal("loop-order-1", inbound.CorrelationId);
        var loop = events.Where(e => e.EventTypeName is "inbound_event_received" or "inbound_event_routed" or "dispatch_requested"
            or "dispatch_attempt_started" or "dispatch_succeeded" or "webhook_delivery_created" or "webhook_attempted" or "webhook_delivered").ToList();
        Assert.Equal(["dispatch_attempt_started", "dispatch_requested", "dispatch_succeeded", "inbound_event_received", "inbound_event_routed",
            "webhook_attempted", "webhook_delivered", "webhook_delivery_created"], loop.Select(e => e.EventTypeName).Distinct().Order());
        Assert.All(loop, e => Assert.Equal("loop-order-1", e.CorrelationId));

        // The audit log (written by the async daemon) shows the whole chain under that request id.
        await Eventually.UntilAsync(async () =>
        {
            var audit = await http.GetFromJsonAsync<JsonElement>("/api/v1/audit?request_id=loop-order-1&limit=100");
            var types = audit.GetProperty("data").EnumerateArray().Select(e => e.GetProperty("event_type").GetString()).ToHashSet();
            return new[] { "inbound_event_received", "inbound_event_routed", "dispatch_requested", "dispatch_succeeded", "webhook_delivered" }
                .All(types.Contains);
        }, "the audit log to show the chain under loop-order-1");
    }

}
