using System.Text;
using System.Text.Json;
using Alba;
using RaffsSync.Api.Tests.Harness;
using RaffsSync.Domain.Access;

namespace RaffsSync.Api.Tests.Access;

/// <summary>OAuth2 client credentials end to end. (OWASP API2 broken authentication.)</summary>
[Collection(AccessCollection.Name)]
public sealed class OAuthTests(AppFixture fixture) : ApiTest(fixture)
{
    private async Task<(string Id, string Secret)> RegisterAsync(params string[] scopes)
    {
        var admin = await Fixture.CreateKeyAsync();
        var registered = await CallAsync(admin, s => s.Post.Json(new { name = "erp", scopes, caller_class = "internal" }).ToUrl("/api/v1/oauth/clients"));
        Assert.Equal(201, registered.Context.Response.StatusCode);
        var body = await registered.ReadAsJsonAsync<JsonElement>();
        return (body.GetProperty("client_id").GetString()!, body.GetProperty("client_secret").GetString()!);
    }

    private Task<IScenarioResult> TokenForm(params (string Name, string Value)[] fields) => Host.Scenario(s =>
    {
        s.Post.FormData(fields.ToDictionary(f => f.Name, f => f.Value)).ToUrl("/api/v1/oauth/token");
        s.IgnoreStatusCode();
    });

    [Fact]
    public async Task a_client_trades_its_credentials_for_a_token_limited_to_its_scopes()
    {
        var (id, secret) = await RegisterAsync("dispatches:read", "registry:read");

        var issued = await TokenForm(("grant_type", "client_credentials"), ("client_id", id), ("client_secret", secret), ("scope", "dispatches:read"));
        Assert.Equal(200, issued.Context.Response.StatusCode);
        Assert.Equal("no-store", issued.Context.Response.Headers.CacheControl.ToString());
        var token = await issued.ReadAsJsonAsync<JsonElement>();
        Assert.Equal("Bearer", token.GetProperty("token_type").GetString());
        Assert.Equal(900, token.GetProperty("expires_in").GetInt32());
        Assert.Equal("dispatches:read", token.GetProperty("scope").GetString());
        var accessToken = token.GetProperty("access_token").GetString()!;

        Assert.Equal(200, (await CallAsync(accessToken, s => s.Get.Url("/api/v1/dispatches"))).Context.Response.StatusCode);
        await (await CallAsync(accessToken, s => s.Get.Url("/api/v1/providers"))).ShouldBeProblemAsync(403, "insufficient_scope");
        await (await CallAsync(accessToken, s => s.Post.Json(new { tenant_id = "29", provider = "sandbox", route_key = "orders.push", payload = new { } })
            .ToUrl("/api/v1/dispatches"))).ShouldBeProblemAsync(403, "insufficient_scope");
    }

    [Fact]
    public async Task json_bodies_and_http_basic_client_authentication_work_too()
    {
        var (id, secret) = await RegisterAsync("dispatches:read");

        var json = await Host.Scenario(s =>
        {
            s.Post.Json(new { grant_type = "client_credentials", client_id = id, client_secret = secret }).ToUrl("/api/v1/oauth/token");
        });
        Assert.Equal(200, json.Context.Response.StatusCode);

        var basic = await Host.Scenario(s =>
        {
            s.Post.FormData(new Dictionary<string, string> { ["grant_type"] = "client_credentials" }).ToUrl("/api/v1/oauth/token");
            s.WithRequestHeader("Authorization", "Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes($"{id}:{secret}")));
        });
        Assert.Equal(200, basic.Context.Response.StatusCode);
    }

    [Theory]
    [InlineData("password", "right", null, 400, "unsupported_grant_type")]
    [InlineData("client_credentials", "wrong", null, 401, "invalid_client")]
    [InlineData("client_credentials", "right", "access:write", 400, "invalid_scope")]
    public async Task refusals_use_the_oauth_error_bodies(string grant, string secretKind, string? scope, int status, string error)
    {
        var (id, secret) = await RegisterAsync("dispatches:read");
        var fields = new List<(string, string)> { ("grant_type", grant), ("client_id", id), ("client_secret", secretKind == "right" ? secret : secret + "x") };
        if (scope is not null) fields.Add(("scope", scope));

        var result = await TokenForm([.. fields]);

        Assert.Equal(status, result.Context.Response.StatusCode);
        Assert.Equal(error, (await result.ReadAsJsonAsync<JsonElement>()).GetProperty("error").GetString());
    }

    [Fact]
    public async Task a_revoked_clients_tokens_stop_on_the_very_next_request()
    {
        var (id, secret) = await RegisterAsync("dispatches:read");
        var token = (await (await TokenForm(("grant_type", "client_credentials"), ("client_id", id), ("client_secret", secret)))
            .ReadAsJsonAsync<JsonElement>()).GetProperty("access_token").GetString()!;
        Assert.Equal(200, (await CallAsync(token, s => s.Get.Url("/api/v1/dispatches"))).Context.Response.StatusCode);

        var admin = await Fixture.CreateKeyAsync();
        Assert.Equal(200, (await CallAsync(admin, s => s.Delete.Url($"/api/v1/oauth/clients/{id}"))).Context.Response.StatusCode);

        await (await CallAsync(token, s => s.Get.Url("/api/v1/dispatches"))).ShouldBeProblemAsync(401, "unauthenticated");
        var refused = await TokenForm(("grant_type", "client_credentials"), ("client_id", id), ("client_secret", secret));
        Assert.Equal("invalid_client", (await refused.ReadAsJsonAsync<JsonElement>()).GetProperty("error").GetString());
    }

    [Fact]
    public async Task an_unknown_client_gets_the_same_answer_as_a_wrong_secret()
    {
        var unknown = await TokenForm(("grant_type", "client_credentials"), ("client_id", "rsc_nobody"), ("client_secret", "x"));

        Assert.Equal(401, unknown.Context.Response.StatusCode);
        Assert.Equal("invalid_client", (await unknown.ReadAsJsonAsync<JsonElement>()).GetProperty("error").GetString());
    }

    [Theory]
    [InlineData("eyJhbGciOiJub25lIiwidHlwIjoiYXQrand0In0.eyJzdWIiOiJ4Iiwic2NvcGUiOiJkaXNwYXRjaGVzOnJlYWQifQ.")] // alg=none
    [InlineData("not.a.jwt")]
    public async Task owasp_api2_forged_or_unsigned_tokens_are_401(string token) =>
        await (await CallAsync(token, s => s.Get.Url("/api/v1/dispatches"))).ShouldBeProblemAsync(401, "unauthenticated");

    [Fact]
    public async Task a_tampered_token_is_401()
    {
        var (id, secret) = await RegisterAsync("dispatches:read");
        var token = (await (await TokenForm(("grant_type", "client_credentials"), ("client_id", id), ("client_secret", secret)))
            .ReadAsJsonAsync<JsonElement>()).GetProperty("access_token").GetString()!;
        var parts = token.Split('.');
        var claims = Encoding.UTF8.GetString(Base64UrlDecode(parts[1])).Replace("dispatches:read", "dispatches:write");
        var forged = $"{parts[0]}.{Base64UrlEncode(Encoding.UTF8.GetBytes(claims))}.{parts[2]}";

        await (await CallAsync(forged, s => s.Get.Url("/api/v1/dispatches"))).ShouldBeProblemAsync(401, "unauthenticated");
    }

    [Fact]
    public async Task an_expired_token_is_401_token_expired()
    {
        var database = await OwnDatabase.CreateAsync();
        await using var host = await database.StartHostAsync(settings: new Dictionary<string, string>
        {
            ["RaffsSync:Tokens:Lifetime"] = "00:00:01", ["RaffsSync:Tokens:ClockSkew"] = "00:00:00"
        });
        var admin = await host.CreateInternalKeyAsync();
        var registered = await (await host.CallAsync(admin, s => s.Post.Json(new { name = "short", scopes = new[] { "dispatches:read" }, caller_class = "internal" })
            .ToUrl("/api/v1/oauth/clients"))).ReadAsJsonAsync<JsonElement>();
        var token = (await (await host.Scenario(s =>
        {
            s.Post.FormData(new Dictionary<string, string>
            {
                ["grant_type"] = "client_credentials",
                ["client_id"] = registered.GetProperty("client_id").GetString()!,
                ["client_secret"] = registered.GetProperty("client_secret").GetString()!
            }).ToUrl("/api/v1/oauth/token");
        })).ReadAsJsonAsync<JsonElement>()).GetProperty("access_token").GetString()!;

        await Task.Delay(TimeSpan.FromSeconds(2)); // the token's lifetime is the thing under test
        await (await host.CallAsync(token, s => s.Get.Url("/api/v1/dispatches"))).ShouldBeProblemAsync(401, "token_expired");
    }

    private static byte[] Base64UrlDecode(string value) =>
        Convert.FromBase64String(value.Replace('-', '+').Replace('_', '/').PadRight(value.Length + (4 - value.Length % 4) % 4, '='));

    private static string Base64UrlEncode(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
