using System.Text.Json;
using Alba;
using RaffsSync.Api.Tests.Harness;
using RaffsSync.Domain.Access;

namespace RaffsSync.Api.Tests.Access;

[Collection(AccessCollection.Name)]
public sealed class ApiKeyTests(AppFixture fixture) : ApiTest(fixture)
{
    private Task<IScenarioResult> Create(string issuer, object body) => CallAsync(issuer, s => s.Post.Json(body).ToUrl("/api/v1/api-keys"));

    [Fact]
    public async Task a_created_key_works_shows_its_secret_once_and_stops_on_the_very_next_request_after_revocation()
    {
        var admin = await Fixture.CreateKeyAsync();
        var (customer, location) = await CustomerWithLocationAsync(admin, "k-" + Guid.NewGuid().ToString("N")[..12]);

        var created = await Create(admin, new { name = "pos sync", scopes = new[] { "dispatches:read" }, customer_id = customer, locations = new[] { location } });
        Assert.Equal(201, created.Context.Response.StatusCode);
        var body = await created.ReadAsJsonAsync<JsonElement>();
        var secret = body.GetProperty("key").GetString()!;
        var id = body.GetProperty("api_key").GetProperty("id").GetString()!;
        Assert.StartsWith("rsk_test_", secret);
        Assert.Equal(secret[..13], body.GetProperty("api_key").GetProperty("display_prefix").GetString());

        Assert.Equal(200, (await CallAsync(secret, s => s.Get.Url("/api/v1/dispatches"))).Context.Response.StatusCode);

        var list = await (await CallAsync(admin, s => s.Get.Url("/api/v1/api-keys?per_page=100"))).ReadAsTextAsync();
        Assert.Contains(id, list);
        Assert.DoesNotContain(secret, list);
        var listed = JsonDocument.Parse(list).RootElement.GetProperty("data").EnumerateArray().Single(k => k.GetProperty("id").GetString() == id);
        Assert.NotEqual(JsonValueKind.Null, listed.GetProperty("last_used_at").ValueKind); // it was used just above
        Assert.Equal(0, await Fixture.ScalarAsync("select count(*) from raffssync.mt_events where data::text like $1", $"%{secret}%"));

        var revoked = await CallAsync(admin, s => s.Delete.Url($"/api/v1/api-keys/{id}"));
        Assert.Equal(200, revoked.Context.Response.StatusCode);
        Assert.NotEqual(JsonValueKind.Null, (await revoked.ReadAsJsonAsync<JsonElement>()).GetProperty("revoked_at").ValueKind);
        await (await CallAsync(secret, s => s.Get.Url("/api/v1/dispatches"))).ShouldBeProblemAsync(401, "unauthenticated");
    }

    [Fact]
    public async Task nobody_issues_more_than_they_hold()
    {
        var customer = await Fixture.CreateKeyAsync(CallerClass.Customer, [Scopes.AccessWrite, Scopes.DispatchesRead], ["29"], customerId: "cus_1");

        await (await Create(customer, new { name = "x", scopes = new[] { "dispatches:read" }, caller_class = "internal" }))
            .ShouldBeProblemAsync(403, "caller_class_forbidden");
        await (await Create(customer, new { name = "x", scopes = new[] { "dispatches:write" }, locations = new[] { "29" } }))
            .ShouldBeProblemAsync(403, "insufficient_scope");
        await (await Create(customer, new { name = "x", scopes = new[] { "dispatches:read" }, locations = new[] { "30" } }))
            .ShouldBeProblemAsync(404, "not_found");
        await (await Create(customer, new { name = "x", scopes = new[] { "dispatches:read" }, customer_id = "cus_2" }))
            .ShouldBeProblemAsync(404, "not_found");

        var allowed = await Create(customer, new { name = "reader", scopes = new[] { "dispatches:read" }, locations = new[] { "29" } });
        Assert.Equal(201, allowed.Context.Response.StatusCode);
        Assert.Equal("cus_1", (await allowed.ReadAsJsonAsync<JsonElement>()).GetProperty("api_key").GetProperty("customer_id").GetString());
    }

    [Fact]
    public async Task another_customers_keys_are_not_listed_and_cannot_be_revoked()
    {
        var mine = await Fixture.CreateKeyAsync(CallerClass.Customer, [Scopes.AccessWrite], customerId: "cus_a");
        var theirs = await Fixture.CreateKeyAsync(CallerClass.Customer, [Scopes.AccessWrite], customerId: "cus_b");
        var theirId = (await (await CallAsync(theirs, s => s.Get.Url("/api/v1/api-keys"))).ReadAsJsonAsync<JsonElement>())
            .GetProperty("data")[0].GetProperty("id").GetString();

        var myList = await (await CallAsync(mine, s => s.Get.Url("/api/v1/api-keys"))).ReadAsTextAsync();
        Assert.DoesNotContain(theirId!, myList);
        await (await CallAsync(mine, s => s.Delete.Url($"/api/v1/api-keys/{theirId}"))).ShouldBeProblemAsync(404, "not_found");
        Assert.Equal(200, (await CallAsync(theirs, s => s.Get.Url("/api/v1/api-keys"))).Context.Response.StatusCode);
    }

    [Fact]
    public async Task an_expired_key_is_401_token_expired()
    {
        var expired = await Fixture.CreateKeyAsync(expiresAt: DateTimeOffset.UtcNow.AddMilliseconds(-1));

        await (await CallAsync(expired, s => s.Get.Url("/api/v1/dispatches"))).ShouldBeProblemAsync(401, "token_expired");
    }

    [Fact]
    public async Task a_key_needs_a_name_and_known_scopes_and_a_future_expiry()
    {
        var admin = await Fixture.CreateKeyAsync();

        var problem = await (await Create(admin, new { scopes = new[] { "root" } })).ShouldBeProblemAsync(400, "validation_failed");
        Assert.Equal(["name", "scopes"], problem.GetProperty("details").EnumerateArray().Select(d => d.GetProperty("field").GetString()));
        await (await Create(admin, new { name = "x", scopes = new[] { "dispatches:read" }, expires_at = DateTimeOffset.UtcNow.AddDays(-1) }))
            .ShouldBeProblemAsync(400, "validation_failed");
    }
}
