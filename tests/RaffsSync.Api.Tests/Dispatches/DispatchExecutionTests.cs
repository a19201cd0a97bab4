using System.Text.Json;
using Alba;
using Marten;
using RaffsSync.Api.Tests.Harness;
using RaffsSync.Domain.Dispatches;
using RaffsSync.Domain.Registry;

namespace RaffsSync.Api.Tests.Dispatches;

[Collection(DispatchCollection.Name)]
public sealed class DispatchExecutionTests(AppFixture fixture) : ApiTest(fixture)
{
    private static readonly RouteDefinition CreateOrder = new("http",
        new RequestTemplate("POST", "/v1/outlets/{{payload.outlet}}/orders",
            Query: new Dictionary<string, string> { ["ref"] = "{{payload.reference}}" },
            Headers: new Dictionary<string, string> { ["X-Dispatch-Id"] = "{{dispatch.id}}", ["Idempotency-Key"] = "{{idempotency_key}}" }),
        Success: [201]);

    [Fact]
    public async Task accepted_dispatch_is_sent_to_the_provider_and_succeeds()
    {
        await using var provider = await LoopbackProvider.StartAsync();
        await Fixture.RegisterProviderAsync("acme-ok", provider.BaseUrl, ("orders.create", CreateOrder));
        provider.Reply(201, """{"order_id":"A-77"}""");
        var key = await Fixture.CreateKeyAsync();
        var payload = new { outlet = "OUT 7/B", reference = "r&1", items = new[] { new { sku = "KOPI", qty = 2 } } };

        var accepted = await ScenarioAndWaitAsync(s =>
        {
            PostDispatch(key, new { tenant_id = "29", provider = "acme-ok", route_key = "orders.create", payload })(s);
            s.WithRequestHeader("Idempotency-Key", "order-r1-attempt");
        });

        Assert.Equal(202, accepted.Context.Response.StatusCode);
        var body = await accepted.ReadAsJsonAsync<JsonElement>();
        var id = body.GetProperty("id").GetGuid();
        Assert.Equal("accepted", body.GetProperty("status").GetString());
        Assert.Equal($"/api/v1/dispatches/{id}", accepted.Context.Response.Headers.Location.ToString());

        var received = Assert.Single(provider.Received);
        Assert.Equal("POST", received.Method);
        Assert.Equal("/v1/outlets/OUT%207%2FB/orders?ref=r%261", received.PathAndQuery);
        Assert.Equal(id.ToString(), received.Headers["X-Dispatch-Id"]);
        Assert.Equal("order-r1-attempt", received.Headers["Idempotency-Key"]);
        Assert.True(JsonElement.DeepEquals(JsonSerializer.SerializeToElement(payload), JsonDocument.Parse(received.Body).RootElement));

        var status = await Host.GetAsJson<JsonElement>($"/api/v1/dispatches/{id}", key);
        Assert.Equal("succeeded", status.GetProperty("status").GetString());
        Assert.Equal(1, status.GetProperty("attempts").GetInt32());
        Assert.Equal(201, status.GetProperty("last_provider_status").GetInt32());
        Assert.Equal(1, status.GetProperty("route_version").GetInt32());

        var events = await StreamAsync(id, "29");
        Assert.Equal([typeof(DispatchRequested), typeof(DispatchAttemptStarted), typeof(ProviderResponded), typeof(DispatchSucceeded)],
            events.Select(e => e.EventType));
        var responded = events.Select(e => e.Data).OfType<ProviderResponded>().Single();
        Assert.Equal(201, responded.StatusCode);
        Assert.Contains("A-77", responded.Body);
    }

    [Fact]
    public async Task provider_failure_with_no_attempts_left_dead_letters_with_the_response_recorded()
    {
        await using var provider = await LoopbackProvider.StartAsync();
        await Fixture.RegisterProviderAsync("acme-down", provider.BaseUrl, ("orders.create", CreateOrder with { Backoff = new Backoff(MaxAttempts: 1) }));
        provider.Reply(500, """{"error":"database on fire"}""");
        var key = await Fixture.CreateKeyAsync();

        var accepted = await ScenarioAndWaitAsync(PostDispatch(key, new
        {
            tenant_id = "29", provider = "acme-down", route_key = "orders.create",
            payload = new { outlet = "O1", reference = "x" }
        }));
        var id = (await accepted.ReadAsJsonAsync<JsonElement>()).GetProperty("id").GetGuid();

        var status = await Host.GetAsJson<JsonElement>($"/api/v1/dispatches/{id}", key);
        Assert.Equal("dead_lettered", status.GetProperty("status").GetString());
        Assert.Equal(500, status.GetProperty("last_provider_status").GetInt32());
        Assert.Contains("Gave up after 1 attempt", status.GetProperty("failure_reason").GetString());

        var events = await StreamAsync(id, "29");
        var responded = events.Select(e => e.Data).OfType<ProviderResponded>().Single();
        Assert.Equal(500, responded.StatusCode);
        Assert.Contains("database on fire", responded.Body);
        Assert.IsType<DispatchDeadLettered>(events[^1].Data);
        Assert.Single(provider.Received);
    }

    [Fact]
    public async Task a_payload_the_route_cannot_render_fails_without_calling_the_provider()
    {
        await using var provider = await LoopbackProvider.StartAsync();
        await Fixture.RegisterProviderAsync("acme-render", provider.BaseUrl, ("orders.create", CreateOrder));
        var key = await Fixture.CreateKeyAsync();

        var accepted = await ScenarioAndWaitAsync(PostDispatch(key, new
        {
            tenant_id = "29", provider = "acme-render", route_key = "orders.create", payload = new { reference = "x" }
        }));
        var id = (await accepted.ReadAsJsonAsync<JsonElement>()).GetProperty("id").GetGuid();

        var status = await Host.GetAsJson<JsonElement>($"/api/v1/dispatches/{id}", key);
        Assert.Equal("failed", status.GetProperty("status").GetString());
        Assert.Equal("render", status.GetProperty("failure_type").GetString());
        Assert.Contains("request.path", status.GetProperty("failure_reason").GetString());
        Assert.Empty(provider.Received);
    }

    [Fact]
    public async Task request_id_is_echoed_and_is_the_correlation_id_of_every_event_it_caused()
    {
        await using var provider = await LoopbackProvider.StartAsync();
        await Fixture.RegisterProviderAsync("acme-trace", provider.BaseUrl, ("orders.create", CreateOrder));
        provider.Reply(201);
        var key = await Fixture.CreateKeyAsync();

        var accepted = await ScenarioAndWaitAsync(PostDispatch(key, new
        {
            tenant_id = "29", provider = "acme-trace", route_key = "orders.create",
            payload = new { outlet = "O1", reference = "x" }
        }, requestId: "trace-0042.abc:7"));

        Assert.Equal("trace-0042.abc:7", accepted.Context.Response.Headers["X-Request-Id"].ToString());
        var id = (await accepted.ReadAsJsonAsync<JsonElement>()).GetProperty("id").GetGuid();
        var events = await StreamAsync(id, "29");
        Assert.Equal(4, events.Count);
        Assert.All(events, e => Assert.Equal("trace-0042.abc:7", e.CorrelationId));
    }

    [Fact]
    public async Task a_commit_that_fails_after_the_append_leaves_no_event_and_no_outbox_message()
    {
        await using var provider = await LoopbackProvider.StartAsync();
        await Fixture.RegisterProviderAsync("acme-atomic", provider.BaseUrl, ("orders.create", CreateOrder));
        var key = await Fixture.CreateKeyAsync();
        var envelopesBefore = await Fixture.ScalarAsync("select count(*) from raffssync.wolverine_outgoing_envelopes");

        // The execute message (bound for the shared queue, so in the outbox) is written after the event in the same
        // transaction; make that write fail.
        await Fixture.ExecuteAsync("""
            create function raffssync.refuse_envelope() returns trigger language plpgsql as
            $$ begin raise exception 'forced failure after the append'; end $$;
            create trigger refuse_envelope before insert on raffssync.wolverine_outgoing_envelopes
            for each row execute function raffssync.refuse_envelope();
            """);
        try
        {
            var result = await Host.Scenario(PostDispatch(key, new
            {
                tenant_id = "atomic-1", provider = "acme-atomic", route_key = "orders.create",
                payload = new { outlet = "O1", reference = "x" }
            }));

            var problem = await result.ShouldBeProblemAsync(500, "internal_error");
            Assert.DoesNotContain("forced failure", problem.GetRawText());
        }
        finally
        {
            await Fixture.ExecuteAsync("drop trigger refuse_envelope on raffssync.wolverine_outgoing_envelopes; drop function raffssync.refuse_envelope();");
        }

        Assert.Equal(0, await Fixture.ScalarAsync("select count(*) from raffssync.mt_events where tenant_id = 'atomic-1'"));
        Assert.Equal(0, await Fixture.ScalarAsync("select count(*) from raffssync.mt_doc_dispatch where tenant_id = 'atomic-1'"));
        Assert.Equal(envelopesBefore, await Fixture.ScalarAsync("select count(*) from raffssync.wolverine_outgoing_envelopes"));
        Assert.Equal(0, await Fixture.ScalarAsync("select count(*) from wolverine_queues.wolverine_queue_dispatches"));
        Assert.Empty(provider.Received);
    }

    private async Task<IReadOnlyList<JasperFx.Events.IEvent>> StreamAsync(Guid id, string tenantId)
    {
        await using var session = Fixture.Store.QuerySession(tenantId);
        return await session.Events.FetchStreamAsync(id);
    }
}
