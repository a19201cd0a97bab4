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
        await Host.TrackActivity()
            .Timeout(TimeSpan.FromSeconds(60))
            .ExecuteAndWaitAsync((Func<Wolverine.IMessageContext, Task>)(async _ => result = await Host.Scenario(configure)));
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
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (true)
        {
            var dispatch = await Host.GetAsJson<System.Text.Json.JsonElement>(location, key);
            if (statuses.Contains(dispatch.GetProperty("status").GetString())) return dispatch;
            if (DateTime.UtcNow > deadline)
                throw new TimeoutException($"{location} is still '{dispatch.GetProperty("status").GetString()}', not {string.Join(" or ", statuses)}.");
            await Task.Delay(100);
        }
    }

    protected static Action<Scenario> PostDispatch(string key, object body, string? requestId = null) => s =>
    {
        s.Post.Json(body).ToUrl("/api/v1/dispatches");
        s.WithRequestHeader("Authorization", $"Bearer {key}");
        if (requestId is not null) s.WithRequestHeader("X-Request-Id", requestId);
        s.IgnoreStatusCode();
    };
}
