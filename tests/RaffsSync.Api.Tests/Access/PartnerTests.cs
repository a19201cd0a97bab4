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
    public async Task a_partner_credential_must_name_its_provider()
    {
        var admin = await Fixture.CreateKeyAsync();

        var problem = await (await CallAsync(admin, s => s.Post.Json(new { name = "p", caller_class = "partner", scopes = new[] { "registry:read" } })
            .ToUrl("/api/v1/api-keys"))).ShouldBeProblemAsync(400, "validation_failed");
        Assert.Equal("provider", problem.GetProperty("details")[0].GetProperty("field").GetString());
    }
}
