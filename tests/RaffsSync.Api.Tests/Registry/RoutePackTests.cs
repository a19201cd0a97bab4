using System.Text.Json;
using Alba;
using RaffsSync.Api.Tests.Harness;

namespace RaffsSync.Api.Tests.Registry;

[Collection(RegistryCollection.Name)]
public sealed class RoutePackTests(AppFixture fixture) : ApiTest(fixture)
{
    public static TheoryData<string> Packs()
    {
        var data = new TheoryData<string>();
        foreach (var file in Directory.GetFiles(Path.Combine(Repository.Root, "routes"), "*.json").Order()) data.Add(Path.GetFileName(file));
        return data;
    }

    [Theory]
    [MemberData(nameof(Packs))]
    public async Task every_pack_in_the_repository_imports_and_importing_it_again_appends_nothing(string file)
    {
        var key = await Fixture.CreateKeyAsync();
        var pack = await File.ReadAllTextAsync(Path.Combine(Repository.Root, "routes", file));

        var first = await Import(key, pack);
        Assert.Equal(200, first.Context.Response.StatusCode);
        var eventsAfterFirst = await Fixture.ScalarAsync("select count(*) from raffssync.mt_events");

        var second = await Import(key, pack);
        Assert.Equal(200, second.Context.Response.StatusCode);
        var result = await second.ReadAsJsonAsync<JsonElement>();
        Assert.Equal("unchanged", result.GetProperty("provider_result").GetString());
        Assert.All(result.GetProperty("routes").EnumerateArray(), r => Assert.Equal("unchanged", r.GetProperty("result").GetString()));
        Assert.Equal(eventsAfterFirst, await Fixture.ScalarAsync("select count(*) from raffssync.mt_events"));
    }

    [Fact]
    public async Task a_changed_route_in_a_pack_is_revised_and_the_rest_stays()
    {
        var key = await Fixture.CreateKeyAsync();
        var pack = JsonSerializer.Serialize(new
        {
            provider = new { key = "pack-change", name = "Pack", auth_kind = "none", base_urls = new { sandbox = "https://pack.example" } },
            routes = new Dictionary<string, object>
            {
                ["a"] = new { kind = "http", request = new { method = "GET", path = "/a", body = (string?)null } },
                ["b"] = new { kind = "http", request = new { method = "GET", path = "/b", body = (string?)null } }
            }
        });
        await Import(key, pack);

        var changed = pack.Replace("\"/b\"", "\"/b2\"");
        var result = await (await Import(key, changed)).ReadAsJsonAsync<JsonElement>();

        var routes = result.GetProperty("routes").EnumerateArray().ToDictionary(r => r.GetProperty("route_key").GetString()!);
        Assert.Equal("unchanged", routes["a"].GetProperty("result").GetString());
        Assert.Equal("revised", routes["b"].GetProperty("result").GetString());
        Assert.Equal(2, routes["b"].GetProperty("version").GetInt32());
    }

    [Fact]
    public async Task an_invalid_pack_names_the_failing_fields_and_writes_nothing()
    {
        var key = await Fixture.CreateKeyAsync();
        var before = await Fixture.ScalarAsync("select count(*) from raffssync.mt_events");
        var pack = JsonSerializer.Serialize(new
        {
            provider = new { key = "pack-bad", name = "Bad", base_urls = new { sandbox = "ftp://bad.example" } },
            routes = new Dictionary<string, object>
            {
                ["fine"] = new { kind = "http", request = new { method = "GET", path = "/ok" } },
                ["broken"] = new { kind = "http", request = new { method = "GET" } }
            }
        });

        var problem = await (await Import(key, pack)).ShouldBeProblemAsync(400, "validation_failed");

        Assert.Equal(["provider.base_urls.sandbox", "routes.broken.request.path"],
            problem.GetProperty("details").EnumerateArray().Select(d => d.GetProperty("field").GetString()));
        Assert.Equal(before, await Fixture.ScalarAsync("select count(*) from raffssync.mt_events"));
    }

    [Fact]
    public async Task the_sandbox_pack_is_imported_at_start()
    {
        var key = await Fixture.CreateKeyAsync();

        var versions = await Host.GetAsJson<JsonElement>("/api/v1/providers/sandbox/routes/orders.push/versions", key);

        Assert.Equal("raffssync:built-in", versions.GetProperty("data")[0].GetProperty("defined_by").GetString());
    }

    private Task<IScenarioResult> Import(string key, string pack) => CallAsync(key, s =>
    {
        s.Post.Text(pack).ToUrl("/api/v1/route-packs");
        s.WithRequestHeader("Content-Type", "application/json");
    });
}
