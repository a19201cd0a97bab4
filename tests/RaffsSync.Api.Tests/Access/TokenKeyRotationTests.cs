using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Alba;
using RaffsSync.Api.Tests.Harness;

namespace RaffsSync.Api.Tests.Access;

/// <summary>Signing key rotation: a new key goes first; tokens signed with the old one keep working while it is listed.</summary>
public sealed class TokenKeyRotationTests
{
    private static readonly string OldKey = Convert.ToBase64String(Encoding.UTF8.GetBytes("old-signing-key-0123456789abcdef!"));
    private static readonly string NewKey = Convert.ToBase64String(Encoding.UTF8.GetBytes("new-signing-key-0123456789abcdef!"));

    private static Dictionary<string, string> Keys(params (string Kid, string Key)[] keys) => keys
        .SelectMany((k, i) => new[]
        {
            KeyValuePair.Create($"RaffsSync:Tokens:SigningKeys:{i}:Kid", k.Kid),
            KeyValuePair.Create($"RaffsSync:Tokens:SigningKeys:{i}:Key", k.Key)
        }).ToDictionary();

    [Fact]
    public async Task tokens_signed_with_the_previous_key_still_work_after_rotation_and_new_ones_use_the_new_kid()
    {
        var database = await OwnDatabase.CreateAsync();
        string token, clientId, secret;
        await using (var before = await database.StartHostAsync(settings: Keys(("k1", OldKey))))
        {
            var admin = await before.CreateInternalKeyAsync();
            var client = await (await before.CallAsync(admin, s => s.Post.Json(new { name = "rotating", scopes = new[] { "dispatches:read" }, caller_class = "internal" })
                .ToUrl("/api/v1/oauth/clients"))).ReadAsJsonAsync<JsonElement>();
            clientId = client.GetProperty("client_id").GetString()!;
            secret = client.GetProperty("client_secret").GetString()!;
            token = await TokenAsync(before, clientId, secret);
        }

        await using var after = await database.StartHostAsync(settings: Keys(("k2", NewKey), ("k1", OldKey)));
        Assert.Equal(200, (await after.CallAsync(token, s => s.Get.Url("/api/v1/dispatches"))).Context.Response.StatusCode);
        Assert.Equal("k2", Header(await TokenAsync(after, clientId, secret)).GetProperty("kid").GetString());
        Assert.Equal("k1", Header(token).GetProperty("kid").GetString());

        await using var retired = await database.StartHostAsync(settings: Keys(("k2", NewKey)));
        Assert.Equal(401, (await retired.CallAsync(token, s => s.Get.Url("/api/v1/dispatches"))).Context.Response.StatusCode);
    }

    [Fact]
    public async Task a_token_naming_an_unlisted_kid_or_none_is_401_even_when_a_listed_key_verifies_it()
    {
        var database = await OwnDatabase.CreateAsync();
        await using var host = await database.StartHostAsync(settings: Keys(("k1", OldKey)));
        var admin = await host.CreateInternalKeyAsync();
        var client = await (await host.CallAsync(admin, s => s.Post.Json(new { name = "kid", scopes = new[] { "dispatches:read" }, caller_class = "internal" })
            .ToUrl("/api/v1/oauth/clients"))).ReadAsJsonAsync<JsonElement>();
        var token = await TokenAsync(host, client.GetProperty("client_id").GetString()!, client.GetProperty("client_secret").GetString()!);
        var claims = token.Split('.')[1];

        // Re-signed with the very key that is listed: only the header's kid differs between the three.
        Assert.Equal(200, (await host.CallAsync(Signed("""{"alg":"HS256","kid":"k1","typ":"at+jwt"}""", claims, OldKey),
            s => s.Get.Url("/api/v1/dispatches"))).Context.Response.StatusCode);
        await (await host.CallAsync(Signed("""{"alg":"HS256","kid":"k9","typ":"at+jwt"}""", claims, OldKey),
            s => s.Get.Url("/api/v1/dispatches"))).ShouldBeProblemAsync(401, "unauthenticated");
        await (await host.CallAsync(Signed("""{"alg":"HS256","typ":"at+jwt"}""", claims, OldKey),
            s => s.Get.Url("/api/v1/dispatches"))).ShouldBeProblemAsync(401, "unauthenticated");
    }

    private static string Signed(string header, string encodedClaims, string base64Key)
    {
        var signingInput = $"{Base64Url(Encoding.UTF8.GetBytes(header))}.{encodedClaims}";
        var signature = HMACSHA256.HashData(Convert.FromBase64String(base64Key), Encoding.ASCII.GetBytes(signingInput));
        return $"{signingInput}.{Base64Url(signature)}";
    }

    private static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    private static async Task<string> TokenAsync(IAlbaHost host, string clientId, string secret) =>
        (await (await host.Scenario(s =>
        {
            s.Post.FormData(new Dictionary<string, string>
            {
                ["grant_type"] = "client_credentials", ["client_id"] = clientId, ["client_secret"] = secret
            }).ToUrl("/api/v1/oauth/token");
        })).ReadAsJsonAsync<JsonElement>()).GetProperty("access_token").GetString()!;

    private static JsonElement Header(string token)
    {
        var part = token.Split('.')[0].Replace('-', '+').Replace('_', '/');
        return JsonDocument.Parse(Convert.FromBase64String(part.PadRight(part.Length + (4 - part.Length % 4) % 4, '='))).RootElement;
    }
}
