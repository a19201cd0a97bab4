using System.Net.Http.Headers;
using RaffsSync.Api.Tests.Harness;
using RaffsSync.Client;

namespace RaffsSync.Api.Tests.Client;

/// <summary>
/// The README walk-through, through a client NSwag generates from the checked-in openapi/v1.json at
/// build time, using only its typed operations and models: if the document cannot describe the API
/// well enough for that, this fails to build or to pass.
/// </summary>
[Collection(GeneratedClientCollection.Name)]
public sealed class GeneratedClientWalkthroughTests(AppFixture fixture) : ApiTest(fixture)
{
    [Fact]
    public async Task the_readme_walkthrough_runs_through_the_generated_client()
    {
        // A TakeApp-like point of sale on loopback stands in for the sandbox: under Alba the service does
        // not listen on a socket, so the built-in sandbox (a relative base URL into the service) is unreachable.
        await using var pos = await LoopbackProvider.StartAsync();
        pos.Reply(201, """{"id": "ord_1", "status": "received"}""");
        var admin = ClientFor(await Fixture.CreateKeyAsync()); // keys create --internal

        var customer = await admin.CreateCustomerAsync(x_Request_Id: null, new CreateCustomer { Name = "Kopi Kita" });
        Assert.StartsWith("cus_", customer.Id);
        var location = await admin.AddLocationAsync(customer.Id, x_Request_Id: null,
            new AddLocation { Tenant_id = "walk-31", Name = "Kopi Kita Kemang" });
        Assert.Equal(customer.Id, location.Customer_id);

        await admin.RegisterProviderAsync(x_Request_Id: null, new ProviderInput
        {
            Key = "kasir-walk", Name = "Kasir", Auth_kind = ProviderInputAuth_kind.Bearer,
            Base_urls = new Dictionary<string, string> { ["sandbox"] = pos.BaseUrl, ["production"] = pos.BaseUrl }
        });
        var route = await admin.PutRouteAsync("kasir-walk", "orders.push", if_Match: null, x_Request_Id: null, new RouteTemplate
        {
            Kind = RouteDefinitionKind.Http,
            Request = new RequestTemplate { Method = "POST", Path = "/v1/outlets/{{connection.settings.outlet_id}}/orders", Body = "payload" },
            Auth = new AuthPlacement { Type = AuthPlacementType.Bearer, Token = "{{credentials.token}}" },
            Success = [201],
            Timeout = TimeSpan.FromSeconds(10)
        });
        Assert.Equal(1, route.Version);
        Assert.Equal(TimeSpan.FromSeconds(10), route.Definition.Timeout);

        var connection = await admin.CreateConnectionAsync(location.Tenant_id, x_Request_Id: null, new CreateConnection
        {
            Provider = "kasir-walk", Environment = "sandbox",
            Credentials = new Dictionary<string, string> { ["token"] = "pos-secret-token" },
            Settings = new Dictionary<string, string> { ["outlet_id"] = "OUT-7" }
        });
        Assert.Equal("token", Assert.Single(connection.Credentials).Name);

        var customerKey = await admin.CreateApiKeyAsync(x_Request_Id: null, new CreateApiKey
        {
            Name = "Kemang POS", Customer_id = customer.Id, Scopes = ["dispatches:write", "dispatches:read", "audit:read"], Locations = [location.Tenant_id]
        });
        var pointOfSale = ClientFor(customerKey.Key);

        var accepted = await pointOfSale.RequestDispatchAsync(x_Request_Id: "walkthrough-1", idempotency_Key: null, new RequestDispatch
        {
            Tenant_id = location.Tenant_id, Provider = "kasir-walk", Route_key = "orders.push",
            Payload = new { customer = "Ana", items = new[] { new { sku = "KOPI-SUSU", qty = 2 } } }
        });
        Assert.Equal("accepted", accepted.Status);
        var id = accepted.Id.ToString();

        DispatchView dispatch = null!;
        await Eventually.UntilAsync(async () =>
        {
            dispatch = await pointOfSale.GetDispatchAsync(id, x_Request_Id: null);
            return dispatch.Status is "succeeded" or "failed" or "dead_lettered";
        }, "the dispatch to finish");
        Assert.Equal("succeeded", dispatch.Status);
        Assert.Equal(201, dispatch.Last_provider_status);
        Assert.Equal(1, dispatch.Route_version);

        var received = Assert.Single(pos.Received);
        Assert.Equal("/v1/outlets/OUT-7/orders", received.PathAndQuery);
        Assert.Equal("Bearer pos-secret-token", received.Headers["Authorization"]);

        var attempts = await pointOfSale.ListDispatchAttemptsAsync(id, page: null, per_page: null, x_Request_Id: null);
        var attempt = Assert.Single(attempts.Data);
        Assert.Equal(201, attempt.Status_code);
        Assert.Equal("Bearer ********", attempt.Request.Headers["Authorization"]);

        // The audit log is a projection, so the entry appears shortly after the dispatch finished. The time
        // filter is in the outlet's local time (Jakarta), which must reach the service with its offset.
        var sinceDispatchInJakarta = dispatch.Created_at.ToOffset(TimeSpan.FromHours(7));
        AuditEntryView? entry = null;
        await Eventually.UntilAsync(async () =>
        {
            var page = await pointOfSale.ListAuditAsync(page: null, per_page: null, sort: null, cursor: null, limit: null,
                tenant_id: null, event_type: "dispatch_succeeded", stream_id: id, actor: null, request_id: null,
                occurred_atgte: sinceDispatchInJakarta, occurred_atlt: null, x_Request_Id: null);
            entry = page.Data.SingleOrDefault();
            return entry is not null;
        }, "the audit entry of the dispatch");
        Assert.Equal("walkthrough-1", entry!.Request_id);
        Assert.Equal(location.Tenant_id, entry.Tenant_id);

        // README: an internal caller creating a key must name a customer or ask for an internal one.
        var refused = await Assert.ThrowsAsync<ApiException<Problem>>(() =>
            admin.CreateApiKeyAsync(x_Request_Id: null, new CreateApiKey { Name = "orphan", Scopes = ["dispatches:read"] }));
        Assert.Equal(400, refused.StatusCode);
        Assert.Equal("validation_failed", refused.Result.Code);
        Assert.Contains(refused.Result.Details, d => d.Field == "customer_id");
    }

    private RaffsSyncClient ClientFor(string key)
    {
        var http = Host.Server.CreateClient();
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key);
        return new RaffsSyncClient(http);
    }
}
