using System.Text.Json;
using Alba;

namespace RaffsSync.Api.Tests.Harness;

public static class ProblemAssertions
{
    /// <summary>Asserts the API.md error shape and returns the body for further checks.</summary>
    public static async Task<JsonElement> ShouldBeProblemAsync(this IScenarioResult result, int status, string code)
    {
        var response = result.Context.Response;
        Assert.Equal(status, response.StatusCode);
        Assert.StartsWith("application/problem+json", response.ContentType);

        var body = JsonDocument.Parse(await result.ReadAsTextAsync()).RootElement;
        Assert.Equal(status, body.GetProperty("status").GetInt32());
        Assert.Equal(code, body.GetProperty("code").GetString());
        Assert.Equal($"https://raffssync.io/errors/{code}", body.GetProperty("type").GetString());
        Assert.False(string.IsNullOrWhiteSpace(body.GetProperty("message").GetString()));
        Assert.Equal(JsonValueKind.Array, body.GetProperty("details").ValueKind);
        Assert.Equal(response.Headers["X-Request-Id"].ToString(), body.GetProperty("request_id").GetString());
        return body;
    }
}
