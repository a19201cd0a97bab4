using Alba;
using Wolverine.Tracking;

namespace RaffsSync.Api.Tests.Harness;

public abstract class ApiTest(AppFixture fixture)
{
    protected AppFixture Fixture { get; } = fixture;
    protected IAlbaHost Host => Fixture.Host;

    /// <summary>Runs an HTTP call and waits until every message it caused has been handled.</summary>
    protected async Task<IScenarioResult> ScenarioAndWaitAsync(Action<Scenario> configure)
    {
        IScenarioResult result = null!;
        await Host.WaitForWorkAsync(async () => result = await Host.Scenario(configure));
        return result;
    }

    /// <summary>Any call with a key; the status is the test's to check.</summary>
    protected Task<IScenarioResult> CallAsync(string key, Action<Scenario> request, string? requestId = null) => Host.CallAsync(key, s =>
    {
        request(s);
        if (requestId is not null) s.WithRequestHeader("X-Request-Id", requestId);
    });

    /// <summary>Polls the dispatch until it reaches one of <paramref name="statuses"/> (retries run on their own schedule).</summary>
    protected async Task<System.Text.Json.JsonElement> WaitForStatusAsync(string location, string key, params string[] statuses)
    {
        var dispatch = default(System.Text.Json.JsonElement);
        await Eventually.UntilAsync(async () =>
        {
            dispatch = await Host.GetAsJson<System.Text.Json.JsonElement>(location, key);
            return statuses.Contains(dispatch.GetProperty("status").GetString());
        }, $"{location} to become {string.Join(" or ", statuses)}");
        return dispatch;
    }

    /// <summary>A customer (through the API, as <paramref name="admin"/>) owning one location.</summary>
    protected async Task<(string Customer, string Location)> CustomerWithLocationAsync(string admin, string location)
    {
        var created = await CallAsync(admin, s => s.Post.Json(new { name = location }).ToUrl("/api/v1/customers"));
        var id = (await created.ReadAsJsonAsync<System.Text.Json.JsonElement>()).GetProperty("id").GetString()!;
        await CallAsync(admin, s => s.Post.Json(new { tenant_id = location, name = location }).ToUrl($"/api/v1/customers/{id}/locations"));
        return (id, location);
    }

    protected static Action<Scenario> PostDispatch(string key, object body, string? requestId = null) => s =>
    {
        s.Post.Json(body).ToUrl("/api/v1/dispatches");
        s.WithRequestHeader("Authorization", $"Bearer {key}");
        if (requestId is not null) s.WithRequestHeader("X-Request-Id", requestId);
        s.IgnoreStatusCode();
    };
}
