using System.Text.Json;
using Alba;
using Marten;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using RaffsSync.Api.Registry;
using RaffsSync.Api.Tests.Harness;

namespace RaffsSync.Api.Tests.Registry;

/// <summary>
/// Provider calls to special-purpose addresses are refused when connecting. The host here runs
/// without the loopback allowance Testing has by default, so a loopback provider stands in for
/// the metadata service or a database port. No test collection: its own host on its own database.
/// </summary>
public sealed class EgressTests
{
    [Fact]
    public async Task a_provider_at_a_refused_address_receives_nothing_and_the_dispatch_fails_with_the_reason()
    {
        var database = await OwnDatabase.CreateAsync();
        await using var loopback = await LoopbackProvider.StartAsync();
        await using var host = await database.StartHostAsync(settings: new Dictionary<string, string>
        {
            [ProviderEgress.AllowLoopbackKey] = "false",
            [ProviderEgress.AllowKey] = "10.99.0.0/16"
        });
        var key = await host.CreateInternalKeyAsync();
        var port = new Uri(loopback.BaseUrl).Port;

        // A literal 127.0.0.1 is refused at registration...
        var literal = await host.CallAsync(key, s => s.Post.Json(new
        {
            key = "literal", name = "Literal", base_urls = new { sandbox = loopback.BaseUrl }
        }).ToUrl("/api/v1/providers"));
        var problem = await literal.ShouldBeProblemAsync(400, "validation_failed");
        Assert.Equal("egress_denied", problem.GetProperty("details")[0].GetProperty("issue").GetString());

        // ...a name is only resolved when connecting, and one stored before this check existed is caught there too.
        var byName = await host.CallAsync(key, s => s.Post.Json(new
        {
            key = "by-name", name = "By name", base_urls = new { sandbox = $"http://localhost:{port}" }
        }).ToUrl("/api/v1/providers"));
        Assert.Equal(201, byName.Context.Response.StatusCode);
        await ImportUncheckedAsync(host, "stored-literal", loopback.BaseUrl);

        foreach (var (provider, reason) in new[] { ("by-name", "egress to localhost ("), ("stored-literal", "egress to 127.0.0.1 is not allowed") })
        {
            var route = await host.CallAsync(key, s => s.Put.Json(new
            {
                kind = "http", request = new { method = "POST", path = "/orders" },
                backoff = new { strategy = "fixed", initial = "PT0.1S", max_attempts = 5, budget = "PT1M" }
            }).ToUrl($"/api/v1/providers/{provider}/routes/orders"));
            Assert.Equal(201, route.Context.Response.StatusCode);

            var accepted = await host.CallAsync(key, s => s.Post.Json(new { tenant_id = "29", provider, route_key = "orders", payload = new { } })
                .ToUrl("/api/v1/dispatches"));
            Assert.Equal(202, accepted.Context.Response.StatusCode);
            var location = accepted.Context.Response.Headers.Location.ToString();

            var dispatch = default(JsonElement);
            await Eventually.UntilAsync(async () =>
            {
                dispatch = await host.GetAsJson<JsonElement>(location, key);
                return dispatch.GetProperty("status").GetString() is "failed" or "dead_lettered" or "succeeded";
            }, $"the {provider} dispatch to finish");

            Assert.Equal("failed", dispatch.GetProperty("status").GetString());
            Assert.Equal(1, dispatch.GetProperty("attempts").GetInt32());
            Assert.Equal("configuration", dispatch.GetProperty("failure_type").GetString());
            Assert.Contains(reason, dispatch.GetProperty("failure_reason").GetString());
            Assert.Contains("is not allowed", dispatch.GetProperty("failure_reason").GetString());
        }

        Assert.Empty(loopback.Received);
    }

    /// <summary>Writes a provider the way an import did before base URLs were checked.</summary>
    private static async Task ImportUncheckedAsync(IAlbaHost host, string provider, string baseUrl)
    {
        var json = host.Services.GetRequiredService<IOptions<Microsoft.AspNetCore.Http.Json.JsonOptions>>().Value.SerializerOptions;
        var pack = JsonSerializer.SerializeToElement(new
        {
            provider = new { key = provider, name = provider, auth_kind = "none", base_urls = new { sandbox = baseUrl } },
            routes = new { }
        }, json);
        await using var session = host.Services.GetRequiredService<IDocumentStore>().LightweightSession();
        var (result, errors) = await RoutePackImporter.ImportAsync(session, pack, json, DateTimeOffset.UtcNow, CancellationToken.None);
        Assert.True(result is not null, string.Join("; ", errors));
        await session.SaveChangesAsync();
    }
}
