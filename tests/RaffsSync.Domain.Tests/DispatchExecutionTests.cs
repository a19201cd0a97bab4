using System.Text.Json;
using RaffsSync.Domain.Dispatches;
using RaffsSync.Domain.Registry;
using RaffsSync.Domain.Templates;

namespace RaffsSync.Domain.Tests;

public sealed class DispatchExecutionTests
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 22, 10, 0, 0, TimeSpan.Zero);
    private static readonly RouteDefinition Route = new("http", new RequestTemplate("POST", "/orders"), Success: [201]);
    private static readonly RenderedRequest Request = new("POST", "http://p/orders", new Dictionary<string, string>(), "{}");

    private static Dispatch Accepted() => Dispatch.Create(new DispatchRequested(Guid.NewGuid(), "29", "acme", "orders.push", 3,
        ProviderEnvironment.Sandbox, JsonDocument.Parse("{}").RootElement, T0));

    private static Dispatch Replay(Dispatch dispatch, IEnumerable<object> events) => events.Aggregate(dispatch, (d, e) => e switch
    {
        DispatchAttemptStarted x => d.Apply(x),
        ProviderResponded x => d.Apply(x),
        ProviderUnreachable x => d.Apply(x),
        DispatchSucceeded x => d.Apply(x),
        DispatchFailed x => d.Apply(x),
        _ => throw new InvalidOperationException(e.GetType().Name)
    });

    [Fact]
    public void a_listed_success_code_records_the_attempt_and_succeeds()
    {
        var dispatch = Accepted();
        var events = DispatchExecution.RecordAttempt(dispatch, Route, Request,
            new ProviderCallResult.Responded(201, "{\"id\":1}", false, "abc", 42), T0, T0.AddSeconds(1));

        Assert.Equal([typeof(DispatchAttemptStarted), typeof(ProviderResponded), typeof(DispatchSucceeded)], events.Select(e => e.GetType()));
        var after = Replay(dispatch, events);
        Assert.Equal(DispatchStatus.Succeeded, after.Status);
        Assert.Equal(1, after.Attempts);
        Assert.Equal(201, after.LastProviderStatus);
        Assert.Equal(T0.AddSeconds(1), after.CompletedAt);
    }

    [Theory]
    [InlineData(200, FailureType.Provider)] // 2xx outside the route's success list
    [InlineData(400, FailureType.Rejected)]
    [InlineData(401, FailureType.Configuration)]
    [InlineData(403, FailureType.Configuration)]
    [InlineData(500, FailureType.Provider)]
    [InlineData(503, FailureType.Provider)]
    public void other_status_codes_fail_with_a_failure_type(int status, FailureType expected)
    {
        var events = DispatchExecution.RecordAttempt(Accepted(), Route, Request,
            new ProviderCallResult.Responded(status, "", false, "", 5), T0, T0);

        var failed = Assert.IsType<DispatchFailed>(events[^1]);
        Assert.Equal(expected, failed.FailureType);
        Assert.Contains(status.ToString(), failed.Reason);
    }

    [Fact]
    public void without_a_success_list_any_2xx_succeeds()
    {
        var route = Route with { Success = null };

        Assert.IsType<DispatchOutcome.Succeeded>(DispatchOutcome.FromStatusCode(route, 204));
        Assert.IsType<DispatchOutcome.Failed>(DispatchOutcome.FromStatusCode(route, 302));
    }

    [Fact]
    public void an_unreachable_provider_fails_as_a_provider_failure()
    {
        var events = DispatchExecution.RecordAttempt(Accepted(), Route, Request,
            new ProviderCallResult.Unreachable("ConnectionError", 3), T0, T0);

        Assert.IsType<ProviderUnreachable>(events[1]);
        Assert.Equal(FailureType.Provider, Assert.IsType<DispatchFailed>(events[2]).FailureType);
    }

    [Fact]
    public void a_render_failure_fails_without_an_attempt()
    {
        var dispatch = Accepted();
        var events = DispatchExecution.RecordRenderFailure(dispatch, new TemplateException("request.path", "'payload.id' has no value."), T0);

        var after = Replay(dispatch, events);
        Assert.Equal(DispatchStatus.Failed, after.Status);
        Assert.Equal(FailureType.Render, after.FailureType);
        Assert.Equal(0, after.Attempts);
        Assert.Equal("request.path: 'payload.id' has no value.", after.FailureReason);
    }
}
