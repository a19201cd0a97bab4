using System.Text.Json;
using Alba;
using RaffsSync.Api.Tests.Harness;

namespace RaffsSync.Api.Tests.Access;

/// <summary>A caller lists and revokes only its own key and the keys it could have issued itself.</summary>
[Collection(AccessCollection.Name)]
public sealed class KeyManagementTests(AppFixture fixture) : ApiTest(fixture)
{
    private async Task<(string Secret, string Id)> CreateAsync(string issuer, object body)
    {
        var created = await CallAsync(issuer, s => s.Post.Json(body).ToUrl("/api/v1/api-keys"));
        Assert.Equal(201, created.Context.Response.StatusCode);
        var json = await created.ReadAsJsonAsync<JsonElement>();
        return (json.GetProperty("key").GetString()!, json.GetProperty("api_key").GetProperty("id").GetString()!);
    }

    [Fact]
    public async Task a_key_limited_to_one_location_neither_sees_nor_revokes_the_customers_broader_keys()
    {
        var admin = await Fixture.CreateKeyAsync();
        var (customer, location) = await CustomerWithLocationAsync(admin, "km-" + Guid.NewGuid().ToString("N")[..10]);
        var main = await CreateAsync(admin, new { name = "main", scopes = new[] { "dispatches:read", "access:write", "audit:read" }, customer_id = customer });
        var narrow = await CreateAsync(admin, new { name = "one location", scopes = new[] { "dispatches:read", "access:write" }, customer_id = customer,
            locations = new[] { location } });
        var narrower = await CreateAsync(narrow.Secret, new { name = "issued by the narrow one", scopes = new[] { "dispatches:read" } });

        var list = await (await CallAsync(narrow.Secret, s => s.Get.Url("/api/v1/api-keys?per_page=100"))).ReadAsJsonAsync<JsonElement>();
        var ids = list.GetProperty("data").EnumerateArray().Select(k => k.GetProperty("id").GetString()).ToList();
        Assert.Contains(narrow.Id, ids);
        Assert.Contains(narrower.Id, ids);
        Assert.DoesNotContain(main.Id, ids);
        Assert.Equal(ids.Count, list.GetProperty("total").GetInt64());

        await (await CallAsync(narrow.Secret, s => s.Delete.Url($"/api/v1/api-keys/{main.Id}"))).ShouldBeProblemAsync(404, "not_found");
        Assert.Equal(200, (await CallAsync(main.Secret, s => s.Get.Url("/api/v1/dispatches"))).Context.Response.StatusCode);
        Assert.Equal(200, (await CallAsync(narrow.Secret, s => s.Delete.Url($"/api/v1/api-keys/{narrower.Id}"))).Context.Response.StatusCode);

        var mainList = await (await CallAsync(main.Secret, s => s.Get.Url("/api/v1/api-keys?per_page=100"))).ReadAsTextAsync();
        Assert.Contains(narrow.Id, mainList);
    }

    [Fact]
    public async Task a_page_past_the_end_still_reports_the_real_total()
    {
        var admin = await Fixture.CreateKeyAsync();
        var (customer, _) = await CustomerWithLocationAsync(admin, "kp-" + Guid.NewGuid().ToString("N")[..10]);
        for (var i = 0; i < 3; i++) await CreateAsync(admin, new { name = $"k{i}", scopes = new[] { "dispatches:read" }, customer_id = customer });

        var first = await CallAsync(admin, s => s.Get.Url("/api/v1/api-keys?per_page=2"));
        Assert.True(first.Context.Response.StatusCode == 200, await first.ReadAsTextAsync());
        var all = await first.ReadAsJsonAsync<JsonElement>();
        var beyond = await (await CallAsync(admin, s => s.Get.Url("/api/v1/api-keys?per_page=2&page=500"))).ReadAsJsonAsync<JsonElement>();

        Assert.Equal(all.GetProperty("total").GetInt64(), beyond.GetProperty("total").GetInt64());
        Assert.Equal(all.GetProperty("last_page").GetInt32(), beyond.GetProperty("last_page").GetInt32());
        Assert.Empty(beyond.GetProperty("data").EnumerateArray());
        Assert.Contains($"page={all.GetProperty("last_page").GetInt32()}", beyond.GetProperty("prev_page_url").GetString());

        // So far past the end that page times per_page overflows a 32-bit offset (PostgreSQL refused a negative OFFSET: a 500).
        foreach (var url in new[] { "/api/v1/api-keys?per_page=100&page=2147483647", "/api/v1/providers?page=200000000", "/api/v1/dispatches?page=2147483647" })
        {
            var far = await CallAsync(admin, s => s.Get.Url(url));
            Assert.True(far.Context.Response.StatusCode == 200, $"{url}: {await far.ReadAsTextAsync()}");
            Assert.Empty((await far.ReadAsJsonAsync<JsonElement>()).GetProperty("data").EnumerateArray());
        }

        var beyondDispatches = await CallAsync(admin, s => s.Get.Url("/api/v1/dispatches?page=100000"));
        var text = await beyondDispatches.ReadAsTextAsync();
        Assert.True(beyondDispatches.Context.Response.StatusCode == 200, text);
        var dispatches = JsonDocument.Parse(text).RootElement;
        var firstDispatches = await (await CallAsync(admin, s => s.Get.Url("/api/v1/dispatches"))).ReadAsJsonAsync<JsonElement>();
        Assert.Equal(firstDispatches.GetProperty("total").GetInt64(), dispatches.GetProperty("total").GetInt64());
    }
}
