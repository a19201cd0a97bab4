using System.Text.Json;
using System.Text.RegularExpressions;
using Alba;
using RaffsSync.Api.Tests.Harness;
using RaffsSync.Domain.Access;
using RaffsSync.Domain.Registry;

namespace RaffsSync.Api.Tests.Security;

/// <summary>
/// The third column of the security matrix: every operation in the OpenAPI document that names an
/// object, called by another customer holding every scope with that object's id, answers 404.
/// The provider registry is shared by all customers (and its writes are internal-only), and pushes to the inbound
/// endpoint take no key at all, so they are the stated exceptions. A new parameter this test cannot fill fails it.
/// </summary>
[Collection(AccessCollection.Name)]
public sealed partial class CrossCustomerMatrixTests(AppFixture fixture) : ApiTest(fixture)
{
    [GeneratedRegex(@"\{([^}]+)\}")]
    private static partial Regex RouteParameter();

    [Fact]
    public async Task every_object_of_another_customer_answers_404()
    {
        await using var provider = await LoopbackProvider.StartAsync();
        await Fixture.RegisterProviderAsync("matrix-pos", provider.BaseUrl,
            ("orders.push", new RouteDefinition("http", new RequestTemplate("POST", "/orders"))));
        var admin = await Fixture.CreateKeyAsync();
        var (alice, _) = await CustomerWithLocationAsync(admin, "x-500");
        var (bob, _) = await CustomerWithLocationAsync(admin, "x-501");
        var aliceKey = await Fixture.CreateKeyAsync(CallerClass.Customer, Scopes.All, customerId: alice);
        var bobKey = await Fixture.CreateKeyAsync(CallerClass.Customer, Scopes.All, customerId: bob);

        var dispatch = await Id(await ScenarioAndWaitAsync(PostDispatch(aliceKey,
            new { tenant_id = "x-500", provider = "matrix-pos", route_key = "orders.push", payload = new { } })), "id");
        var connection = await Id(await CallAsync(aliceKey, s => s.Post.Json(new
            {
                provider = "matrix-pos", environment = "sandbox", credentials = new { webhook_secret = "matrix-token" }
            })
            .ToUrl("/api/v1/locations/x-500/connections")), "id");
        // An event the provider pushed to Alice's location (a shared token in a header verifies it).
        await CallAsync(admin, s => s.Put.Json(new
        {
            name = "matrix-pos", base_urls = new { sandbox = provider.BaseUrl, production = provider.BaseUrl },
            inbound = new { signature = new { type = "token", header = "X-Matrix-Token" } }
        }).ToUrl("/api/v1/providers/matrix-pos"));
        var pushed = await Host.Scenario(s =>
        {
            s.Post.Json(new { id = "evt_matrix", type = "order.created" }).ToUrl($"/api/v1/inbound/matrix-pos/{connection}");
            s.WithRequestHeader("X-Matrix-Token", "matrix-token");
            s.StatusCodeShouldBe(202);
        });
        var inboundEvent = await Id(pushed, "id");
        var job = await Id(await CallAsync(aliceKey, s => s.Post.Json(new { reason = "matrix" }).ToUrl("/api/v1/dispatches/replay")), "id");
        var key = (await (await CallAsync(aliceKey, s => s.Post.Json(new { name = "second", scopes = new[] { "dispatches:read" } })
            .ToUrl("/api/v1/api-keys"))).ReadAsJsonAsync<JsonElement>()).GetProperty("api_key").GetProperty("id").GetString()!;

        var client = (await (await CallAsync(aliceKey, s => s.Post.Json(new { name = "erp", scopes = new[] { "dispatches:read" } })
            .ToUrl("/api/v1/oauth/clients"))).ReadAsJsonAsync<JsonElement>()).GetProperty("client_id").GetString()!;

        var webhookEndpoint = await Id(await CallAsync(aliceKey, s => s.Post.Json(new { url = "https://127.0.0.1/matrix", event_types = new[] { "*" } })
            .ToUrl("/api/v1/webhooks/endpoints")), "id");
        var delivery = await Id(await CallAsync(aliceKey, s => s.Post.Url($"/api/v1/webhooks/endpoints/{webhookEndpoint}/test")), "id");
        var recovery = await Id(await CallAsync(aliceKey, s => s.Post.Json(new { since = DateTimeOffset.UtcNow.AddHours(-1) })
            .ToUrl($"/api/v1/webhooks/endpoints/{webhookEndpoint}/recover")), "id");

        string Fill(string path, string parameter) => (parameter, path) switch
        {
            ("clientId", _) => client,
            ("tenantId", _) => "x-500",
            ("jobId", _) => job,
            ("id", _) when path.StartsWith("/api/v1/dispatches/") => dispatch,
            ("id", _) when path.Contains("/connections/") => connection,
            ("id", _) when path.StartsWith("/api/v1/api-keys/") => key,
            ("id", _) when path.StartsWith("/api/v1/customers/") => alice,
            ("id", _) when path.StartsWith("/api/v1/inbound-events/") => inboundEvent,
            ("id", _) when path.StartsWith("/api/v1/webhooks/endpoints/") => webhookEndpoint,
            ("id", _) when path.StartsWith("/api/v1/webhooks/deliveries/") => delivery,
            ("id", _) when path.StartsWith("/api/v1/webhooks/recoveries/") => recovery,
            _ => throw new InvalidOperationException($"The matrix has no object for {{{parameter}}} in {path}: add one.")
        };

        var checkedOperations = 0;
        var leaks = new List<string>();
        foreach (var (method, path) in await ObjectOperationsAsync())
        {
            var url = RouteParameter().Replace(path, m => Fill(path, m.Groups[1].Value));
            var result = await CallAsync(bobKey, s =>
            {
                switch (method)
                {
                    case "GET": s.Get.Url(url); break;
                    case "DELETE": s.Delete.Url(url); break;
                    case "PUT": s.Put.Json(new { }).ToUrl(url); break;
                    case "PATCH": s.Patch.Json(new { }).ToUrl(url); break;
                    default: s.Post.Json(new { reason = "matrix", route_version = "pinned" }).ToUrl(url); break;
                }
            });
            checkedOperations++;
            if (result.Context.Response.StatusCode != 404) leaks.Add($"{method} {url}: {result.Context.Response.StatusCode}");
        }

        Assert.Empty(leaks);
        Assert.True(checkedOperations >= 14, $"only {checkedOperations} object operations checked");
        // Alice still reaches her own objects with the same ids.
        Assert.Equal(200, (await CallAsync(aliceKey, s => s.Get.Url($"/api/v1/dispatches/{dispatch}"))).Context.Response.StatusCode);
    }

    private async Task<IReadOnlyList<(string Method, string Path)>> ObjectOperationsAsync() =>
        // Pushes to /api/v1/inbound/ take no key (the provider's signature is the credential): InboundEventTests covers them.
        (await OpenApiOperations.ReadAsync(Host))
            .Where(o => o.Path.Contains('{') && !o.Path.StartsWith("/api/v1/providers/") && !o.Path.StartsWith("/api/v1/inbound/")).ToList();

    private static async Task<string> Id(IScenarioResult result, string property) =>
        (await result.ReadAsJsonAsync<JsonElement>()).GetProperty(property).GetString()!;
}
