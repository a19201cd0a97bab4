using System.Text.Json;
using RaffsSync.Domain.Webhooks;

namespace RaffsSync.Domain.Tests;

public sealed class WebhookSignatureTests
{
    [Fact]
    public void signs_the_standard_webhooks_example_as_the_spec_does()
    {
        // The example of the Standard Webhooks specification (its test vector): secret, id, timestamp, body and signature.
        var signature = WebhookSignature.Sign("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", "msg_p5jXN8AQM9LWM0D4loKWxJek", 1614265330,
            """{"test": 2432232314}""");
        Assert.Equal("v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=", signature);
    }

    [Fact]
    public void during_a_rotation_the_header_lists_one_signature_per_secret()
    {
        string[] secrets = [WebhookSignature.NewSecret(), WebhookSignature.NewSecret()];
        var header = WebhookSignature.Header(secrets, "msg_1", 1700000000, "{}");
        Assert.Equal(secrets.Select(s => WebhookSignature.Sign(s, "msg_1", 1700000000, "{}")), header.Split(' '));
    }

    [Fact]
    public void secrets_are_whsec_and_24_to_64_random_bytes()
    {
        var secret = WebhookSignature.NewSecret();
        Assert.StartsWith("whsec_", secret);
        Assert.InRange(WebhookSignature.KeyOf(secret).Length, 24, 64);
        Assert.NotEqual(secret, WebhookSignature.NewSecret());
        Assert.Throws<ArgumentException>(() => WebhookSignature.KeyOf("MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"));
    }
}

public sealed class WebhookRetryScheduleTests
{
    private static readonly WebhookRetrySchedule Schedule = WebhookRetrySchedule.Default;

    [Fact]
    public void the_default_schedule_is_5s_5m_30m_2h_5h_10h_10h_after_an_immediate_first_attempt()
    {
        Assert.Equal(8, Schedule.MaxAttempts);
        TimeSpan[] expected = [TimeSpan.FromSeconds(5), TimeSpan.FromMinutes(5), TimeSpan.FromMinutes(30), TimeSpan.FromHours(2),
            TimeSpan.FromHours(5), TimeSpan.FromHours(10), TimeSpan.FromHours(10)];
        Assert.Equal(expected, Enumerable.Range(1, 7).Select(attempt => Schedule.After(attempt, 0.5)!.Value));
        Assert.Null(Schedule.After(8, 0.5));
    }

    [Theory]
    [InlineData(0.0, 0.9)]
    [InlineData(0.999999, 1.1)]
    public void jitter_moves_a_wait_by_at_most_a_tenth(double sample, double factor) =>
        Assert.Equal(TimeSpan.FromMinutes(5).TotalSeconds * factor, Schedule.After(2, sample)!.Value.TotalSeconds, 2);

    [Fact]
    public void retry_after_waits_longer_than_the_schedule_but_never_past_the_cap()
    {
        Assert.Equal(TimeSpan.FromMinutes(1), Schedule.After(1, 0.5, TimeSpan.FromMinutes(1)));
        Assert.Equal(TimeSpan.FromMinutes(5), Schedule.After(2, 0.5, TimeSpan.FromSeconds(1))); // shorter than the schedule: the schedule
        Assert.Equal(Schedule.RetryAfterCap, Schedule.After(1, 0.5, TimeSpan.FromDays(3)));
    }
}

public sealed class WebhookDeliveryDecisionTests
{
    private static readonly DateTimeOffset Now = new(2026, 12, 2, 10, 0, 0, TimeSpan.Zero);
    private static readonly WebhookRetrySchedule Schedule = new([TimeSpan.FromSeconds(5), TimeSpan.FromMinutes(5)], TimeSpan.FromHours(1));

    private static WebhookDelivery Delivery(params IWebhookDeliveryEvent[] more)
    {
        var id = Guid.NewGuid();
        var delivery = WebhookDelivery.Start(new WebhookDeliveryCreated(id, "msg_1", Guid.NewGuid(), "cus_1", "29", "webhook.test", "{}", 1, Now));
        return more.Aggregate(delivery, (d, e) => d.After(e));
    }

    private static WebhookAttemptRecord Record(WebhookDelivery delivery, int attempt, int? status, TimeSpan? retryAfter = null) =>
        WebhookDeliveryDecisions.RecordAttempt(delivery, attempt,
            status is { } s ? new WebhookAttemptResult.Answered(s, "", false, retryAfter, 12) : new WebhookAttemptResult.NoAnswer("refused", 3),
            Schedule, Now, 0.5);

    [Theory]
    [InlineData(200)]
    [InlineData(204)]
    [InlineData(299)]
    public void any_2xx_is_delivered(int status)
    {
        var record = Record(Delivery(), 1, status);
        Assert.True(record.Succeeded);
        Assert.True(record.IsFinal);
        Assert.Equal(WebhookDeliveryStatus.Succeeded, record.Events.Aggregate(Delivery(), (d, e) => d.After(e)).Status);
    }

    [Theory]
    [InlineData(301)]
    [InlineData(302)]
    [InlineData(400)]
    [InlineData(500)]
    [InlineData(null)]
    public void redirects_errors_and_no_answer_are_retried(int? status)
    {
        var record = Record(Delivery(), 1, status);
        Assert.False(record.Succeeded);
        Assert.Equal(Now + TimeSpan.FromSeconds(5), record.RetryAt);
        Assert.IsType<WebhookRetryScheduled>(record.Events[^1]);
    }

    [Fact]
    public void a_410_fails_the_message_and_says_the_endpoint_is_gone()
    {
        var record = Record(Delivery(), 1, 410);
        Assert.True(record.EndpointGone);
        Assert.True(record.IsFinal);
        Assert.IsType<WebhookDeliveryFailed>(record.Events[^1]);
    }

    [Fact]
    public void an_address_webhooks_may_not_reach_fails_the_message_at_once()
    {
        var record = WebhookDeliveryDecisions.RecordAttempt(Delivery(), 1,
            new WebhookAttemptResult.Refused("egress to 10.0.0.1 is not allowed", 1), Schedule, Now, 0.5);
        Assert.True(record.IsFinal);
        Assert.False(record.EndpointGone);
        Assert.Equal("egress to 10.0.0.1 is not allowed", Assert.IsType<WebhookDeliveryFailed>(record.Events[^1]).Reason);
    }

    [Fact]
    public void retry_after_counts_only_on_429_and_503()
    {
        Assert.Equal(Now + TimeSpan.FromMinutes(2), Record(Delivery(), 1, 429, TimeSpan.FromMinutes(2)).RetryAt);
        Assert.Equal(Now + TimeSpan.FromMinutes(2), Record(Delivery(), 1, 503, TimeSpan.FromMinutes(2)).RetryAt);
        Assert.Equal(Now + TimeSpan.FromSeconds(5), Record(Delivery(), 1, 500, TimeSpan.FromMinutes(2)).RetryAt);
    }

    [Fact]
    public void the_last_attempt_of_a_run_fails_the_message_and_a_resend_starts_a_new_run()
    {
        var delivery = Delivery(new WebhookAttempted(Guid.Empty, 1, 500, 1, "", false, null, Now), new WebhookAttempted(Guid.Empty, 2, 500, 1, "", false, null, Now));
        var last = Record(delivery, 3, 500);
        Assert.True(last.IsFinal);
        Assert.Contains("all 3 attempts failed", Assert.IsType<WebhookDeliveryFailed>(last.Events[^1]).Reason);

        var failed = last.Events.Aggregate(delivery, (d, e) => d.After(e));
        var resent = failed.After(new WebhookDeliveryResent(failed.Id, "retry", null, Now));
        Assert.Equal(WebhookDeliveryStatus.Pending, resent.Status);
        Assert.True(WebhookDeliveryDecisions.IsDue(resent, 4));
        Assert.False(WebhookDeliveryDecisions.IsDue(resent, 3));
        Assert.Equal(Now + TimeSpan.FromSeconds(5), Record(resent, 4, 500).RetryAt);
    }

    [Fact]
    public void only_the_next_attempt_of_an_unfinished_message_is_due()
    {
        var delivery = Delivery();
        Assert.True(WebhookDeliveryDecisions.IsDue(delivery, 1));
        Assert.False(WebhookDeliveryDecisions.IsDue(delivery, 2));
        var done = Record(delivery, 1, 200).Events.Aggregate(delivery, (d, e) => d.After(e));
        Assert.False(WebhookDeliveryDecisions.IsDue(done, 2));
    }
}

public sealed class EndpointHealthTests
{
    private static readonly DateTimeOffset Start = new(2026, 12, 1, 0, 0, 0, TimeSpan.Zero);
    private static readonly HealthRule Rule = HealthRule.Default;

    private static EndpointHealth FailAt(EndpointHealth health, params double[] hours) =>
        hours.Aggregate(health, (h, hour) => h.Failed(Start.AddHours(hour), Rule));

    [Fact]
    public void an_endpoint_failing_every_attempt_for_five_days_is_disabled()
    {
        var health = FailAt(new EndpointHealth(), 0, 1, 2);
        Assert.Equal(Start, health.FailingSince);
        Assert.False(health.ShouldDisable(Start.AddDays(5).AddMinutes(-1), Rule));
        Assert.True(health.ShouldDisable(Start.AddDays(5), Rule));
    }

    [Fact]
    public void scattered_failures_do_not_start_the_clock()
    {
        var health = FailAt(new EndpointHealth(), 0, 25, 50, 75); // one a day
        Assert.Null(health.FailingSince);
        Assert.False(health.ShouldDisable(Start.AddDays(10), Rule));
    }

    [Fact]
    public void a_success_forgives_every_failure_before_it()
    {
        var health = FailAt(new EndpointHealth(), 0, 1, 2).Succeeded(Start.AddDays(4));
        Assert.Null(health.FailingSince);
        Assert.False(FailAt(health, 97).ShouldDisable(Start.AddDays(6), Rule));
    }
}

public sealed class WebhookMessageTests
{
    private static readonly DateTimeOffset Now = new(2026, 12, 2, 10, 0, 0, 123, TimeSpan.Zero);

    [Fact]
    public void the_body_is_type_timestamp_and_data()
    {
        var body = JsonDocument.Parse(WebhookMessage.Compose("dispatch.succeeded", Now, JsonDocument.Parse("""{"a":1}""").RootElement)).RootElement;
        Assert.Equal("dispatch.succeeded", body.GetProperty("type").GetString());
        Assert.Equal("2026-12-02T10:00:00.123Z", body.GetProperty("timestamp").GetString());
        Assert.Equal(1, body.GetProperty("data").GetProperty("a").GetInt32());
    }

    [Fact]
    public void a_delivery_is_created_at_a_whole_microsecond_as_postgresql_stores_it()
    {
        var endpoint = WebhookEndpoint.Create(new WebhookEndpointCreated(Guid.NewGuid(), "cus_1", "https://hooks.example", null, ["*"], [], true,
            false, null, "f", Now));
        var created = WebhookMessage.Deliver(endpoint, "29", "webhook.test", JsonDocument.Parse("{}").RootElement, 0, Now.AddTicks(7));
        Assert.Equal(0, created.CreatedAt.Ticks % 10);
        Assert.Equal(Now, created.CreatedAt);
    }

    [Fact]
    public void an_endpoint_receives_what_happens_after_it_is_made_not_history()
    {
        var endpoint = WebhookEndpoint.Create(new WebhookEndpointCreated(Guid.NewGuid(), "cus_1", "https://hooks.example", null, ["*"], [], true,
            false, null, "f", Now));
        Assert.True(endpoint.ExistedAt(Now.AddSeconds(1)));
        Assert.True(endpoint.ExistedAt(Now.AddSeconds(-30))); // another clock, a little behind
        Assert.False(endpoint.ExistedAt(Now.AddHours(-1)));
    }

    [Fact]
    public void data_over_the_size_cap_is_replaced_by_its_size()
    {
        var large = JsonSerializer.SerializeToElement(new { text = new string('x', 2000) });
        var body = JsonDocument.Parse(WebhookMessage.Compose("x.y", Now, large, maxBytes: 1000)).RootElement;
        Assert.True(body.GetProperty("data").GetProperty("truncated").GetBoolean());
        Assert.True(body.GetProperty("data").GetProperty("size_bytes").GetInt32() > 2000);
    }

    [Theory]
    [InlineData("dispatch.succeeded", "dispatch.succeeded", true)]
    [InlineData("dispatch.*", "dispatch.failed", true)]
    [InlineData("dispatch.*", "dispatchx.failed", false)]
    [InlineData("grafterr.*", "grafterr.pos_order.created", true)]
    [InlineData("*", "route.changed", true)]
    [InlineData("dispatch.succeeded", "dispatch.failed", false)]
    public void endpoints_choose_types_exactly_or_by_prefix(string pattern, string type, bool matches) =>
        Assert.Equal(matches, WebhookEventTypes.Matches(pattern, type));

    [Theory]
    [InlineData("dispatch.succeeded", true)]
    [InlineData("grafterr.pos_order.created", true)]
    [InlineData("dispatch.*", true)]
    [InlineData("*", true)]
    [InlineData("", false)]
    [InlineData("dispatch..x", false)]
    [InlineData("dispatch.*.x", false)]
    [InlineData("dis patch", false)]
    public void patterns_are_checked(string pattern, bool valid) => Assert.Equal(valid, WebhookEventTypes.IsValidPattern(pattern));
}
