using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Alba;
using RaffsSync.Api.Tests.Harness;
using RaffsSync.Domain.Access;
using RaffsSync.Domain.Registry;

namespace RaffsSync.Api.Tests.Inbound;

/// <summary>
/// Providers that push: each test plays the provider, signing with its own HMAC code (never the product's verifier),
/// against the real host and database.
/// </summary>
[Collection(InboundCollection.Name)]
public sealed class InboundEventTests(AppFixture fixture) : ApiTest(fixture)
{
    private const string Secret = "pusher-secret-1";
    private const string SignatureHeader = "X-Pusher-Signature";
    private const string TimestampHeader = "X-Pusher-Timestamp";

    private static readonly object HmacInbound = new
    {
        signature = new
        {
            type = "hmac_sha256", header = SignatureHeader, prefix = "sha256=", signed_content = "{timestamp}.{body}",
            timestamp_header = TimestampHeader
        },
        event_type = "type",
        event_id = "id"
    };

    private static string Hmac(string secret, string content) =>
        Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), Encoding.UTF8.GetBytes(content)));

    /// <summary>The headers a provider signing <c>{timestamp}.{body}</c> sends.</summary>
    private static Dictionary<string, string> Signed(string body, string secret = Secret, DateTimeOffset? at = null)
    {
        var timestamp = (at ?? DateTimeOffset.UtcNow).ToUnixTimeSeconds().ToString();
        return new() { [TimestampHeader] = timestamp, [SignatureHeader] = "sha256=" + Hmac(secret, $"{timestamp}.{body}") };
    }

    private static string Event(string id, string type = "order.created") =>
        JsonSerializer.Serialize(new { id, type, data = new { order_id = "A-1001", total = 125000 } });

    private static Action<Scenario> Push(string provider, object connection, string body, IReadOnlyDictionary<string, string> headers,
        string? requestId = null, string contentType = "application/json") => s =>
    {
        s.ConfigureHttpContext(context =>
        {
            context.Request.Method = "POST";
            context.Request.Path = $"/api/v1/inbound/{provider}/{connection}";
            var bytes = Encoding.UTF8.GetBytes(body);
            context.Request.Body = new MemoryStream(bytes);
            context.Request.ContentType = contentType;
            context.Request.ContentLength = bytes.Length;
        });
        foreach (var (name, value) in headers) s.WithRequestHeader(name, value);
        if (requestId is not null) s.WithRequestHeader("X-Request-Id", requestId);
        s.IgnoreStatusCode();
    };

    private Task<IScenarioResult> PushAsync(string provider, object connection, string body, IReadOnlyDictionary<string, string> headers,
        string? requestId = null, string contentType = "application/json") =>
        Host.Scenario(Push(provider, connection, body, headers, requestId, contentType));

    private async Task RegisterAsync(string admin, string provider, object? inbound, string baseUrl = "https://pusher.example")
    {
        var result = await CallAsync(admin, s => s.Post.Json(new
        {
            key = provider, name = provider, auth_kind = "none", base_urls = new { sandbox = baseUrl, production = baseUrl }, inbound
        }).ToUrl("/api/v1/providers"));
        Assert.True(result.Context.Response.StatusCode == 201, await result.ReadAsTextAsync());
    }

    private async Task PutRouteAsync(string admin, string provider, string routeKey, object route)
    {
        var result = await CallAsync(admin, s => s.Put.Json(route).ToUrl($"/api/v1/providers/{provider}/routes/{routeKey}"));
        Assert.True(result.Context.Response.StatusCode == 201, await result.ReadAsTextAsync());
    }

    private async Task<Guid> ConnectAsync(string admin, string tenant, string provider, object credentials, object? settings = null)
    {
        var result = await CallAsync(admin, s => s.Post.Json(new { provider, environment = "sandbox", credentials, settings })
            .ToUrl($"/api/v1/locations/{tenant}/connections"));
        Assert.True(result.Context.Response.StatusCode == 201, await result.ReadAsTextAsync());
        return (await result.ReadAsJsonAsync<JsonElement>()).GetProperty("id").GetGuid();
    }

    private async Task<(string Admin, Guid Connection)> PusherAsync(string provider, string tenant, object? inbound = null)
    {
        var admin = await Fixture.CreateKeyAsync();
        await RegisterAsync(admin, provider, inbound ?? HmacInbound);
        await PutRouteAsync(admin, provider, "orders.forward", new { kind = "forward", @event = "order.created" });
        return (admin, await ConnectAsync(admin, tenant, provider, new { webhook_secret = Secret }));
    }

    /// <summary>What a request stored: events it caused, and every inbound event and dedupe record.</summary>
    private async Task<(long Events, long InboundEvents, long DedupeRecords)> StoredAsync(string requestId) => (
        await Fixture.ScalarAsync("select count(*) from raffssync.mt_events where correlation_id = $1", requestId),
        await Fixture.ScalarAsync("select count(*) from raffssync.mt_doc_inboundevent"),
        await Fixture.ScalarAsync("select count(*) from raffssync.mt_doc_inboundeventkey"));

    private static async Task<JsonElement> Json(IScenarioResult result) => (await result.ReadAsJsonAsync<JsonElement>())!;

    [Fact]
    public async Task a_signed_push_is_stored_and_routed_and_a_bad_signature_stores_nothing()
    {
        var (admin, connection) = await PusherAsync("pusher-sig", "in-sig");
        var body = Event("evt_sig_1");
        var before = await StoredAsync("bad-sig");

        var good = Signed(body);
        var withoutPrefix = new Dictionary<string, string>(good) { [SignatureHeader] = good[SignatureHeader].Replace("sha256=", "") };
        var unsigned = new Dictionary<string, string> { [TimestampHeader] = good[TimestampHeader] };
        var ofAnotherBody = Signed(Event("evt_other"));
        foreach (var headers in new[] { Signed(body, "wrong-secret"), withoutPrefix, unsigned, new Dictionary<string, string>(), ofAnotherBody })
        {
            var refused = await PushAsync("pusher-sig", connection, body, headers, requestId: "bad-sig");
            await refused.ShouldBeProblemAsync(401, "invalid_signature");
        }
        Assert.Equal(before, await StoredAsync("bad-sig"));
        Assert.Equal(0, before.Events);

        var accepted = await PushAsync("pusher-sig", connection, body, Signed(body), requestId: "good-sig");
        Assert.Equal(202, accepted.Context.Response.StatusCode);
        var answer = await Json(accepted);
        var id = answer.GetProperty("id").GetGuid();
        Assert.Equal($"/api/v1/inbound-events/{id}", accepted.Context.Response.Headers.Location.ToString());
        Assert.Equal("routed", answer.GetProperty("status").GetString());
        var route = Assert.Single(answer.GetProperty("routes").EnumerateArray());
        Assert.Equal(("orders.forward", "forward", "pusher-sig.order.created"),
            (route.GetProperty("route_key").GetString(), route.GetProperty("kind").GetString(), route.GetProperty("forwarded_as").GetString()));

        var stored = await Host.GetAsJson<JsonElement>($"/api/v1/inbound-events/{id}", admin);
        Assert.Equal(("in-sig", "pusher-sig", "order.created", "evt_sig_1", "routed"),
            (stored.GetProperty("tenant_id").GetString(), stored.GetProperty("provider").GetString(), stored.GetProperty("event_type").GetString(),
                stored.GetProperty("provider_event_id").GetString(), stored.GetProperty("status").GetString()));
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(body))), stored.GetProperty("body_sha256").GetString());
        Assert.False(stored.GetProperty("body_truncated").GetBoolean());
        Assert.Equal(125000, stored.GetProperty("body").GetProperty("data").GetProperty("total").GetInt32());
        Assert.Equal(["inbound_event_received", "inbound_event_routed"], (await Fixture.TextAsync(
            "select string_agg(type, ',' order by seq_id) from raffssync.mt_events where stream_id = $1 and tenant_id = 'in-sig' and correlation_id = 'good-sig'",
            id)).Split(','));
    }

    [Theory]
    [InlineData(-301)]
    [InlineData(301)]
    [InlineData(-3600)]
    [InlineData(86400)]
    public async Task a_timestamp_outside_five_minutes_either_way_is_refused_though_correctly_signed(int seconds)
    {
        var provider = $"pusher-ts{(seconds < 0 ? "m" : "p")}{Math.Abs(seconds)}";
        var (_, connection) = await PusherAsync(provider, $"in-ts-{seconds}");
        var body = Event($"evt_ts_{seconds}");

        var refused = await PushAsync(provider, connection, body, Signed(body, at: DateTimeOffset.UtcNow.AddSeconds(seconds)), requestId: $"ts{seconds}");

        await refused.ShouldBeProblemAsync(401, "invalid_signature");
        Assert.Equal(0, (await StoredAsync($"ts{seconds}")).Events);
        Assert.Equal(202, (await PushAsync(provider, connection, body, Signed(body, at: DateTimeOffset.UtcNow.AddSeconds(-240))))
            .Context.Response.StatusCode);
    }

    [Fact]
    public async Task a_providers_document_need_not_follow_this_apis_own_body_rules_but_nothing_unstorable_is_kept()
    {
        // A top-level id longer than this API's identifiers (64) and a JSON array: a provider's document, not a request of ours.
        var (_, connection) = await PusherAsync("pusher-foreign", "in-foreign");
        var longId = Event("evt_" + new string('x', 150));
        Assert.Equal(202, (await PushAsync("pusher-foreign", connection, longId, Signed(longId))).Context.Response.StatusCode);
        var arrayInbound = new
        {
            signature = new { type = "hmac_sha256", header = SignatureHeader, prefix = "sha256=", signed_content = "{timestamp}.{body}", timestamp_header = TimestampHeader },
            event_type = "header:X-Pusher-Event", event_id = "[0].id"
        };
        var (_, arrays) = await PusherAsync("pusher-array", "in-array", arrayInbound);
        var batch = """[{"id": "evt_a1", "total": 1}]""";
        var accepted = await PushAsync("pusher-array", arrays, batch,
            new Dictionary<string, string>(Signed(batch)) { ["X-Pusher-Event"] = "order.created" });
        Assert.Equal(202, accepted.Context.Response.StatusCode);

        // A NUL, raw or escaped, cannot be stored (PostgreSQL refuses it): 400, and nothing is.
        var raw = "{\"id\": \"evt_n1\", \"type\": \"order.created\", \"note\": \"a\0b\"}";
        var escaped = """{"id": "evt_n2", "type": "order.created", "note": "a\u0000b"}""";
        foreach (var (name, unstorable) in new[] { ("raw", raw), ("escaped", escaped) })
        {
            var refused = await PushAsync("pusher-foreign", connection, unstorable, Signed(unstorable), requestId: $"nul-{name}");
            var problem = await refused.ShouldBeProblemAsync(400, "validation_failed");
            Assert.Equal("nul_character", problem.GetProperty("details")[0].GetProperty("issue").GetString());
            Assert.Equal(0, (await StoredAsync($"nul-{name}")).Events);
        }
    }

    [Theory]
    [InlineData("object", """{"id": {"a": 1}, "type": "order.paid"}""")]
    [InlineData("boolean", """{"id": true, "type": "order.paid"}""")]
    [InlineData("array", """{"id": [1], "type": "order.paid"}""")]
    public async Task an_event_id_that_is_neither_text_nor_a_number_is_refused_rather_than_left_undeduplicated(string kind, string body)
    {
        var (_, connection) = await PusherAsync($"pusher-badid-{kind}", $"in-badid-{kind}");

        var refused = await PushAsync($"pusher-badid-{kind}", connection, body, Signed(body), requestId: $"bad-id-{kind}");

        var problem = await refused.ShouldBeProblemAsync(400, "validation_failed");
        Assert.Equal("event_id", problem.GetProperty("details")[0].GetProperty("field").GetString());
        Assert.Equal(0, (await StoredAsync($"bad-id-{kind}")).Events);
    }

    [Fact]
    public async Task a_repeated_event_id_answers_200_with_the_first_event_and_stores_one()
    {
        var (admin, connection) = await PusherAsync("pusher-dup", "in-dup");
        var body = Event("evt_dup_1");

        var first = await Json(await PushAsync("pusher-dup", connection, body, Signed(body)));
        var again = await PushAsync("pusher-dup", connection, body, Signed(body), requestId: "dup-again");

        Assert.Equal(200, again.Context.Response.StatusCode);
        var duplicate = await Json(again);
        Assert.Equal(first.GetProperty("id").GetGuid(), duplicate.GetProperty("id").GetGuid());
        Assert.True(duplicate.GetProperty("duplicate").GetBoolean());
        Assert.Equal(0, (await StoredAsync("dup-again")).Events);
        Assert.Equal(1, await ReceivedCountAsync("evt_dup_1"));

        // The same provider event id on another connection is another event.
        var other = await ConnectAsync(admin, "in-dup-2", "pusher-dup", new { webhook_secret = Secret });
        Assert.Equal(202, (await PushAsync("pusher-dup", other, body, Signed(body))).Context.Response.StatusCode);
        Assert.Equal(2, await ReceivedCountAsync("evt_dup_1"));
    }

    private Task<long> ReceivedCountAsync(string providerEventId) => Fixture.ScalarAsync(
        "select count(*) from raffssync.mt_events where type = 'inbound_event_received' and data ->> 'provider_event_id' = $1", providerEventId);

    [Fact]
    public async Task an_event_id_seen_longer_ago_than_the_dedupe_window_is_a_new_event()
    {
        var (_, connection) = await PusherAsync("pusher-window", "in-window");
        var body = Event("evt_window_1");
        var firstPush = await PushAsync("pusher-window", connection, body, Signed(body));
        Assert.True(firstPush.Context.Response.StatusCode == 202, await firstPush.ReadAsTextAsync());
        var first = (await Json(firstPush)).GetProperty("id").GetGuid();

        // Eight days pass for the dedupe record (the window is the default seven).
        await Fixture.ExecuteAsync($$"""
            update raffssync.mt_doc_inboundeventkey
            set data = jsonb_set(data, '{received_at}', to_jsonb(to_char((now() - interval '8 days') at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"')))
            where data ->> 'inbound_event_id' = '{{first}}'
            """);

        var later = await PushAsync("pusher-window", connection, body, Signed(body));
        Assert.True(later.Context.Response.StatusCode == 202, await later.ReadAsTextAsync());
        Assert.Equal(202, later.Context.Response.StatusCode);
        var second = (await Json(later)).GetProperty("id").GetGuid();
        Assert.NotEqual(first, second);
        Assert.Equal(2, await ReceivedCountAsync("evt_window_1"));
        // And that one is now what a repeat is a duplicate of.
        Assert.Equal(second, (await Json(await PushAsync("pusher-window", connection, body, Signed(body)))).GetProperty("id").GetGuid());
    }

    [Fact]
    public async Task identical_pushes_at_the_same_moment_store_one_event_and_all_answer_its_id()
    {
        await using var books = await LoopbackProvider.StartAsync();
        await Fixture.RegisterProviderAsync("books-race", books.BaseUrl,
            ("invoices.create", new RouteDefinition("http", new RequestTemplate("POST", "/invoices"), Success: [200])));
        var (admin, connection) = await PusherAsync("pusher-race", "in-race");
        await PutRouteAsync(admin, "pusher-race", "orders.chain",
            new { kind = "chain", @event = "order.created", chain = new { provider = "books-race", route_key = "invoices.create" } });
        var body = Event("evt_race_1");
        var headers = Signed(body);
        using var client = Host.Server.CreateClient();

        var answers = await Task.WhenAll(Enumerable.Range(0, 8).Select(async i =>
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, $"/api/v1/inbound/pusher-race/{connection}")
            {
                Content = new StringContent(body, Encoding.UTF8, "application/json")
            };
            foreach (var (name, value) in headers) request.Headers.Add(name, value);
            request.Headers.Add("X-Request-Id", $"race-{i}");
            using var response = await client.SendAsync(request);
            return (response.StatusCode, Body: JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.Clone());
        }));

        Assert.Equal(1, answers.Count(a => a.StatusCode == HttpStatusCode.Accepted));
        Assert.Equal(7, answers.Count(a => a.StatusCode == HttpStatusCode.OK && a.Body.GetProperty("duplicate").GetBoolean()));
        Assert.Single(answers.Select(a => a.Body.GetProperty("id").GetGuid()).Distinct());
        Assert.Equal(1, await ReceivedCountAsync("evt_race_1"));
        // Nothing of the losers was stranded: one dispatch, one execute message for it.
        Assert.Equal(1, await Fixture.ScalarAsync(
            "select count(*) from raffssync.mt_events where type = 'dispatch_requested' and tenant_id = 'in-race'"));
        await Eventually.UntilAsync(() => books.Received.Count == 1, "the one chained dispatch to reach the provider");
    }

    [Fact]
    public async Task an_unknown_removed_or_other_providers_connection_is_404_the_same_way()
    {
        var (admin, connection) = await PusherAsync("pusher-404", "in-404");
        var (_, foreign) = await PusherAsync("pusher-404b", "in-404");
        var removed = await ConnectAsync(admin, "in-404-gone", "pusher-404", new { webhook_secret = Secret });
        Assert.Equal(200, (await CallAsync(admin, s => s.Delete.Url($"/api/v1/locations/in-404-gone/connections/{removed}"))).Context.Response.StatusCode);
        var body = Event("evt_404");

        foreach (var target in new object[] { Guid.NewGuid(), foreign, removed, "not-a-guid" })
            await (await PushAsync("pusher-404", target, body, Signed(body))).ShouldBeProblemAsync(404, "connection_not_found");
        await (await PushAsync("no-such-provider", connection, body, Signed(body))).ShouldBeProblemAsync(404, "connection_not_found");
        Assert.Equal(202, (await PushAsync("pusher-404", connection, body, Signed(body))).Context.Response.StatusCode);
    }

    [Fact]
    public async Task a_provider_without_inbound_settings_takes_no_pushes()
    {
        var admin = await Fixture.CreateKeyAsync();
        await RegisterAsync(admin, "pusher-none", inbound: null);
        var connection = await ConnectAsync(admin, "in-none", "pusher-none", new { webhook_secret = Secret });
        var body = Event("evt_none");

        await (await PushAsync("pusher-none", connection, body, Signed(body))).ShouldBeProblemAsync(401, "invalid_signature");
    }

    [Fact]
    public async Task a_shared_token_in_a_header_verifies_pushes()
    {
        var admin = await Fixture.CreateKeyAsync();
        await RegisterAsync(admin, "pusher-token", new { signature = new { type = "token", header = "X-Pusher-Token" } });
        var connection = await ConnectAsync(admin, "in-token", "pusher-token", new { webhook_secret = "tok-123" });
        var body = Event("evt_token");

        await (await PushAsync("pusher-token", connection, body, new Dictionary<string, string> { ["X-Pusher-Token"] = "tok-124" }))
            .ShouldBeProblemAsync(401, "invalid_signature");
        var accepted = await PushAsync("pusher-token", connection, body, new Dictionary<string, string> { ["X-Pusher-Token"] = "tok-123" });
        Assert.Equal(202, accepted.Context.Response.StatusCode);
        // No route takes the event: it is stored as unrouted, with the reason.
        var answer = await Json(accepted);
        Assert.Equal("unrouted", answer.GetProperty("status").GetString());
        Assert.Equal("no enabled route for event type order.created", answer.GetProperty("unrouted_reason").GetString());
        var stored = await Host.GetAsJson<JsonElement>($"/api/v1/inbound-events/{answer.GetProperty("id").GetGuid()}", admin);
        Assert.Equal("unrouted", stored.GetProperty("status").GetString());
        Assert.Equal(1, await Fixture.ScalarAsync(
            "select count(*) from raffssync.mt_events where type = 'inbound_event_unrouted' and tenant_id = 'in-token'"));
    }

    [Fact]
    public async Task http_basic_verifies_pushes_whose_type_and_id_are_in_headers_and_whose_body_is_not_json()
    {
        var admin = await Fixture.CreateKeyAsync();
        await RegisterAsync(admin, "pusher-basic", new
        {
            signature = new { type = "basic" }, event_type = "header:X-Event-Type", event_id = "header:X-Event-Id"
        });
        await PutRouteAsync(admin, "pusher-basic", "paid.forward", new { kind = "forward", @event = "ORDER_PAID", forward = new { event_type = "orders.paid" } });
        var connection = await ConnectAsync(admin, "in-basic", "pusher-basic", new { webhook_username = "grafterr", webhook_password = "pa:ss" });
        Dictionary<string, string> Headers(string pair) => new()
        {
            ["Authorization"] = "Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes(pair)), ["X-Event-Type"] = "ORDER_PAID", ["X-Event-Id"] = "77"
        };

        await (await PushAsync("pusher-basic", connection, "order=77", Headers("grafterr:pass"), contentType: "text/plain"))
            .ShouldBeProblemAsync(401, "invalid_signature");
        var accepted = await PushAsync("pusher-basic", connection, "order=77", Headers("grafterr:pa:ss"), contentType: "text/plain");

        Assert.True(accepted.Context.Response.StatusCode == 202, await accepted.ReadAsTextAsync());
        var route = Assert.Single((await Json(accepted)).GetProperty("routes").EnumerateArray());
        Assert.Equal("orders.paid", route.GetProperty("forwarded_as").GetString());
        Assert.Equal(1, await ReceivedCountAsync("77"));
    }

    [Fact]
    public async Task a_push_without_its_event_type_or_too_large_is_refused_and_stores_nothing()
    {
        var (_, connection) = await PusherAsync("pusher-bad", "in-bad");
        var untyped = JsonSerializer.Serialize(new { id = "evt_untyped", data = new { } });
        await (await PushAsync("pusher-bad", connection, untyped, Signed(untyped), requestId: "untyped"))
            .ShouldBeProblemAsync(400, "event_type_missing");

        var large = JsonSerializer.Serialize(new { id = "evt_large", type = "order.created", data = new string('x', 1024 * 1024) });
        await (await PushAsync("pusher-bad", connection, large, Signed(large), requestId: "large")).ShouldBeProblemAsync(413, "payload_too_large");

        Assert.Equal(0, (await StoredAsync("untyped")).Events + (await StoredAsync("large")).Events);
    }

    [Fact]
    public async Task a_body_over_64_kb_is_kept_capped_with_the_hash_of_the_whole()
    {
        var (admin, connection) = await PusherAsync("pusher-big", "in-big");
        var body = JsonSerializer.Serialize(new { id = "evt_big", type = "order.created", data = new string('y', 100_000) });

        var id = (await Json(await PushAsync("pusher-big", connection, body, Signed(body)))).GetProperty("id").GetGuid();

        var stored = await Host.GetAsJson<JsonElement>($"/api/v1/inbound-events/{id}", admin);
        Assert.True(stored.GetProperty("body_truncated").GetBoolean());
        Assert.Equal(JsonValueKind.Null, stored.GetProperty("body").ValueKind);
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(body))), stored.GetProperty("body_sha256").GetString());
        Assert.Equal(64 * 1024, await Fixture.ScalarAsync(
            "select length(data ->> 'body') from raffssync.mt_events where type = 'inbound_event_received' and stream_id = $1", id));
    }

    [Fact]
    public async Task a_chain_route_dispatches_the_mapped_event_to_a_second_provider_under_one_request_id()
    {
        await using var books = await LoopbackProvider.StartAsync();
        books.Reply(201, """{"invoice": "INV-9"}""");
        await Fixture.RegisterProviderAsync("books-chain", books.BaseUrl,
            ("invoices.create", new RouteDefinition("http", new RequestTemplate("POST", "/invoices"), Success: [201])));
        var admin = await Fixture.CreateKeyAsync();
        await RegisterAsync(admin, "pusher-chain", HmacInbound);
        await PutRouteAsync(admin, "pusher-chain", "orders.to-invoice", new
        {
            kind = "chain", @event = "order.created",
            chain = new
            {
                provider = "books-chain", route_key = "invoices.create",
                payload = "{reference: event.data.order_id, amount: event.data.total, outlet: connection.settings.outlet, pushed_as: inbound.provider_event_id}"
            }
        });
        var connection = await ConnectAsync(admin, "in-chain", "pusher-chain", new { webhook_secret = Secret }, new { outlet = "OUT-7" });
        var body = Event("evt_chain_1");

        var accepted = await ScenarioAndWaitAsync(Push("pusher-chain", connection, body, Signed(body), requestId: "chain-req-1"));

        Assert.Equal(202, accepted.Context.Response.StatusCode);
        var answer = await Json(accepted);
        var inboundId = answer.GetProperty("id").GetGuid();
        var route = Assert.Single(answer.GetProperty("routes").EnumerateArray());
        Assert.Equal(("orders.to-invoice", "chain"), (route.GetProperty("route_key").GetString(), route.GetProperty("kind").GetString()));
        var dispatchId = route.GetProperty("dispatch_id").GetGuid();

        var dispatch = await WaitForStatusAsync($"/api/v1/dispatches/{dispatchId}", admin, "succeeded", "failed", "dead_lettered");
        Assert.Equal(("succeeded", "books-chain", "invoices.create", "in-chain", inboundId),
            (dispatch.GetProperty("status").GetString(), dispatch.GetProperty("provider").GetString(), dispatch.GetProperty("route_key").GetString(),
                dispatch.GetProperty("tenant_id").GetString(), dispatch.GetProperty("caused_by_inbound_event").GetGuid()));
        var sent = Assert.Single(books.Received);
        Assert.Equal(("POST", "/invoices"), (sent.Method, sent.PathAndQuery));
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse("""{"reference":"A-1001","amount":125000,"outlet":"OUT-7","pushed_as":"evt_chain_1"}"""),
            JsonNode.Parse(sent.Body)), sent.Body);

        // One request id across the inbound event, the dispatch's request and its attempt.
        Assert.Equal("dispatch_requested,dispatch_attempt_started,provider_responded,dispatch_succeeded", await Fixture.TextAsync(
            "select string_agg(type, ',' order by seq_id) from raffssync.mt_events where stream_id = $1", dispatchId));
        Assert.Equal("chain-req-1", await Fixture.TextAsync(
            "select string_agg(distinct coalesce(correlation_id, '(none)'), ',') from raffssync.mt_events where stream_id = any($1)",
            new[] { inboundId, dispatchId }));
        Assert.Equal(6, await Fixture.ScalarAsync("select count(*) from raffssync.mt_events where correlation_id = 'chain-req-1'"));
    }

    [Fact]
    public async Task a_chain_that_cannot_start_is_unrouted_naming_the_route_and_the_other_routes_still_run()
    {
        var admin = await Fixture.CreateKeyAsync();
        await CallAsync(admin, s => s.Post.Json(new
        {
            key = "books-locked", name = "Books", auth_kind = "bearer", base_urls = new { sandbox = "https://books.example" }
        }).ToUrl("/api/v1/providers"));
        await CallAsync(admin, s => s.Put.Json(new { kind = "http", request = new { method = "POST", path = "/invoices" } })
            .ToUrl("/api/v1/providers/books-locked/routes/invoices.create"));
        var (_, connection) = await PusherAsync("pusher-unchained", "in-unchained");
        await PutRouteAsync(admin, "pusher-unchained", "orders.to-books",
            new { kind = "chain", @event = "order.created", chain = new { provider = "books-locked", route_key = "invoices.create" } });
        var body = Event("evt_unchained");

        var answer = await Json(await PushAsync("pusher-unchained", connection, body, Signed(body)));

        Assert.Equal("routed", answer.GetProperty("status").GetString()); // the forward route took it
        Assert.Equal("orders.forward", Assert.Single(answer.GetProperty("routes").EnumerateArray()).GetProperty("route_key").GetString());
        Assert.Equal("route orders.to-books: location in-unchained has no active sandbox connection to 'books-locked'",
            answer.GetProperty("unrouted_reason").GetString());
        Assert.Equal(0, await Fixture.ScalarAsync(
            "select count(*) from raffssync.mt_events where type = 'dispatch_requested' and tenant_id = 'in-unchained'"));
    }

    [Fact]
    public async Task a_forward_route_records_the_webhook_type_the_event_is_sent_as()
    {
        var (_, connection) = await PusherAsync("pusher-fwd", "in-fwd");
        var body = Event("evt_fwd");

        var id = (await Json(await PushAsync("pusher-fwd", connection, body, Signed(body)))).GetProperty("id").GetGuid();

        Assert.Equal("forward|pusher-fwd.order.created|orders.forward", await Fixture.TextAsync("""
            select data ->> 'kind' || '|' || (data ->> 'forwarded_as') || '|' || (data ->> 'route_key')
            from raffssync.mt_events where type = 'inbound_event_routed' and stream_id = $1
            """, id));
    }

    [Fact]
    public async Task an_inbound_event_is_seen_only_by_callers_of_its_location()
    {
        var (admin, connection) = await PusherAsync("pusher-iso", "in-iso");
        var body = Event("evt_iso");
        var id = (await Json(await PushAsync("pusher-iso", connection, body, Signed(body)))).GetProperty("id").GetGuid();
        var own = await Fixture.CreateKeyAsync(CallerClass.Customer, [Scopes.DispatchesRead], locations: ["in-iso"]);
        var other = await Fixture.CreateKeyAsync(CallerClass.Customer, Scopes.All, locations: ["in-other"]);
        var partner = await Fixture.CreateKeyAsync(CallerClass.Partner, [Scopes.DispatchesRead], locations: ["in-iso"]);

        Assert.Equal(200, (await CallAsync(own, s => s.Get.Url($"/api/v1/inbound-events/{id}"))).Context.Response.StatusCode);
        await (await CallAsync(other, s => s.Get.Url($"/api/v1/inbound-events/{id}"))).ShouldBeProblemAsync(404, "not_found");
        await (await CallAsync(admin, s => s.Get.Url($"/api/v1/inbound-events/{Guid.NewGuid()}"))).ShouldBeProblemAsync(404, "not_found");
        await (await CallAsync(partner, s => s.Get.Url($"/api/v1/inbound-events/{id}"))).ShouldBeProblemAsync(403, "caller_class_forbidden");
    }

    [Fact]
    public async Task inbound_routes_are_never_dispatched_and_http_routes_handle_no_events()
    {
        var (admin, _) = await PusherAsync("pusher-kinds", "in-kinds");

        var dispatch = await Host.Scenario(PostDispatch(admin, new { tenant_id = "in-kinds", provider = "pusher-kinds", route_key = "orders.forward", payload = new { } }));
        await dispatch.ShouldBeProblemAsync(422, "route_inbound_only");
        await (await CallAsync(admin, s => s.Post.Json(new { tenant_id = "in-kinds", payload = new { } })
            .ToUrl("/api/v1/providers/pusher-kinds/routes/orders.forward/render"))).ShouldBeProblemAsync(422, "route_inbound_only");

        var http = await CallAsync(admin, s => s.Put.Json(new { kind = "http", @event = "order.created", request = new { method = "POST", path = "/x" } })
            .ToUrl("/api/v1/providers/pusher-kinds/routes/bad"));
        var problem = await http.ShouldBeProblemAsync(400, "validation_failed");
        Assert.Equal("event", Assert.Single(problem.GetProperty("details").EnumerateArray()).GetProperty("field").GetString());
        var chain = await CallAsync(admin, s => s.Put.Json(new { kind = "chain", @event = "order.created", chain = new { provider = "x" } })
            .ToUrl("/api/v1/providers/pusher-kinds/routes/bad"));
        Assert.Equal(["chain.route_key"], (await chain.ShouldBeProblemAsync(400, "validation_failed")).GetProperty("details").EnumerateArray()
            .Select(d => d.GetProperty("field").GetString()));
    }

    [Fact]
    public async Task unsigned_pushes_and_bad_inbound_settings_are_refused_with_their_fields()
    {
        var admin = await Fixture.CreateKeyAsync();
        var result = await CallAsync(admin, s => s.Post.Json(new
        {
            key = "pusher-unsigned", name = "U", base_urls = new { sandbox = "https://u.example" },
            inbound = new { signature = new { type = "none" }, event_type = "header:Bad Header", dedupe_window = "forever" }
        }).ToUrl("/api/v1/providers"));

        var problem = await result.ShouldBeProblemAsync(400, "validation_failed");
        Assert.Equal(["inbound.event_type", "inbound.dedupe_window", "inbound.signature.type"],
            problem.GetProperty("details").EnumerateArray().Select(d => d.GetProperty("field").GetString()));
        var shown = await Host.GetAsJson<JsonElement>("/api/v1/providers/sandbox", admin);
        Assert.Equal("X-Sandbox-Signature", shown.GetProperty("inbound").GetProperty("signature").GetProperty("header").GetString());
    }
}
