using RaffsSync.Api.Tests.Harness;

namespace RaffsSync.Api.Tests.Registry;

/// <summary>The registry's writes, whichever way Wolverine loads their stream, carry the request id as the event's correlation id.</summary>
[Collection(RegistryCollection.Name)]
public sealed class RegistryCommandTests(AppFixture fixture) : ApiTest(fixture)
{
    [Fact]
    public async Task every_registry_write_records_the_request_id_and_author_on_its_event()
    {
        var key = await Fixture.CreateKeyAsync();
        var provider = "corr" + Guid.NewGuid().ToString("N")[..8];
        var marker = provider + "-";
        object Provider(string url) => new { key = provider, name = "Corr", auth_kind = "none", base_urls = new { sandbox = url, production = url } };
        var route = $"/api/v1/providers/{provider}/routes/ping";

        await CallAsync(key, s => s.Post.Json(Provider("https://a.example")).ToUrl("/api/v1/providers"), marker + "register");
        await CallAsync(key, s => s.Put.Json(Provider("https://b.example")).ToUrl($"/api/v1/providers/{provider}"), marker + "change");
        await CallAsync(key, s => s.Put.Json(new { kind = "http", request = new { method = "GET", path = "/a" } }).ToUrl(route), marker + "define");
        await CallAsync(key, s => s.Put.Json(new { kind = "http", request = new { method = "GET", path = "/b" }, version = 1 }).ToUrl(route),
            marker + "revise");
        await CallAsync(key, s => s.Post.Url(route + "/disable"), marker + "disable");
        await CallAsync(key, s => s.Post.Url(route + "/enable"), marker + "enable");
        await CallAsync(key, s => s.Post.Url(route + "/retire"), marker + "retire-route");
        await CallAsync(key, s => s.Post.Url($"/api/v1/providers/{provider}/retire"), marker + "retire-provider");

        string[] expected =
        [
            "provider_registered:register", "provider_changed:change", "route_defined:define", "route_revised:revise",
            "route_disabled:disable", "route_enabled:enable", "route_retired:retire-route", "provider_retired:retire-provider"
        ];
        foreach (var pair in expected)
        {
            var (type, request) = (pair.Split(':')[0], marker + pair.Split(':')[1]);
            Assert.True(1 == await Fixture.ScalarAsync(
                "select count(*) from raffssync.mt_events where type = $1 and correlation_id = $2 and user_name is not null", type, request),
                $"{type} carries request id {request} and an author");
        }
    }
}
