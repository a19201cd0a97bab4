using Alba;
using RaffsSync.Api.Tests.Harness;
using RaffsSync.Domain.Access;

namespace RaffsSync.Api.Tests.Security;

/// <summary>OWASP API5 (broken function level authorization): scopes are not enough for the operator's functions.</summary>
[Collection(AccessCollection.Name)]
public sealed class OwaspFunctionLevelTests(AppFixture fixture) : ApiTest(fixture)
{
    [Fact]
    public async Task owasp_api5_a_customer_holding_every_scope_still_cannot_change_the_registry_or_create_customers()
    {
        var customer = await Fixture.CreateKeyAsync(CallerClass.Customer, Scopes.All, ["29"]);
        var before = await Fixture.ScalarAsync(Database.EventsBesideDeliveriesSql);

        var attempts = new List<Action<Scenario>>
        {
            s => s.Post.Json(new { key = "mine", name = "Mine", base_urls = new { sandbox = "https://x.example" } }).ToUrl("/api/v1/providers"),
            s => s.Put.Json(new { kind = "http", request = new { method = "GET", path = "/x" }, version = 1 }).ToUrl("/api/v1/providers/sandbox/routes/orders.push"),
            s => s.Post.Url("/api/v1/providers/sandbox/routes/orders.push/disable"),
            s => s.Post.Url("/api/v1/providers/sandbox/retire"),
            s => s.Post.Json(new { provider = new { }, routes = new { } }).ToUrl("/api/v1/route-packs"),
            s => s.Post.Json(new { name = "Shadow" }).ToUrl("/api/v1/customers")
        };
        foreach (var attempt in attempts)
            await (await CallAsync(customer, attempt)).ShouldBeProblemAsync(403, "caller_class_forbidden");

        Assert.Equal(before, await Fixture.ScalarAsync(Database.EventsBesideDeliveriesSql));
        // Reading the registry and managing the location's own connections stay open to customers.
        Assert.Equal(200, (await CallAsync(customer, s => s.Get.Url("/api/v1/providers"))).Context.Response.StatusCode);
        Assert.Equal(200, (await CallAsync(customer, s => s.Get.Url("/api/v1/locations/29/connections"))).Context.Response.StatusCode);
    }
}
