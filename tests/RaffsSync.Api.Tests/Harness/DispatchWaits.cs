using System.Text.Json;
using Alba;
using RaffsSync.Domain.Dispatches;

namespace RaffsSync.Api.Tests.Harness;

/// <summary>Accepting dispatches on a host and waiting for them, for tests that run several hosts.</summary>
public static class DispatchWaits
{
    /// <summary>The statuses a dispatch ends in, as the API spells them.</summary>
    public static readonly string[] FinalStatuses = Enum.GetValues<DispatchStatus>().Where(s => s.IsFinal())
        .Select(s => JsonNamingPolicy.SnakeCaseLower.ConvertName(s.ToString())).ToArray();

    /// <summary>Posts a dispatch, expects 202 and returns its Location.</summary>
    public static async Task<string> AcceptDispatchAsync(this IAlbaHost host, string key, object body, string? idempotencyKey = null)
    {
        var accepted = await host.CallAsync(key, s =>
        {
            s.Post.Json(body).ToUrl("/api/v1/dispatches");
            if (idempotencyKey is not null) s.WithRequestHeader("Idempotency-Key", idempotencyKey);
        });
        Assert.Equal(202, accepted.Context.Response.StatusCode);
        return accepted.Context.Response.Headers.Location.ToString();
    }

    public static async Task<string?> DispatchStatusAsync(this IAlbaHost host, string key, string location) =>
        (await host.GetAsJson<JsonElement>(location, key)).GetProperty("status").GetString();

    /// <summary>Waits until every dispatch has one of <paramref name="statuses"/> (default: succeeded).</summary>
    public static Task UntilDispatchesAsync(this IAlbaHost host, string key, IEnumerable<string> locations,
        TimeSpan? timeout = null, params string[] statuses)
    {
        string[] wanted = statuses.Length == 0 ? ["succeeded"] : statuses;
        return Eventually.UntilAsync(async () =>
        {
            foreach (var location in locations)
                if (Array.IndexOf(wanted, await host.DispatchStatusAsync(key, location)) < 0) return false;
            return true;
        }, $"every dispatch to be {string.Join(" or ", wanted)}", timeout);
    }
}
