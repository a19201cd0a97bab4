using System.Text.Json;
using Alba;
using Marten;
using Microsoft.Extensions.DependencyInjection;
using RaffsSync.Api.Tests.Harness;
using RaffsSync.Domain.Registry;
using RaffsSync.Domain.Webhooks;

namespace RaffsSync.Api.Tests.Webhooks;

/// <summary>
/// Deliveries from the outside: a real receiver on loopback checks every signature with its own Standard Webhooks code;
/// retries run on a schedule of fractions of a second and are checked in the recorded events, not the clock.
/// </summary>
[Collection(WebhookDeliveryCollection.Name)]
public sealed class WebhookDeliveryTests(WebhookDeliveryFixture fixture) : ApiTest(fixture)
{
    private static readonly TimeSpan[] Schedule =
        WebhookDeliveryFixture.Schedule.Split(',').Select(System.Xml.XmlConvert.ToTimeSpan).ToArray();

    private async Task<(string Key, string Customer, string Location)> CustomerAsync(string location)
    {
        var key = await Fixture.CreateKeyAsync();
        var (customer, tenant) = await CustomerWithLocationAsync(key, location);
        return (key, customer, tenant);
    }

    private Task<(Guid Id, string Secret)> EndpointAsync(string customer, string url, string[] eventTypes, bool ordered = false, int? rateLimit = null) =>
        Host.CreateEndpointAsync(customer, url, eventTypes, ordered, rateLimit);

    private async Task<LoopbackProvider> ProviderAsync(string key)
    {
        var provider = await LoopbackProvider.StartAsync();
        await Fixture.RegisterProviderAsync(key, provider.BaseUrl, ("orders", new RouteDefinition("http", new RequestTemplate("POST", "/orders"),
            Backoff: new Backoff("fixed", "PT0.1S", 1, "PT1M"))));
        return provider;
    }

    private async Task<Guid> DispatchAsync(string key, string location, string provider, string? requestId = null)
    {
        var accepted = await Host.Scenario(PostDispatch(key, new { tenant_id = location, provider, route_key = "orders", payload = new { n = 1 } }, requestId));
        Assert.Equal(202, accepted.Context.Response.StatusCode);
        var body = await accepted.ReadAsJsonAsync<JsonElement>();
        await WaitForStatusAsync(body.GetProperty("location").GetString()!, key, "succeeded", "failed", "dead_lettered");
        return body.GetProperty("id").GetGuid();
    }

    private async Task<IReadOnlyList<object>> DeliveryEventsAsync(Guid deliveryId, string? tenant)
    {
        await using var session = Fixture.Store.QuerySession(tenant ?? JasperFx.StorageConstants.DefaultTenantId);
        return (await session.Events.FetchStreamAsync(deliveryId)).Select(e => e.Data).ToList();
    }

    private Task<WebhookDelivery> WaitForDeliveryAsync(string messageId, params WebhookDeliveryStatus[] statuses) =>
        Host.WaitForDeliveryAsync(messageId, statuses);

    private Task<(Guid Delivery, string Message)> SendTestAsync(string key, Guid endpoint) => Host.SendTestMessageAsync(key, endpoint);

    [Fact]
    public async Task a_succeeded_dispatch_reaches_the_endpoint_signed_with_the_request_id_carried_throughout()
    {
        var (key, customer, location) = await CustomerAsync("wh-success");
        await using var provider = await ProviderAsync("wh-success-pos");
        await using var receiver = await WebhookReceiver.StartAsync();
        var (_, secret) = await EndpointAsync(customer, receiver.Url, ["dispatch.*"]);

        var dispatchId = await DispatchAsync(key, location, "wh-success-pos", requestId: "req-webhook-1");
        await Eventually.UntilAsync(() => receiver.Received.Count > 0, "the dispatch.succeeded message");

        var message = Assert.Single(receiver.Received);
        Assert.True(StandardWebhooks.Verify(secret, message), "the receiver's own Standard Webhooks check refused the signature");
        Assert.False(StandardWebhooks.Verify(WebhookSignature.NewSecret(), message), "another secret verified the message");
        Assert.StartsWith("msg_", message.Id);
        Assert.Equal("dispatch.succeeded", message.Type);
        Assert.Equal(dispatchId, message.Data.GetProperty("dispatch_id").GetGuid());
        Assert.Equal(location, message.Data.GetProperty("tenant_id").GetString());
        Assert.Equal("wh-success-pos", message.Data.GetProperty("provider").GetString());
        Assert.Equal("succeeded", message.Data.GetProperty("status").GetString());

        var delivery = await WaitForDeliveryAsync(message.Id, WebhookDeliveryStatus.Succeeded);
        Assert.Equal(location, delivery.TenantId);
        await using var session = Fixture.Store.QuerySession(location);
        var deliveryEvents = await session.Events.FetchStreamAsync(delivery.Id);
        var dispatchEvents = await session.Events.FetchStreamAsync(dispatchId);
        Assert.All(dispatchEvents.Concat(deliveryEvents), e => Assert.Equal("req-webhook-1", e.CorrelationId));
    }

    [Fact]
    public async Task failed_attempts_are_retried_on_the_schedule_with_one_webhook_id_and_retry_after_honoured()
    {
        var (key, customer, _) = await CustomerAsync("wh-retry");
        await using var receiver = await WebhookReceiver.StartAsync();
        var (endpoint, secret) = await EndpointAsync(customer, receiver.Url, ["webhook.test"]);
        var answers = new Queue<(int, IReadOnlyDictionary<string, string>?)>(
            [(500, null), (503, new Dictionary<string, string> { ["Retry-After"] = "1" }), (200, null)]);
        receiver.Answer = _ => answers.TryDequeue(out var next) ? next : (200, null);

        var (deliveryId, messageId) = await SendTestAsync(key, endpoint);
        var delivery = await WaitForDeliveryAsync(messageId, WebhookDeliveryStatus.Succeeded, WebhookDeliveryStatus.Failed);

        Assert.Equal(WebhookDeliveryStatus.Succeeded, delivery.Status);
        Assert.Equal(3, receiver.Received.Count);
        Assert.All(receiver.Received, m => Assert.Equal(messageId, m.Id));
        Assert.All(receiver.Received, m => Assert.True(StandardWebhooks.Verify(secret, m)));
        Assert.Single(receiver.Received.Select(m => m.Body).Distinct());

        var events = await DeliveryEventsAsync(deliveryId, null);
        var retries = events.OfType<WebhookRetryScheduled>().ToList();
        Assert.Equal([1, 2], retries.Select(r => r.Attempt));
        // The first wait is the schedule's, within a tenth either way; the 503's Retry-After (1 s) is longer than the second wait (0.6 s).
        var first = retries[0].NextAttemptAt - retries[0].ScheduledAt;
        Assert.InRange(first, Schedule[0] * 0.9, Schedule[0] * 1.1);
        Assert.Equal(TimeSpan.FromSeconds(1), retries[1].NextAttemptAt - retries[1].ScheduledAt);
        var attempts = events.OfType<WebhookAttempted>().ToList();
        Assert.Equal([500, 503, 200], attempts.Select(a => a.StatusCode));
        Assert.True(attempts[1].AttemptedAt >= retries[0].NextAttemptAt, "attempt 2 went out before its time");
        Assert.True(attempts[2].AttemptedAt >= retries[1].NextAttemptAt, "attempt 3 went out before its time");
        Assert.IsType<WebhookDelivered>(events[^1]);
    }

    [Fact]
    public async Task a_message_whose_every_attempt_fails_ends_failed_after_the_whole_schedule()
    {
        var (key, customer, _) = await CustomerAsync("wh-exhaust");
        await using var receiver = await WebhookReceiver.StartAsync();
        var (endpoint, _) = await EndpointAsync(customer, receiver.Url, ["webhook.test"]);
        receiver.Answer = _ => (500, null);

        var (deliveryId, messageId) = await SendTestAsync(key, endpoint);
        var delivery = await WaitForDeliveryAsync(messageId, WebhookDeliveryStatus.Failed, WebhookDeliveryStatus.Succeeded);

        Assert.Equal(WebhookDeliveryStatus.Failed, delivery.Status);
        Assert.Equal(Schedule.Length + 1, delivery.Attempts);
        Assert.Equal(Schedule.Length + 1, receiver.Received.Count);
        var failed = Assert.IsType<WebhookDeliveryFailed>((await DeliveryEventsAsync(deliveryId, null))[^1]);
        Assert.Contains("500", failed.Reason);
    }

    [Fact]
    public async Task a_410_disables_the_endpoint_at_once_and_the_customers_other_endpoints_are_told()
    {
        var (key, customer, _) = await CustomerAsync("wh-gone");
        await using var gone = await WebhookReceiver.StartAsync();
        await using var operations = await WebhookReceiver.StartAsync();
        var (goneEndpoint, _) = await EndpointAsync(customer, gone.Url, ["webhook.test"]);
        var (_, operationsSecret) = await EndpointAsync(customer, operations.Url, ["webhook.endpoint.disabled"]);
        gone.Answer = _ => (410, null);

        var (_, messageId) = await SendTestAsync(key, goneEndpoint);
        await WaitForDeliveryAsync(messageId, WebhookDeliveryStatus.Failed);
        Assert.Single(gone.Received); // no retries after 410

        var view = await Host.GetAsJson<JsonElement>($"/api/v1/webhooks/endpoints/{goneEndpoint}/deliveries", key);
        Assert.Equal("failed", view.GetProperty("data")[0].GetProperty("status").GetString());
        await Eventually.UntilAsync(() => operations.Received.Count > 0, "webhook.endpoint.disabled at the other endpoint");
        var notice = Assert.Single(operations.Received);
        Assert.True(StandardWebhooks.Verify(operationsSecret, notice));
        Assert.Equal("webhook.endpoint.disabled", notice.Type);
        Assert.Equal(goneEndpoint, notice.Data.GetProperty("endpoint_id").GetGuid());
        Assert.Contains("410", notice.Data.GetProperty("reason").GetString());

        await using var session = Fixture.Store.QuerySession();
        Assert.False((await session.LoadAsync<WebhookEndpoint>(goneEndpoint))!.Enabled);
        var refused = await CallAsync(key, s => { s.Post.Url($"/api/v1/webhooks/endpoints/{goneEndpoint}/test"); s.StatusCodeShouldBe(409); });
        Assert.Equal("conflict", (await refused.ReadAsJsonAsync<JsonElement>()).GetProperty("code").GetString());
    }

    [Fact]
    public async Task recovery_sends_again_exactly_the_failed_messages_of_the_window()
    {
        var (key, customer, _) = await CustomerAsync("wh-recover");
        await using var receiver = await WebhookReceiver.StartAsync();
        var (endpoint, _) = await EndpointAsync(customer, receiver.Url, ["webhook.test"]);
        var since = DateTimeOffset.UtcNow.AddSeconds(-1);

        receiver.Answer = _ => (500, null);
        var (_, failedA) = await SendTestAsync(key, endpoint);
        var (_, failedB) = await SendTestAsync(key, endpoint);
        await WaitForDeliveryAsync(failedA, WebhookDeliveryStatus.Failed);
        await WaitForDeliveryAsync(failedB, WebhookDeliveryStatus.Failed);
        receiver.Answer = _ => (200, null);
        var (_, succeeded) = await SendTestAsync(key, endpoint);
        await WaitForDeliveryAsync(succeeded, WebhookDeliveryStatus.Succeeded);
        var before = receiver.Received.GroupBy(m => m.Id).ToDictionary(g => g.Key, g => g.Count());

        var started = await CallAsync(key, s => s.Post.Json(new { since }).ToUrl($"/api/v1/webhooks/endpoints/{endpoint}/recover"));
        Assert.Equal(202, started.Context.Response.StatusCode);
        var location = started.Context.Response.Headers.Location.ToString();
        await Eventually.UntilAsync(async () =>
            (await Host.GetAsJson<JsonElement>(location, key)).GetProperty("status").GetString() == "completed", "the recovery to complete");
        Assert.Equal(2, (await Host.GetAsJson<JsonElement>(location, key)).GetProperty("resent").GetInt32());

        await WaitForDeliveryAsync(failedA, WebhookDeliveryStatus.Succeeded);
        await WaitForDeliveryAsync(failedB, WebhookDeliveryStatus.Succeeded);
        var after = receiver.Received.GroupBy(m => m.Id).ToDictionary(g => g.Key, g => g.Count());
        Assert.Equal(before[failedA] + 1, after[failedA]);
        Assert.Equal(before[failedB] + 1, after[failedB]);
        Assert.Equal(before[succeeded], after[succeeded]);
    }

    [Fact]
    public async Task an_ordered_endpoint_gets_messages_in_event_order_while_one_is_retried()
    {
        var (key, customer, location) = await CustomerAsync("wh-ordered");
        await using var provider = await ProviderAsync("wh-ordered-pos");
        await using var receiver = await WebhookReceiver.StartAsync();
        await EndpointAsync(customer, receiver.Url, ["dispatch.succeeded"], ordered: true);
        var failuresLeft = 2;
        receiver.Answer = m => Interlocked.Decrement(ref failuresLeft) >= 0 ? (500, null) : (200, null);

        var dispatches = new List<Guid>();
        for (var i = 0; i < 4; i++) dispatches.Add(await DispatchAsync(key, location, "wh-ordered-pos"));
        await Eventually.UntilAsync(() => receiver.Received.Select(m => m.Id).Distinct().Count() == 4 && receiver.Received.Count == 6,
            "four messages, the first tried three times");

        var order = receiver.Received.Select(m => m.Data.GetProperty("dispatch_id").GetGuid()).ToList();
        Assert.Equal([dispatches[0], dispatches[0], dispatches[0], dispatches[1], dispatches[2], dispatches[3]], order);
    }

    [Fact]
    public async Task deliveries_are_their_customers_alone()
    {
        var (key, customer, _) = await CustomerAsync("wh-mine");
        await using var receiver = await WebhookReceiver.StartAsync();
        var (endpoint, _) = await EndpointAsync(customer, receiver.Url, ["webhook.test"]);
        var (deliveryId, messageId) = await SendTestAsync(key, endpoint);
        await WaitForDeliveryAsync(messageId, WebhookDeliveryStatus.Succeeded);

        var mine = await Fixture.CreateKeyAsync(Domain.Access.CallerClass.Customer, customerId: customer);
        var (_, other, _) = await CustomerAsync("wh-theirs");
        var theirs = await Fixture.CreateKeyAsync(Domain.Access.CallerClass.Customer, customerId: other);

        var detail = await Host.GetAsJson<JsonElement>($"/api/v1/webhooks/deliveries/{deliveryId}", mine);
        Assert.Equal(messageId, detail.GetProperty("delivery").GetProperty("message_id").GetString());
        Assert.Equal("webhook.test", detail.GetProperty("payload").GetProperty("type").GetString());
        Assert.Equal(200, detail.GetProperty("attempt_log")[0].GetProperty("status_code").GetInt32());

        foreach (var url in new[]
                 {
                     $"/api/v1/webhooks/deliveries/{deliveryId}", $"/api/v1/webhooks/endpoints/{endpoint}/deliveries"
                 })
            await CallAsync(theirs, s => { s.Get.Url(url); s.StatusCodeShouldBe(404); });
        await CallAsync(theirs, s => { s.Post.Url($"/api/v1/webhooks/deliveries/{deliveryId}/retry"); s.StatusCodeShouldBe(404); });
        await CallAsync(theirs, s => { s.Post.Url($"/api/v1/webhooks/endpoints/{endpoint}/test"); s.StatusCodeShouldBe(404); });
    }

    [Fact]
    public async Task the_delivery_log_pages_by_cursor_newest_first_and_filters()
    {
        var (key, customer, _) = await CustomerAsync("wh-log");
        await using var receiver = await WebhookReceiver.StartAsync();
        var (endpoint, _) = await EndpointAsync(customer, receiver.Url, ["webhook.test"]);
        var sent = new List<string>();
        for (var i = 0; i < 5; i++) sent.Add((await SendTestAsync(key, endpoint)).Message);
        foreach (var id in sent) await WaitForDeliveryAsync(id, WebhookDeliveryStatus.Succeeded);

        var seen = new List<string>();
        var url = $"/api/v1/webhooks/endpoints/{endpoint}/deliveries?limit=2";
        for (var pages = 0; pages < 10; pages++)
        {
            var page = await Host.GetAsJson<JsonElement>(url, key);
            seen.AddRange(page.GetProperty("data").EnumerateArray().Select(d => d.GetProperty("message_id").GetString()!));
            if (!page.GetProperty("has_more").GetBoolean()) break;
            url = $"/api/v1/webhooks/endpoints/{endpoint}/deliveries?limit=2&cursor={page.GetProperty("next_cursor").GetString()}";
        }
        Assert.Equal(Enumerable.Reverse(sent), seen);

        var failedOnly = await Host.GetAsJson<JsonElement>($"/api/v1/webhooks/endpoints/{endpoint}/deliveries?status=failed", key);
        Assert.Equal(0, failedOnly.GetProperty("data").GetArrayLength());
        await CallAsync(key, s => { s.Get.Url($"/api/v1/webhooks/endpoints/{endpoint}/deliveries?colour=red"); s.StatusCodeShouldBe(400); });
        await CallAsync(key, s => { s.Get.Url($"/api/v1/webhooks/endpoints/{endpoint}/deliveries?cursor=nonsense"); s.StatusCodeShouldBe(400); });
    }

    [Fact]
    public async Task an_endpoints_rate_limit_spreads_its_deliveries_out()
    {
        var (key, customer, _) = await CustomerAsync("wh-rate");
        await using var receiver = await WebhookReceiver.StartAsync();
        var (endpoint, _) = await EndpointAsync(customer, receiver.Url, ["webhook.test"], rateLimit: 2);
        var sent = new List<(Guid Delivery, string Message)>();
        for (var i = 0; i < 6; i++) sent.Add(await SendTestAsync(key, endpoint));
        foreach (var (_, message) in sent) await WaitForDeliveryAsync(message, WebhookDeliveryStatus.Succeeded);

        // When each attempt went out (its recorded end less its latency): what the limiter admitted, free of the receiver's timing.
        var starts = new List<DateTimeOffset>();
        foreach (var (delivery, _) in sent)
            starts.AddRange((await DeliveryEventsAsync(delivery, null)).OfType<WebhookAttempted>()
                .Select(a => a.AttemptedAt - TimeSpan.FromMilliseconds(a.LatencyMs)));
        starts.Sort();
        // A token bucket of 2 per second: never more than 4 (a full bucket and one refill) within any second.
        for (var i = 0; i + 4 < starts.Count; i++)
            Assert.True(starts[i + 4] - starts[i] >= TimeSpan.FromSeconds(0.8), $"attempts {i}..{i + 4} all within {starts[i + 4] - starts[i]}");
    }

    [Fact]
    public async Task a_delivery_that_cannot_be_attempted_ends_failed_with_the_cause_instead_of_waiting_forever()
    {
        var (key, customer, _) = await CustomerAsync("wh-unsignable");
        await using var receiver = await WebhookReceiver.StartAsync();
        var (endpoint, _) = await EndpointAsync(customer, receiver.Url, ["webhook.test"]);
        // A secret sealed for another endpoint does not open for this one: every attempt throws before anything is sent.
        await using (var session = Fixture.Store.LightweightSession())
        {
            var vault = Host.Services.GetRequiredService<RaffsSync.Api.Connections.SecretVault>();
            session.Store(new RaffsSync.Api.Webhooks.WebhookEndpointSecret
            {
                Id = endpoint, Sealed = RaffsSync.Api.Webhooks.WebhookSecrets.Seal(vault, Guid.NewGuid(), WebhookSignature.NewSecret()).Sealed
            });
            await session.SaveChangesAsync();
        }

        var (deliveryId, messageId) = await SendTestAsync(key, endpoint);
        var delivery = await WaitForDeliveryAsync(messageId, WebhookDeliveryStatus.Failed, WebhookDeliveryStatus.Succeeded);

        Assert.Equal(WebhookDeliveryStatus.Failed, delivery.Status);
        Assert.Empty(receiver.Received);
        var failed = Assert.IsType<WebhookDeliveryFailed>((await DeliveryEventsAsync(deliveryId, null))[^1]);
        Assert.Contains("AuthenticationTagMismatchException", failed.Reason);
    }

    [Fact]
    public async Task during_a_secret_rotation_each_message_carries_a_signature_for_each_secret()
    {
        var (key, customer, _) = await CustomerAsync("wh-rotate");
        await using var receiver = await WebhookReceiver.StartAsync();
        var created = await CallAsync(key, s => s.Post.Json(new { url = receiver.Url, customer_id = customer, event_types = new[] { "webhook.test" } })
            .ToUrl("/api/v1/webhooks/endpoints"));
        var endpoint = await created.ReadAsJsonAsync<JsonElement>();
        var (id, oldSecret) = (endpoint.GetProperty("id").GetGuid(), endpoint.GetProperty("secret").GetString()!);
        var rotated = await CallAsync(key, s => s.Post.Url($"/api/v1/webhooks/endpoints/{id}/rotate-secret"));
        var newSecret = (await rotated.ReadAsJsonAsync<JsonElement>()).GetProperty("secret").GetString()!;

        var (_, messageId) = await SendTestAsync(key, id);
        await WaitForDeliveryAsync(messageId, WebhookDeliveryStatus.Succeeded);

        var message = Assert.Single(receiver.Received);
        var signatures = message.Signature.Split(' ');
        Assert.Equal(2, signatures.Length);
        // Each signature on its own verifies with exactly one of the secrets: receivers on either secret accept the message.
        foreach (var secret in new[] { oldSecret, newSecret })
            Assert.Single(signatures, signature => StandardWebhooks.Verify(secret, message with { Signature = signature }));
        Assert.False(StandardWebhooks.Verify(WebhookSignature.NewSecret(), message));
    }

    [Fact]
    public async Task answers_holding_a_nul_are_recorded_and_neither_the_dispatch_nor_the_delivery_is_lost()
    {
        // PostgreSQL refuses U+0000 in jsonb: an answer holding one must not make the record of a successful call fail.
        var (key, customer, location) = await CustomerAsync("wh-nul");
        await using var provider = await ProviderAsync("wh-nul-pos");
        provider.Reply(200, "{\"note\": \"a\0b\"}");
        await using var receiver = await WebhookReceiver.StartAsync();
        receiver.AnswerBody = _ => "received\0thanks";
        await EndpointAsync(customer, receiver.Url, ["dispatch.succeeded"]);

        var dispatchId = await DispatchAsync(key, location, "wh-nul-pos");
        var dispatch = await Host.GetAsJson<JsonElement>($"/api/v1/dispatches/{dispatchId}", key);
        Assert.Equal("succeeded", dispatch.GetProperty("status").GetString());
        await Eventually.UntilAsync(() => receiver.Received.Count > 0, "the dispatch.succeeded message");
        var delivery = await WaitForDeliveryAsync(receiver.Received[0].Id, WebhookDeliveryStatus.Succeeded, WebhookDeliveryStatus.Failed);

        Assert.Equal(WebhookDeliveryStatus.Succeeded, delivery.Status);
        var attempt = Assert.Single((await DeliveryEventsAsync(delivery.Id, location)).OfType<WebhookAttempted>());
        Assert.Equal("received\uFFFDthanks", attempt.ResponseBody);
    }
}
