using Alba;
using RaffsSync.Api.Tests.Harness;

namespace RaffsSync.Api.Tests.Security;

/// <summary>OWASP API8 (security misconfiguration): no open CORS, no unexpected methods, no internals in errors.</summary>
[Collection(HttpContractCollection.Name)]
public sealed class OwaspMisconfigurationTests(AppFixture fixture) : ApiTest(fixture)
{
    [Fact]
    public async Task owasp_api8_no_cross_origin_grants_no_trace_and_no_internals_in_errors()
    {
        var key = await Fixture.CreateKeyAsync();

        var preflight = await Host.Scenario(s =>
        {
            s.Get.Url("/api/v1/dispatches");
            s.ConfigureHttpContext(context => context.Request.Method = "OPTIONS");
            s.WithRequestHeader("Origin", "https://evil.example");
            s.WithRequestHeader("Access-Control-Request-Method", "POST");
            s.IgnoreStatusCode();
        });
        Assert.False(preflight.Context.Response.Headers.ContainsKey("Access-Control-Allow-Origin"));

        var trace = await CallAsync(key, s =>
        {
            s.Get.Url("/api/v1/dispatches");
            s.ConfigureHttpContext(context => context.Request.Method = "TRACE");
        });
        await trace.ShouldBeProblemAsync(405, "method_not_allowed");

        var missing = await CallAsync(key, s => s.Get.Url("/api/v1/dispatches/not-a-guid"));
        var body = await missing.ReadAsTextAsync();
        await missing.ShouldBeProblemAsync(404, "not_found");
        Assert.DoesNotContain("exception", body, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("stack", body, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("trace_id", body);
    }
}
