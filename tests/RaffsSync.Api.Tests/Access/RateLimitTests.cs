using Alba;
using Marten;
using Microsoft.Extensions.DependencyInjection;
using RaffsSync.Api.Access;
using RaffsSync.Api.Infrastructure.RateLimits;
using RaffsSync.Domain;
using RaffsSync.Domain.Access;
using RaffsSync.Api.Tests.Harness;

namespace RaffsSync.Api.Tests.Access;

/// <summary>Own hosts with small limits. (OWASP API4 unrestricted resource consumption.)</summary>
public sealed class RateLimitTests
{
    [Fact]
    public async Task owasp_api4_the_request_past_the_window_limit_is_429_with_headers_per_credential_until_the_window_frees()
    {
        var database = await OwnDatabase.CreateAsync();
        await using var host = await database.StartHostAsync(settings: new Dictionary<string, string>
        {
            ["RaffsSync:RateLimits:Internal:Limit"] = "5", ["RaffsSync:RateLimits:Window"] = "00:00:08", ["RaffsSync:RateLimits:Internal:PerSecond"] = "100"
        });
        var key = await host.CreateInternalKeyAsync();
        var other = await host.CreateInternalKeyAsync();
        // A cold host's first request can take longer than a short window (JIT, first queries on a loaded
        // machine), which would free its permit before the headers are read: warm it with a key of its own.
        await host.CallAsync(await host.CreateInternalKeyAsync(), s => s.Get.Url("/api/v1/providers"));

        var remaining = new List<string>();
        for (var i = 0; i < 5; i++)
        {
            var ok = await host.CallAsync(key, s => s.Get.Url("/api/v1/providers"));
            Assert.Equal(200, ok.Context.Response.StatusCode);
            Assert.Equal("5", ok.Context.Response.Headers["X-RateLimit-Limit"].ToString());
            Assert.True(int.Parse(ok.Context.Response.Headers["X-RateLimit-Reset"].ToString()) >= 1);
            remaining.Add(ok.Context.Response.Headers["X-RateLimit-Remaining"].ToString());
        }
        Assert.Equal(["4", "3", "2", "1", "0"], remaining);

        var limited = await host.CallAsync(key, s => s.Get.Url("/api/v1/providers"));
        await limited.ShouldBeProblemAsync(429, "rate_limited");
        Assert.True(int.Parse(limited.Context.Response.Headers.RetryAfter.ToString()) >= 1);
        Assert.Equal("0", limited.Context.Response.Headers["X-RateLimit-Remaining"].ToString());

        Assert.Equal(200, (await host.CallAsync(other, s => s.Get.Url("/api/v1/providers"))).Context.Response.StatusCode);

        var deadline = DateTime.UtcNow.AddSeconds(25);
        int status;
        do
        {
            await Task.Delay(250);
            status = (await host.CallAsync(key, s => s.Get.Url("/api/v1/providers"))).Context.Response.StatusCode;
        } while (status == 429 && DateTime.UtcNow < deadline);
        Assert.Equal(200, status);
    }

    [Fact]
    public async Task requests_without_a_valid_credential_are_limited_per_client_address_and_health_never_is()
    {
        var database = await OwnDatabase.CreateAsync();
        await using var host = await database.StartHostAsync(settings: new Dictionary<string, string>
        {
            ["RaffsSync:RateLimits:Anonymous:Limit"] = "3", ["RaffsSync:RateLimits:Anonymous:PerSecond"] = "100"
        });
        var key = await host.CreateInternalKeyAsync();

        for (var i = 0; i < 3; i++)
        {
            var refused = await host.Scenario(s =>
            {
                s.Get.Url("/api/v1/providers");
                s.WithRequestHeader("Authorization", "Bearer rsk_test_not_a_key");
                s.StatusCodeShouldBe(401);
            });
            Assert.Equal("3", refused.Context.Response.Headers["X-RateLimit-Limit"].ToString());
            Assert.Equal((2 - i).ToString(), refused.Context.Response.Headers["X-RateLimit-Remaining"].ToString());
        }

        // The token endpoint is anonymous too: a fourth guess from the same address waits.
        var limited = await host.Scenario(s =>
        {
            s.Post.FormData(new Dictionary<string, string>
            {
                ["grant_type"] = "client_credentials", ["client_id"] = "rsc_guess", ["client_secret"] = "guess"
            }).ToUrl("/api/v1/oauth/token");
            s.StatusCodeShouldBe(429);
        });
        await limited.ShouldBeProblemAsync(429, "rate_limited");
        Assert.True(int.Parse(limited.Context.Response.Headers.RetryAfter.ToString()) >= 1);

        Assert.Equal(200, (await host.CallAsync(key, s => s.Get.Url("/api/v1/providers"))).Context.Response.StatusCode);
        for (var i = 0; i < 5; i++)
            await host.Scenario(s => { s.Get.Url("/health/live"); s.StatusCodeShouldBeOk(); });
    }

    [Fact]
    public async Task provider_pushes_are_limited_per_connection_not_as_the_anonymous_callers_of_their_address()
    {
        var database = await OwnDatabase.CreateAsync();
        await using var host = await database.StartHostAsync(settings: new Dictionary<string, string>
        {
            ["RaffsSync:RateLimits:Anonymous:Limit"] = "3", ["RaffsSync:RateLimits:Anonymous:PerSecond"] = "100",
            ["RaffsSync:RateLimits:Inbound:Limit"] = "5", ["RaffsSync:RateLimits:Inbound:PerSecond"] = "100"
        });
        Task<IScenarioResult> Push(Guid connection) => host.Scenario(s =>
        {
            s.Post.Json(new { id = "evt_1", type = "order.created" }).ToUrl($"/api/v1/inbound/kedai/{connection}");
            s.IgnoreStatusCode();
        });

        // One provider pushing for one connection from one address: its own limit (5), past the address's anonymous one (3).
        var first = Guid.NewGuid();
        for (var i = 0; i < 5; i++)
        {
            var answer = await Push(first);
            Assert.Equal(404, answer.Context.Response.StatusCode); // no such connection, and not limited
            Assert.Equal("5", answer.Context.Response.Headers["X-RateLimit-Limit"].ToString());
        }
        await (await Push(first)).ShouldBeProblemAsync(429, "rate_limited");
        // Another connection of the same provider and address has a limit of its own.
        Assert.Equal(404, (await Push(Guid.NewGuid())).Context.Response.StatusCode);
    }

    [Fact]
    public async Task a_burst_past_the_per_second_limit_is_429()
    {
        var database = await OwnDatabase.CreateAsync();
        await using var host = await database.StartHostAsync(settings: new Dictionary<string, string>
        {
            ["RaffsSync:RateLimits:Internal:Limit"] = "1000", ["RaffsSync:RateLimits:Internal:PerSecond"] = "3"
        });
        var key = await host.CreateInternalKeyAsync();

        var statuses = new List<int>();
        for (var i = 0; i < 10; i++) statuses.Add((await host.CallAsync(key, s => s.Get.Url("/api/v1/providers"))).Context.Response.StatusCode);

        Assert.Contains(429, statuses);
        Assert.True(statuses.Count(s => s == 200) >= 3);
    }

    [Fact]
    public async Task a_credential_still_works_after_its_limiter_went_idle_and_was_disposed()
    {
        // ASP.NET Core disposes a partition's limiter once it has been idle (fully replenished) for 10 s.
        var database = await OwnDatabase.CreateAsync();
        await using var host = await database.StartHostAsync(settings: new Dictionary<string, string>
        {
            ["RaffsSync:RateLimits:Internal:Limit"] = "5", ["RaffsSync:RateLimits:Window"] = "00:00:01"
        });
        var key = await host.CreateInternalKeyAsync();
        Assert.Equal(200, (await host.CallAsync(key, s => s.Get.Url("/api/v1/providers"))).Context.Response.StatusCode);

        await Task.Delay(TimeSpan.FromSeconds(13));

        // The first call after the idle gap meets a fresh limiter; later ones may straddle a 1 s window on a slow machine,
        // so only their range is certain.
        for (var i = 0; i < 3; i++)
        {
            var again = await host.CallAsync(key, s => s.Get.Url("/api/v1/providers"));
            Assert.Equal(200, again.Context.Response.StatusCode);
            Assert.Equal("5", again.Context.Response.Headers["X-RateLimit-Limit"].ToString());
            var remaining = int.Parse(again.Context.Response.Headers["X-RateLimit-Remaining"].ToString());
            if (i == 0) Assert.Equal(4, remaining);
            else Assert.InRange(remaining, 0, 4);
        }
    }

    [Fact]
    public async Task limits_are_per_caller_class_and_internal_workers_are_not_held_to_the_customer_limit()
    {
        var database = await OwnDatabase.CreateAsync();
        await using var host = await database.StartHostAsync(settings: new Dictionary<string, string>
        {
            ["RaffsSync:RateLimits:Customer:Limit"] = "3", ["RaffsSync:RateLimits:Internal:Limit"] = "0",
            ["RaffsSync:RateLimits:Internal:PerSecond"] = "0"
        });
        var internalKey = await host.CreateInternalKeyAsync();
        var customerKey = await ApiKeyStore.CreateAsync(host.Services.GetRequiredService<IDocumentStore>(),
            new ApiKeyRequest("customer", ProviderEnvironment.Sandbox, CallerClass.Customer, Scopes.All, "cus_limits", []), TimeProvider.System);

        var customer = new List<int>();
        for (var i = 0; i < 5; i++) customer.Add((await host.CallAsync(customerKey, s => s.Get.Url("/api/v1/dispatches"))).Context.Response.StatusCode);
        Assert.Equal([200, 200, 200, 429, 429], customer);

        for (var i = 0; i < 30; i++)
        {
            var result = await host.CallAsync(internalKey, s => s.Get.Url("/api/v1/dispatches"));
            Assert.Equal(200, result.Context.Response.StatusCode);
            Assert.False(result.Context.Response.Headers.ContainsKey("X-RateLimit-Limit"));
        }
    }

    [Fact]
    public void the_defaults_give_customers_and_partners_the_seeds_100_per_minute_and_internal_callers_a_runaway_guard_only()
    {
        var defaults = new RateLimitSettings();
        Assert.Equal(TimeSpan.FromMinutes(1), defaults.Window);
        Assert.Equal(100, defaults.WindowLimitFor("customer", null));
        Assert.Equal(100, defaults.WindowLimitFor("partner", null));
        Assert.Equal(100_000, defaults.WindowLimitFor("internal", null));
        Assert.Equal(0, defaults.Internal.PerSecond);
        defaults.Customers["cus_big"] = new RateLimitSettings.CustomerLimit { Limit = 1000 };
        Assert.Equal(1000, defaults.WindowLimitFor("customer", "cus_big"));
    }
}
