using Alba;
using RaffsSync.Api.Tests.Harness;

namespace RaffsSync.Api.Tests.Http;

/// <summary>Browsers may call from the configured origins only; the API's headers are readable there.</summary>
public sealed class CrossOriginTests
{
    private const string Console = "https://console.example.com";

    [Fact]
    public async Task only_configured_origins_get_cors_headers_and_a_preflight_answer()
    {
        var database = await OwnDatabase.CreateAsync();
        await using var host = await database.StartHostAsync(settings: new Dictionary<string, string> { ["RaffsSync:Cors:Origins:0"] = Console });
        var key = await host.CreateInternalKeyAsync();

        var allowed = await host.CallAsync(key, s => { s.Get.Url("/api/v1/providers"); s.WithRequestHeader("Origin", Console); });
        Assert.Equal(200, allowed.Context.Response.StatusCode);
        Assert.Equal(Console, allowed.Context.Response.Headers.AccessControlAllowOrigin.ToString());
        Assert.Contains("X-Request-Id", allowed.Context.Response.Headers.AccessControlExposeHeaders.ToString());

        var other = await host.CallAsync(key, s => { s.Get.Url("/api/v1/providers"); s.WithRequestHeader("Origin", "https://evil.example.com"); });
        Assert.Equal(200, other.Context.Response.StatusCode);
        Assert.False(other.Context.Response.Headers.ContainsKey("Access-Control-Allow-Origin"));

        var preflight = await host.Scenario(s =>
        {
            s.WithRequestHeader("Origin", Console);
            s.WithRequestHeader("Access-Control-Request-Method", "POST");
            s.WithRequestHeader("Access-Control-Request-Headers", "authorization,content-type,idempotency-key");
            s.ConfigureHttpContext(context =>
            {
                context.Request.Method = "OPTIONS";
                context.Request.Path = "/api/v1/dispatches";
            });
            s.StatusCodeShouldBe(204);
        });
        Assert.Equal(Console, preflight.Context.Response.Headers.AccessControlAllowOrigin.ToString());
    }

    [Fact]
    public async Task with_no_origins_configured_no_page_elsewhere_may_read_answers()
    {
        var database = await OwnDatabase.CreateAsync();
        await using var host = await database.StartHostAsync();
        var key = await host.CreateInternalKeyAsync();

        var answer = await host.CallAsync(key, s => { s.Get.Url("/api/v1/providers"); s.WithRequestHeader("Origin", Console); });
        Assert.Equal(200, answer.Context.Response.StatusCode);
        Assert.False(answer.Context.Response.Headers.ContainsKey("Access-Control-Allow-Origin"));
    }
}
