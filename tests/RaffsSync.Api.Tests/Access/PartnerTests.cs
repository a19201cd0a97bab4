using System.Text.Json;
using Alba;
using RaffsSync.Api.Tests.Harness;
using RaffsSync.Domain.Registry;

namespace RaffsSync.Api.Tests.Access;

[Collection(AccessCollection.Name)]
public sealed class PartnerTests(AppFixture fixture) : ApiTest(fixture)
{
    [Fact]
    public async Task a_partner_reads_its_own_providers_routes_and_nothing_else()
    {
        await Fixture.RegisterProviderAsync("partner-pos", "https://partner.example", ("orders.push", new RouteDefinition("http", new RequestTemplate("POST", "/o"))));
        var admin = await Fixture.CreateKeyAsync();
        var created = await CallAsync(admin, s => s.Post.Json(new
        {
            name = "partner-pos webhooks", caller_class = "partner", provider = "partner-pos", scopes = new[] { "registry:read" }
        }).ToUrl("/api/v1/api-keys"));
        Assert.Equal(201, created.Context.Response.StatusCode);
        var partner = (await created.ReadAsJsonAsync<JsonElement>()).GetProperty("key").GetString()!;

        Assert.Equal(200, (await CallAsync(partner, s => s.Get.Url("/api/v1/providers/partner-pos/routes/orders.push"))).Context.Response.StatusCode);
        var providers = await Host.GetAsJson<JsonElement>("/api/v1/providers", partner);
        Assert.Equal(["partner-pos"], providers.GetProperty("data").EnumerateArray().Select(p => p.GetProperty("key").GetString()));

        await (await CallAsync(partner, s => s.Get.Url("/api/v1/providers/sandbox"))).ShouldBeProblemAsync(404, "provider_not_found");
        await (await CallAsync(partner, s => s.Get.Url("/api/v1/providers/sandbox/routes"))).ShouldBeProblemAsync(404, "provider_not_found");
        await (await CallAsync(partner, s => s.Get.Url("/api/v1/providers/sandbox/routes/orders.push"))).ShouldBeProblemAsync(404, "route_not_found");
        await (await CallAsync(partner, s => s.Get.Url("/api/v1/providers/sandbox/routes/orders.push/versions"))).ShouldBeProblemAsync(404, "route_not_found");
    }

    [Fact]
    public async Task a_partners_dispatches_are_its_own_providers_only()
    {
        await Fixture.RegisterProviderAsync("partner-two", "https://partner.example", ("orders.push", new RouteDefinition("http", new RequestTemplate("POST", "/o"))));
        var admin = await Fixture.CreateKeyAsync();
        var (customer, location) = await CustomerWithLocationAsync(admin, "pt-" + Guid.NewGuid().ToString("N")[..10]);
        var created = await CallAsync(admin, s => s.Post.Json(new
        {
            name = "partner-two", caller_class = "partner", provider = "partner-two", customer_id = customer,
            scopes = new[] { "dispatches:write", "dispatches:read" }
        }).ToUrl("/api/v1/api-keys"));
        Assert.Equal(201, created.Context.Response.StatusCode);
        var partner = (await created.ReadAsJsonAsync<JsonElement>()).GetProperty("key").GetString()!;
        var other = await Host.Scenario(PostDispatch(admin, new { tenant_id = location, provider = "sandbox", route_key = "orders.push", payload = new { } }));
        Assert.Equal(202, other.Context.Response.StatusCode);
        var otherLocation = other.Context.Response.Headers.Location.ToString();

        var refused = await Host.Scenario(PostDispatch(partner, new { tenant_id = location, provider = "sandbox", route_key = "orders.push", payload = new { } }));
        await refused.ShouldBeProblemAsync(404, "provider_not_found");
        await (await CallAsync(partner, s => s.Get.Url(otherLocation))).ShouldBeProblemAsync(404, "not_found");
        await (await CallAsync(partner, s => s.Get.Url(otherLocation + "/attempts"))).ShouldBeProblemAsync(404, "not_found");
        foreach (var url in new[] { "/api/v1/dispatches", "/api/v1/dispatches?filter[provider]=sandbox" })
        {
            var list = await Host.GetAsJson<JsonElement>(url, partner);
            Assert.Equal(0, list.GetProperty("total").GetInt32());
        }
        Assert.Equal(1, (await Host.GetAsJson<JsonElement>($"/api/v1/dispatches?filter[tenant_id]={location}", admin)).GetProperty("total").GetInt32());
    }

    [Fact]
    public async Task a_partner_credential_must_name_its_provider()
    {
        var admin = await Fixture.CreateKeyAsync();

        var problem = await (await CallAsync(admin, s => s.Post.Json(new { name = "p", caller_class = "partner", scopes = new[] { "registry:read" } })
            .ToUrl("/api/v1/api-keys"))).ShouldBeProblemAsync(400, "validation_failed");
        Assert.Equal("provider", problem.GetProperty("details")[0].GetProperty("field").GetString());
    }
}
