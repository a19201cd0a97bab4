using System.Text.Json;
using Alba;
using RaffsSync.Api.Tests.Harness;
using RaffsSync.Domain.Access;
using RaffsSync.Domain.Registry;

namespace RaffsSync.Api.Tests.Access;

[Collection(AccessCollection.Name)]
public sealed class CustomerTests(AppFixture fixture) : ApiTest(fixture)
{
    private async Task<string> CustomerWithLocationsAsync(string admin, params string[] tenants)
    {
        var created = await CallAsync(admin, s => s.Post.Json(new { name = "Kopi Kenangan" }).ToUrl("/api/v1/customers"));
        Assert.Equal(201, created.Context.Response.StatusCode);
        var id = (await created.ReadAsJsonAsync<JsonElement>()).GetProperty("id").GetString()!;
        foreach (var tenant in tenants)
        {
            var added = await CallAsync(admin, s => s.Post.Json(new { tenant_id = tenant, name = $"Outlet {tenant}" }).ToUrl($"/api/v1/customers/{id}/locations"));
            Assert.Equal(201, added.Context.Response.StatusCode);
        }
        return id;
    }

    [Fact]
    public async Task a_customers_keys_act_for_its_locations_and_nothing_else()
    {
        await using var provider = await LoopbackProvider.StartAsync();
        await Fixture.RegisterProviderAsync("cust-pos", provider.BaseUrl, ("ping", new RouteDefinition("http", new RequestTemplate("POST", "/ping"))));
        var admin = await Fixture.CreateKeyAsync();
        var customer = await CustomerWithLocationsAsync(admin, "c-100", "c-101");
        var key = await Fixture.CreateKeyAsync(CallerClass.Customer, [Scopes.DispatchesWrite, Scopes.AccessWrite], customerId: customer);

        var own = await ScenarioAndWaitAsync(PostDispatch(key, new { tenant_id = "c-100", provider = "cust-pos", route_key = "ping", payload = new { } }));
        Assert.Equal(202, own.Context.Response.StatusCode);
        await (await Host.Scenario(PostDispatch(key, new { tenant_id = "c-999", provider = "cust-pos", route_key = "ping", payload = new { } })))
            .ShouldBeProblemAsync(404, "not_found");

        var view = await Host.GetAsJson<JsonElement>($"/api/v1/customers/{customer}", key);
        Assert.Equal(["c-100", "c-101"], view.GetProperty("locations").EnumerateArray().Select(l => l.GetString()));
        Assert.Equal(customer, (await Host.GetAsJson<JsonElement>("/api/v1/locations/c-101", key)).GetProperty("customer_id").GetString());
    }

    [Fact]
    public async Task only_internal_callers_create_customers_and_a_tenant_id_has_one_owner()
    {
        var admin = await Fixture.CreateKeyAsync();
        var customerKey = await Fixture.CreateKeyAsync(CallerClass.Customer, [Scopes.AccessWrite], customerId: "cus_x");

        await (await CallAsync(customerKey, s => s.Post.Json(new { name = "Mine" }).ToUrl("/api/v1/customers")))
            .ShouldBeProblemAsync(403, "caller_class_forbidden");

        var first = await CustomerWithLocationsAsync(admin, "c-200");
        var second = await CustomerWithLocationsAsync(admin);
        await (await CallAsync(admin, s => s.Post.Json(new { tenant_id = "c-200", name = "Stolen" }).ToUrl($"/api/v1/customers/{second}/locations")))
            .ShouldBeProblemAsync(409, "conflict");
        Assert.Equal(first, (await Host.GetAsJson<JsonElement>("/api/v1/locations/c-200", admin)).GetProperty("customer_id").GetString());
    }

    /// <summary>OWASP API1 (broken object level authorization): every resource of another customer answers 404.</summary>
    [Fact]
    public async Task owasp_api1_another_customers_objects_answer_404()
    {
        await using var provider = await LoopbackProvider.StartAsync();
        await Fixture.RegisterProviderAsync("bola-pos", provider.BaseUrl, ("ping", new RouteDefinition("http", new RequestTemplate("POST", "/ping"))));
        var admin = await Fixture.CreateKeyAsync();
        var alice = await CustomerWithLocationsAsync(admin, "c-300");
        var bob = await CustomerWithLocationsAsync(admin, "c-301");
        var aliceKey = await Fixture.CreateKeyAsync(CallerClass.Customer, Scopes.All, customerId: alice);
        var bobKey = await Fixture.CreateKeyAsync(CallerClass.Customer, Scopes.All, customerId: bob);

        var accepted = await ScenarioAndWaitAsync(PostDispatch(aliceKey, new { tenant_id = "c-300", provider = "bola-pos", route_key = "ping", payload = new { } }));
        var dispatch = accepted.Context.Response.Headers.Location.ToString();
        var connection = await CallAsync(aliceKey, s => s.Post.Json(new { provider = "bola-pos", environment = "sandbox", credentials = new { token = "t" } })
            .ToUrl("/api/v1/locations/c-300/connections"));
        var connectionId = (await connection.ReadAsJsonAsync<JsonElement>()).GetProperty("id").GetString();

        var attempts = new List<(string Name, Action<Scenario> Request)>
        {
            ("dispatch", s => s.Get.Url(dispatch)),
            ("attempts", s => s.Get.Url(dispatch + "/attempts")),
            ("events", s => s.Get.Url(dispatch + "/events")),
            ("replay", s => s.Post.Json(new { route_version = "pinned", reason = "x" }).ToUrl(dispatch + "/replay")),
            ("cancel", s => s.Post.Json(new { reason = "x" }).ToUrl(dispatch + "/cancel")),
            ("connections", s => s.Get.Url("/api/v1/locations/c-300/connections")),
            ("connection delete", s => s.Delete.Url($"/api/v1/locations/c-300/connections/{connectionId}")),
            ("location", s => s.Get.Url("/api/v1/locations/c-300")),
            ("customer", s => s.Get.Url($"/api/v1/customers/{alice}")),
            ("add location", s => s.Post.Json(new { tenant_id = "c-302", name = "x" }).ToUrl($"/api/v1/customers/{alice}/locations")),
            ("dispatch into", s => s.Post.Json(new { tenant_id = "c-300", provider = "bola-pos", route_key = "ping", payload = new { } }).ToUrl("/api/v1/dispatches"))
        };

        var leaks = new List<string>();
        foreach (var (name, request) in attempts)
        {
            var status = (await CallAsync(bobKey, request)).Context.Response.StatusCode;
            if (status != 404) leaks.Add($"{name}: {status}");
        }
        Assert.Empty(leaks);
        Assert.Empty(Ids(await Host.GetAsJson<JsonElement>("/api/v1/dispatches?filter[tenant_id]=c-300", bobKey)));
    }

    private static IEnumerable<string?> Ids(JsonElement page) => page.GetProperty("data").EnumerateArray().Select(d => d.GetProperty("id").GetString());
}
