using Alba;
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
            ["RaffsSync:RateLimits:Limit"] = "5", ["RaffsSync:RateLimits:Window"] = "00:00:03", ["RaffsSync:RateLimits:PerSecond"] = "100"
        });
        var key = await host.CreateInternalKeyAsync();
        var other = await host.CreateInternalKeyAsync();
        // A cold host's first request can take longer than the 3 s window (JIT, first queries on a loaded
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

        var deadline = DateTime.UtcNow.AddSeconds(15);
        int status;
        do
        {
            await Task.Delay(250);
            status = (await host.CallAsync(key, s => s.Get.Url("/api/v1/providers"))).Context.Response.StatusCode;
        } while (status == 429 && DateTime.UtcNow < deadline);
        Assert.Equal(200, status);
    }

    [Fact]
    public async Task a_burst_past_the_per_second_limit_is_429()
    {
        var database = await OwnDatabase.CreateAsync();
        await using var host = await database.StartHostAsync(settings: new Dictionary<string, string>
        {
            ["RaffsSync:RateLimits:Limit"] = "1000", ["RaffsSync:RateLimits:PerSecond"] = "3"
        });
        var key = await host.CreateInternalKeyAsync();

        var statuses = new List<int>();
        for (var i = 0; i < 10; i++) statuses.Add((await host.CallAsync(key, s => s.Get.Url("/api/v1/providers"))).Context.Response.StatusCode);

        Assert.Contains(429, statuses);
        Assert.True(statuses.Count(s => s == 200) >= 3);
    }
}
