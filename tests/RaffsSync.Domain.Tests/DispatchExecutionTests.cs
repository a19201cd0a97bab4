using System.Text.Json;
using RaffsSync.Domain;
using RaffsSync.Domain.Dispatches;
using RaffsSync.Domain.Registry;
using RaffsSync.Domain.Templates;

namespace RaffsSync.Domain.Tests;

public sealed class DispatchExecutionTests
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 22, 10, 0, 0, TimeSpan.Zero);
    private static readonly RouteDefinition Route = new("http", new RequestTemplate("POST", "/orders"), Success: [201]);

    private static Dispatch Accepted() => Dispatch.Start(new DispatchRequested(Guid.NewGuid(), "29", "acme", "orders.push", 3,
        ProviderEnvironment.Sandbox, JsonDocument.Parse("{}").RootElement, T0));

    private static Dispatch Started(Dispatch d, int attempt) =>
        d.After(new DispatchAttemptStarted(d.Id, attempt, new RenderedRequest("POST", "http://p", new Dictionary<string, string>(), null), T0));

    private static ProviderCallResult Answer(int status, string body = "", TimeSpan? retryAfter = null) =>
        new ProviderCallResult.Responded(status, body, false, "", 5, retryAfter);

    private static Dispatch Replay(Dispatch dispatch, IEnumerable<object> events) =>
        events.Cast<IDispatchEvent>().Aggregate(dispatch, (d, e) => d.After(e));

    [Fact]
    public void a_listed_success_code_records_the_answer_and_succeeds()
    {
        var dispatch = Started(Accepted(), 1);
        var record = DispatchExecution.RecordOutcome(dispatch, Route, 1, Answer(201, "{\"id\":1}"), T0.AddSeconds(1), 0.5);

        Assert.Equal([typeof(ProviderResponded), typeof(DispatchSucceeded)], record.Events.Select(e => e.GetType()));
        Assert.Null(record.RetryAt);
        var after = Replay(dispatch, record.Events);
        Assert.Equal(DispatchStatus.Succeeded, after.Status);
        Assert.Equal(201, after.LastProviderStatus);
        Assert.Equal(T0.AddSeconds(1), after.CompletedAt);
    }

    [Theory]
    [InlineData(400, FailureType.Rejected)]
    [InlineData(422, FailureType.Rejected)]
    [InlineData(401, FailureType.Configuration)]
    [InlineData(403, FailureType.Configuration)]
    [InlineData(302, FailureType.Provider)]
    [InlineData(200, FailureType.Provider)] // 2xx outside the route's success list
    public void permanent_answers_fail_without_retry(int status, FailureType expected)
    {
        var record = DispatchExecution.RecordOutcome(Started(Accepted(), 1), Route, 1, Answer(status), T0, 0.5);

        var failed = Assert.IsType<DispatchFailed>(record.Events[^1]);
        Assert.Equal(expected, failed.FailureType);
        Assert.Contains(status.ToString(), failed.Reason);
        Assert.Null(record.RetryAt);
    }

    [Theory]
    [InlineData(500)]
    [InlineData(503)]
    [InlineData(408)]
    public void transient_answers_schedule_the_next_attempt_with_exponential_backoff(int status)
    {
        var route = Route with { Backoff = new Backoff("exponential", "PT2S", 5, "PT10M", Jitter: false) };
        var dispatch = Started(Started(Accepted(), 1), 2);

        var record = DispatchExecution.RecordOutcome(dispatch, route, 2, Answer(status), T0, 0.5);

        var scheduled = Assert.IsType<DispatchRetryScheduled>(record.Events[^1]);
        Assert.Equal(T0.AddSeconds(4), scheduled.NextAttemptAt); // 2 s × 2^(2−1)
        Assert.Equal(scheduled.NextAttemptAt, record.RetryAt);
        Assert.Equal(3, record.NextAttempt);
        Assert.Equal(DispatchStatus.RetryScheduled, Replay(dispatch, record.Events).Status);
    }

    [Theory]
    [InlineData(0.0, 1000)]
    [InlineData(1.0, 2000)]
    [InlineData(0.5, 1500)]
    public void jitter_spreads_the_delay_between_half_and_all_of_it(double sample, int expectedMs) =>
        Assert.Equal(TimeSpan.FromMilliseconds(expectedMs),
            DispatchExecution.BackoffDelay(new Backoff("exponential", "PT1S"), attempt: 2, sample));

    [Fact]
    public void rate_limiting_waits_for_retry_after_capped_by_the_rule()
    {
        var route = Route with { ErrorRules = [new ErrorRule([429], Action: "rate_limited", MaxWait: "PT30S")] };

        var soon = DispatchExecution.RecordOutcome(Started(Accepted(), 1), route, 1, Answer(429, retryAfter: TimeSpan.FromSeconds(7)), T0, 0.5);
        var late = DispatchExecution.RecordOutcome(Started(Accepted(), 1), route, 1, Answer(429, retryAfter: TimeSpan.FromHours(1)), T0, 0.5);

        Assert.Equal(T0.AddSeconds(7), soon.RetryAt);
        Assert.Equal(T0.AddSeconds(30), late.RetryAt);
    }

    [Fact]
    public void error_rules_match_in_order_on_status_and_body()
    {
        var route = Route with
        {
            ErrorRules =
            [
                new ErrorRule(BodyContains: "DUPLICATE", Action: "ignore"),
                new ErrorRule([500], Action: "fail", FailureType: "rejected"),
                new ErrorRule(BodyContains: "\"s\":false", Action: "fail")
            ]
        };

        Assert.IsType<DispatchOutcome.Succeeded>(DispatchOutcome.Classify(route, Answer(409, "DUPLICATE order")));
        Assert.Equal(FailureType.Rejected, Assert.IsType<DispatchOutcome.Failed>(DispatchOutcome.Classify(route, Answer(500))).Type);
        Assert.IsType<DispatchOutcome.Failed>(DispatchOutcome.Classify(route, Answer(201, "{\"s\":false}")));
        Assert.IsType<DispatchOutcome.Succeeded>(DispatchOutcome.Classify(route, Answer(201, "{\"s\":true}")));
    }

    [Fact]
    public void the_last_allowed_attempt_dead_letters_instead_of_retrying()
    {
        var route = Route with { Backoff = new Backoff(MaxAttempts: 3) };

        var record = DispatchExecution.RecordOutcome(Started(Accepted(), 3), route, 3, Answer(503), T0, 0.5);

        var dead = Assert.IsType<DispatchDeadLettered>(record.Events[^1]);
        Assert.Contains("3 attempt", dead.Reason);
        Assert.Null(record.RetryAt);
    }

    [Fact]
    public void a_retry_beyond_the_time_budget_dead_letters()
    {
        var route = Route with { Backoff = new Backoff("fixed", "PT1M", 10, "PT2M", Jitter: false) };

        var record = DispatchExecution.RecordOutcome(Started(Accepted(), 1), route, 1, Answer(503), T0.AddSeconds(90), 0.5);

        Assert.Contains("budget", Assert.IsType<DispatchDeadLettered>(record.Events[^1]).Reason);
    }

    [Fact]
    public void a_timed_out_write_is_outcome_unknown_but_a_timed_out_read_is_retried()
    {
        var timeout = new ProviderCallResult.Unreachable("no answer within 10 s", 10_000, TimedOut: true);
        var refused = new ProviderCallResult.Unreachable("ConnectionError", 3);
        var read = Route with { Request = new RequestTemplate("GET", "/orders", Body: null) };

        Assert.IsType<DispatchOutcome.Unknown>(DispatchOutcome.Classify(Route, timeout));
        Assert.IsType<DispatchOutcome.Retry>(DispatchOutcome.Classify(Route, refused));
        Assert.IsType<DispatchOutcome.Retry>(DispatchOutcome.Classify(read, timeout));

        var record = DispatchExecution.RecordOutcome(Started(Accepted(), 1), Route, 1, timeout, T0, 0.5);
        Assert.Equal(DispatchStatus.OutcomeUnknown, Replay(Started(Accepted(), 1), record.Events).Status);
    }

    [Fact]
    public void only_the_next_attempt_runs_and_an_unfinished_one_is_recovered()
    {
        var accepted = Accepted();
        var started = Started(accepted, 1);

        Assert.Equal(Admission.Attempt, DispatchExecution.Admit(accepted, 1));
        Assert.Equal(Admission.Skip, DispatchExecution.Admit(accepted, 2));
        Assert.Equal(Admission.RecoverInterrupted, DispatchExecution.Admit(started, 1));
        Assert.Equal(Admission.Skip, DispatchExecution.Admit(started with { Status = DispatchStatus.Succeeded }, 2));

        var recovered = DispatchExecution.RecordInterruption(started, Route with { Backoff = new Backoff(Jitter: false) }, T0, 0.5);
        Assert.IsType<DispatchAttemptInterrupted>(recovered.Events[0]);
        Assert.Equal(2, recovered.NextAttempt);
        Assert.Equal(T0.AddSeconds(1), recovered.RetryAt);
    }

    [Fact]
    public void a_render_failure_fails_without_an_attempt()
    {
        var dispatch = Accepted();
        var events = DispatchExecution.RecordRenderFailure(dispatch, new TemplateException("request.path", "'payload.id' has no value."), T0).Events;

        var after = Replay(dispatch, events);
        Assert.Equal(DispatchStatus.Failed, after.Status);
        Assert.Equal(FailureType.Render, after.FailureType);
        Assert.Equal(0, after.Attempts);
        Assert.Equal("request.path: 'payload.id' has no value.", after.FailureReason);
    }
}

public sealed class DispatchCommandTests
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 22, 10, 0, 0, TimeSpan.Zero);

    private static Dispatch WithStatus(DispatchStatus status) => Dispatch.Start(new DispatchRequested(Guid.NewGuid(), "29", "acme",
        "orders.push", 1, ProviderEnvironment.Sandbox, JsonDocument.Parse("{}").RootElement, T0)) with { Status = status, Attempts = 3 };

    [Theory]
    [InlineData(DispatchStatus.Failed)]
    [InlineData(DispatchStatus.DeadLettered)]
    [InlineData(DispatchStatus.OutcomeUnknown)]
    [InlineData(DispatchStatus.Cancelled)]
    public void unsuccessful_dispatches_replay_as_a_new_run(DispatchStatus status)
    {
        var dispatch = WithStatus(status);

        var decision = Assert.IsType<Decision.Append>(DispatchCommands.Replay(dispatch, "current", 4, "fixed", T0.AddHours(1)));
        var replayed = dispatch.After((DispatchReplayRequested)Assert.Single(decision.Events));

        Assert.Equal(DispatchStatus.Accepted, replayed.Status);
        Assert.Equal(4, replayed.RouteVersion);
        Assert.Equal(3, replayed.AttemptsBeforeRun);
        Assert.Equal(T0.AddHours(1), replayed.RunStartedAt);
        Assert.Equal(Admission.Attempt, DispatchExecution.Admit(replayed, 4));
    }

    [Theory]
    [InlineData(DispatchStatus.Succeeded)]
    [InlineData(DispatchStatus.Accepted)]
    [InlineData(DispatchStatus.RetryScheduled)]
    [InlineData(DispatchStatus.InProgress)]
    public void successful_or_running_dispatches_are_not_replayed(DispatchStatus status) =>
        Assert.IsType<Decision.Conflict>(DispatchCommands.Replay(WithStatus(status), "pinned", 1, "again", T0));

    [Fact]
    public void a_replayed_run_gets_its_own_attempt_budget()
    {
        var route = new RouteDefinition("http", new RequestTemplate("POST", "/o"), Backoff: new Backoff(MaxAttempts: 2, Jitter: false));
        var replayed = WithStatus(DispatchStatus.DeadLettered)
            .After(new DispatchReplayRequested(Guid.Empty, 1, "pinned", "again", T0.AddHours(1)));

        var first = DispatchExecution.RecordOutcome(replayed, route, 4, new ProviderCallResult.Responded(503, "", false, "", 1), T0.AddHours(1), 0.5);
        var second = DispatchExecution.RecordOutcome(replayed, route, 5, new ProviderCallResult.Responded(503, "", false, "", 1), T0.AddHours(1), 0.5);

        Assert.IsType<DispatchRetryScheduled>(first.Events[^1]);
        Assert.IsType<DispatchDeadLettered>(second.Events[^1]);
    }

    [Theory]
    [InlineData(DispatchStatus.Accepted, true)]
    [InlineData(DispatchStatus.RetryScheduled, true)]
    [InlineData(DispatchStatus.InProgress, false)]
    [InlineData(DispatchStatus.Succeeded, false)]
    public void only_waiting_dispatches_can_be_cancelled(DispatchStatus status, bool cancellable) =>
        Assert.Equal(cancellable, DispatchCommands.Cancel(WithStatus(status), "void", T0) is Decision.Append);
}

public sealed class PayloadBoundsTests
{
    private static JsonElement Json(string text) => JsonDocument.Parse(text).RootElement;

    [Fact]
    public void an_ordinary_payload_is_within_bounds() =>
        Assert.Null(PayloadBounds.Check(Json("""{"order":{"lines":[{"sku":"KOPI","qty":2}]},"note":"x"}""")));

    [Fact]
    public void the_first_breach_is_named_by_its_path()
    {
        var longString = JsonSerializer.Serialize(new { order = new { lines = new[] { new { note = new string('x', PayloadBounds.MaxStringLength + 1) } } } });
        var wide = "{" + string.Join(",", Enumerable.Range(0, PayloadBounds.MaxProperties + 1).Select(i => $"\"p{i}\":1")) + "}";

        Assert.Equal(new FieldError("payload.order.lines[0].note", "too_long", $"at most {PayloadBounds.MaxStringLength} characters"),
            PayloadBounds.Check(Json(longString)));
        Assert.Equal("too_many_properties", PayloadBounds.Check(Json(wide))!.Issue);
    }
}
