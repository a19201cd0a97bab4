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

namespace RaffsSync.Api.Tests.Inbound;

/// <summary>
/// The built-in sandbox as a provider that pushes: an order created with <c>X-Sandbox-Notify</c> comes back to the
/// service's own inbound endpoint, signed, over a real socket (so the host listens on a port of its own).
/// </summary>
[Collection(InboundCollection.Name)]
public sealed class SandboxEventTests
{
    [Fact]
    public async Task a_sandbox_order_with_notify_pushes_order_created_which_is_verified_and_routed()
    {
        await using var host = LoopbackHost.Start(await OwnDatabase.CreateAsync());
        var store = host.Services.GetRequiredService<IDocumentStore>();
        var key = await ApiKeyStore.CreateAsync(store,
            new ApiKeyRequest("test", ProviderEnvironment.Sandbox, CallerClass.Internal, Scopes.All, null, []), TimeProvider.System);
        using var http = new HttpClient { BaseAddress = host.Address };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key);

        var route = await http.PutAsJsonAsync("/api/v1/providers/sandbox/routes/order.created.forward",
            new { kind = "forward", @event = "order.created" });
        Assert.Equal(HttpStatusCode.Created, route.StatusCode);
        var connected = await http.PostAsJsonAsync("/api/v1/locations/sb-29/connections",
            new { provider = "sandbox", environment = "sandbox", credentials = new { webhook_secret = "sandbox-signing-secret" } });
        Assert.Equal(HttpStatusCode.Created, connected.StatusCode);
        var connection = (await connected.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid();

        using var order = new HttpRequestMessage(HttpMethod.Post, "/sandbox/v1/orders") { Content = JsonContent.Create(new { customer = "Ana" }) };
        order.Headers.Add("X-Sandbox-Notify", connection.ToString());
        var created = await http.SendAsync(order);
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var orderId = (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString();

        InboundEvent? received = null;
        await Eventually.UntilAsync(async () =>
        {
            await using var session = store.QuerySession();
            received = await session.Query<InboundEvent>().Where(e => e.AnyTenant() && e.ConnectionId == connection).FirstOrDefaultAsync();
            return received is not null;
        }, "the sandbox's order.created to arrive");

        Assert.Equal(("sb-29", "sandbox", "order.created", "routed"), (received!.TenantId, received.Provider, received.EventType, received.Status));
        Assert.Equal(("order.created.forward", "sandbox.order.created"), (Assert.Single(received.Routes).RouteKey, received.Routes[0].ForwardedAs));
        Assert.StartsWith("evt_", received.ProviderEventId);
        var shown = await http.GetFromJsonAsync<JsonElement>($"/api/v1/inbound-events/{received.Id}");
        Assert.Equal(orderId, shown.GetProperty("body").GetProperty("data").GetProperty("order").GetProperty("id").GetString());
        Assert.Equal("Ana", shown.GetProperty("body").GetProperty("data").GetProperty("order").GetProperty("order").GetProperty("customer").GetString());
    }
}
