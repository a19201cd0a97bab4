using RaffsSync.Domain.Registry;
using System.Net.Http.Json;
using System.Text.Json;
using Alba;
using Marten;
using Microsoft.Extensions.DependencyInjection;
using RaffsSync.Api.Connections;
using RaffsSync.Api.Tests.Harness;
using RaffsSync.Api.Webhooks;
using RaffsSync.Domain.Access;
using RaffsSync.Domain.Webhooks;

namespace RaffsSync.Api.Tests.Webhooks;

/// <summary>
/// Webhook endpoint management on the Testing host, whose webhook egress admits loopback and http (the SSRF refusals are
/// <see cref="WebhookEgressTests"/>'). Each test makes customers of its own.
/// </summary>
[Collection(WebhookEndpointCollection.Name)]
public sealed class WebhookEndpointTests(AppFixture fixture) : ApiTest(fixture)
{
    private const string Endpoints = "/api/v1/webhooks/endpoints";

    private sealed record Customer(string Admin, string Id, string Key, string Location);

    private async Task<Customer> NewCustomerAsync(string prefix)
    {
        var admin = await Fixture.CreateKeyAsync();
        var (customer, location) = await CustomerWithLocationAsync(admin, $"{prefix}-{Guid.NewGuid():N}"[..20]);
        var key = await Fixture.CreateKeyAsync(CallerClass.Customer, Scopes.All, customerId: customer);
        return new Customer(admin, customer, key, location);
    }

    private async Task<string> AddLocationAsync(Customer customer, string prefix)
    {
        var tenant = $"{prefix}-{Guid.NewGuid():N}"[..20];
        var added = await CallAsync(customer.Admin, s => s.Post.Json(new { tenant_id = tenant, name = tenant }).ToUrl($"/api/v1/customers/{customer.Id}/locations"));
        Assert.Equal(201, added.Context.Response.StatusCode);
        return tenant;
    }

    private static async Task<JsonElement> Json(IScenarioResult result) => JsonDocument.Parse(await result.ReadAsTextAsync()).RootElement;

    private Task<IScenarioResult> CreateAsync(string key, object body) => CallAsync(key, s => s.Post.Json(body).ToUrl(Endpoints));

    private async Task<JsonElement> CreatedAsync(string key, object body)
    {
        var created = await CreateAsync(key, body);
        Assert.True(created.Context.Response.StatusCode == 201, await created.ReadAsTextAsync());
        return await Json(created);
    }

    [Fact]
    public async Task create_read_list_change_rotate_and_delete_an_endpoint_with_its_secret_shown_only_when_made()
    {
        var customer = await NewCustomerAsync("wh-rt");
        var requests = new List<string>();
        var answers = new List<string>();

        var created = await CreateAsync(customer.Key, new
        {
            url = "https://127.0.0.1:9/hooks?source=raffssync", description = "Back office", event_types = new[] { "dispatch.failed", "dispatch.*", "dispatch.failed" },
            tenant_ids = new[] { customer.Location }, rate_limit = 10, ordered = true
        });
        Assert.Equal(201, created.Context.Response.StatusCode);
        var endpoint = await Json(created);
        var id = endpoint.GetProperty("id").GetString()!;
        Assert.Equal($"{Endpoints}/{id}", created.Context.Response.Headers.Location.ToString());
        var secret = endpoint.GetProperty("secret").GetString()!;
        Assert.StartsWith("whsec_", secret);
        Assert.Equal(32, Convert.FromBase64String(secret["whsec_".Length..]).Length);
        Assert.Equal(WebhookSignature.Fingerprint(secret), endpoint.GetProperty("secret_fingerprint").GetString());
        Assert.Equal(customer.Id, endpoint.GetProperty("customer_id").GetString());
        Assert.Equal("https://127.0.0.1:9/hooks?source=raffssync", endpoint.GetProperty("url").GetString());
        Assert.Equal(["dispatch.failed", "dispatch.*"], endpoint.GetProperty("event_types").EnumerateArray().Select(e => e.GetString()));
        Assert.Equal([customer.Location], endpoint.GetProperty("tenant_ids").EnumerateArray().Select(e => e.GetString()));
        Assert.True(endpoint.GetProperty("enabled").GetBoolean());
        Assert.True(endpoint.GetProperty("ordered").GetBoolean());
        Assert.Equal(10, endpoint.GetProperty("rate_limit").GetInt32());
        Assert.Equal(JsonValueKind.Null, endpoint.GetProperty("disabled_reason").ValueKind);
        Assert.Equal(JsonValueKind.Null, endpoint.GetProperty("previous_secret_valid_until").ValueKind);

        var read = await CallAsync(customer.Key, s => s.Get.Url($"{Endpoints}/{id}"));
        Assert.Equal(200, read.Context.Response.StatusCode);
        answers.Add(await read.ReadAsTextAsync());
        var shown = await Json(read);
        Assert.False(shown.TryGetProperty("secret", out _));
        Assert.Equal(endpoint.GetProperty("secret_fingerprint").GetString(), shown.GetProperty("secret_fingerprint").GetString());

        var list = await CallAsync(customer.Key, s => s.Get.Url(Endpoints));
        answers.Add(await list.ReadAsTextAsync());
        var page = await Json(list);
        Assert.Equal(1, page.GetProperty("total").GetInt64());
        Assert.Equal(id, page.GetProperty("data")[0].GetProperty("id").GetString());

        // PATCH: only what is sent changes; null removes the description and the rate limit.
        var patched = await CallAsync(customer.Key, s => s.Patch.Json(new { description = (string?)null, rate_limit = (int?)null, event_types = new[] { "*" }, enabled = false })
            .ToUrl($"{Endpoints}/{id}"));
        Assert.True(patched.Context.Response.StatusCode == 200, await patched.ReadAsTextAsync());
        answers.Add(await patched.ReadAsTextAsync());
        var changed = await Json(patched);
        Assert.Equal(JsonValueKind.Null, changed.GetProperty("description").ValueKind);
        Assert.Equal(JsonValueKind.Null, changed.GetProperty("rate_limit").ValueKind);
        Assert.Equal(["*"], changed.GetProperty("event_types").EnumerateArray().Select(e => e.GetString()));
        Assert.False(changed.GetProperty("enabled").GetBoolean());
        Assert.True(changed.GetProperty("ordered").GetBoolean());
        Assert.Equal("https://127.0.0.1:9/hooks?source=raffssync", changed.GetProperty("url").GetString());
        Assert.Equal(1, await Fixture.ScalarAsync("select count(*) from raffssync.mt_events where stream_id = $1::uuid and type = 'webhook_endpoint_changed'", id));

        // Sending what is there changes nothing.
        var again = await CallAsync(customer.Key, s => s.Patch.Json(new { enabled = false, event_types = new[] { "*" } }).ToUrl($"{Endpoints}/{id}"));
        Assert.Equal(200, again.Context.Response.StatusCode);
        Assert.Equal(1, await Fixture.ScalarAsync("select count(*) from raffssync.mt_events where stream_id = $1::uuid and type = 'webhook_endpoint_changed'", id));

        // Rotation: a new secret, the old one signing beside it for a day.
        var before = DateTimeOffset.UtcNow;
        var rotated = await CallAsync(customer.Key, s => s.Post.Url($"{Endpoints}/{id}/rotate-secret"));
        Assert.True(rotated.Context.Response.StatusCode == 200, await rotated.ReadAsTextAsync());
        var rotation = await Json(rotated);
        var newSecret = rotation.GetProperty("secret").GetString()!;
        Assert.StartsWith("whsec_", newSecret);
        Assert.NotEqual(secret, newSecret);
        var until = rotation.GetProperty("previous_secret_valid_until").GetDateTimeOffset();
        Assert.InRange(until, before.AddHours(24).AddSeconds(-5), DateTimeOffset.UtcNow.AddHours(24).AddSeconds(5));

        var afterRotation = await CallAsync(customer.Key, s => s.Get.Url($"{Endpoints}/{id}"));
        answers.Add(await afterRotation.ReadAsTextAsync());
        var view = await Json(afterRotation);
        Assert.Equal(WebhookSignature.Fingerprint(newSecret), view.GetProperty("secret_fingerprint").GetString());
        Assert.Equal(until, view.GetProperty("previous_secret_valid_until").GetDateTimeOffset());
        await using (var session = Fixture.Store.QuerySession())
        {
            var vault = Host.Services.GetRequiredService<SecretVault>();
            var signing = await WebhookSecrets.SigningSecretsAsync(session, vault, Guid.Parse(id), DateTimeOffset.UtcNow, CancellationToken.None);
            Assert.Equal([newSecret, secret], signing);
            Assert.Equal([newSecret], await WebhookSecrets.SigningSecretsAsync(session, vault, Guid.Parse(id), until.AddSeconds(1), CancellationToken.None));
        }

        // The secrets are in those two answers only: no event, document, other answer or log line holds them.
        foreach (var s in new[] { secret, newSecret })
        {
            Assert.All(answers, answer => Assert.DoesNotContain(s, answer));
            Assert.Equal(0, await Fixture.ScalarAsync("select count(*) from raffssync.mt_events where data::text like $1 or coalesce(headers::text, '') like $1", $"%{s}%"));
            foreach (var table in await DocumentTablesAsync())
                Assert.Equal(0, await Fixture.ScalarAsync($"select count(*) from raffssync.{table} t where t::text like $1", $"%{s}%"));
            Assert.DoesNotContain(Fixture.Logs.Lines, line => line.Contains(s));
        }
        Assert.Equal(1, await Fixture.ScalarAsync("select count(*) from raffssync.mt_doc_webhookendpointsecret where id = $1::uuid", id));

        // PATCH enabled: true starts it again.
        var enabled = await CallAsync(customer.Key, s => s.Patch.Json(new { enabled = true }).ToUrl($"{Endpoints}/{id}"));
        Assert.True((await Json(enabled)).GetProperty("enabled").GetBoolean());

        // Deleted: 204, then 404 everywhere, and its secrets are gone.
        var deleted = await CallAsync(customer.Key, s => s.Delete.Url($"{Endpoints}/{id}"));
        Assert.Equal(204, deleted.Context.Response.StatusCode);
        await (await CallAsync(customer.Key, s => s.Get.Url($"{Endpoints}/{id}"))).ShouldBeProblemAsync(404, "webhook_endpoint_not_found");
        await (await CallAsync(customer.Key, s => s.Patch.Json(new { enabled = true }).ToUrl($"{Endpoints}/{id}"))).ShouldBeProblemAsync(404, "webhook_endpoint_not_found");
        await (await CallAsync(customer.Key, s => s.Post.Url($"{Endpoints}/{id}/rotate-secret"))).ShouldBeProblemAsync(404, "webhook_endpoint_not_found");
        await (await CallAsync(customer.Key, s => s.Delete.Url($"{Endpoints}/{id}"))).ShouldBeProblemAsync(404, "webhook_endpoint_not_found");
        Assert.Equal(0, (await Json(await CallAsync(customer.Key, s => s.Get.Url(Endpoints)))).GetProperty("total").GetInt64());
        Assert.Equal(0, await Fixture.ScalarAsync("select count(*) from raffssync.mt_doc_webhookendpointsecret where id = $1::uuid", id));
        Assert.Equal(
            "webhook_endpoint_created,webhook_endpoint_changed,webhook_secret_rotated,webhook_endpoint_changed,webhook_endpoint_deleted",
            await Fixture.TextAsync("select string_agg(type, ',' order by version) from raffssync.mt_events where stream_id = $1::uuid", id));
    }

    [Fact]
    public async Task internal_callers_name_the_customer_and_may_list_one_customers_endpoints()
    {
        var alice = await NewCustomerAsync("wh-in-a");
        var bob = await NewCustomerAsync("wh-in-b");

        var unnamed = await CreateAsync(alice.Admin, new { url = "https://127.0.0.1/a", event_types = new[] { "*" } });
        var problem = await unnamed.ShouldBeProblemAsync(400, "validation_failed");
        Assert.Equal("customer_id", problem.GetProperty("details")[0].GetProperty("field").GetString());
        await (await CreateAsync(alice.Admin, new { url = "https://127.0.0.1/a", event_types = new[] { "*" }, customer_id = "cus_00000000000000000000000000000000" }))
            .ShouldBeProblemAsync(404, "not_found");

        var forAlice = await CreatedAsync(alice.Admin, new { url = "https://127.0.0.1/a", event_types = new[] { "*" }, customer_id = alice.Id });
        Assert.Equal(alice.Id, forAlice.GetProperty("customer_id").GetString());
        Assert.Equal(0, forAlice.GetProperty("tenant_ids").GetArrayLength());
        await CreatedAsync(bob.Key, new { url = "https://127.0.0.1/b", event_types = new[] { "*" }, customer_id = bob.Id });

        var onlyAlice = await Json(await CallAsync(alice.Admin, s => s.Get.Url($"{Endpoints}?customer_id={alice.Id}")));
        Assert.Equal([alice.Id], onlyAlice.GetProperty("data").EnumerateArray().Select(e => e.GetProperty("customer_id").GetString()));
        var all = await Json(await CallAsync(alice.Admin, s => s.Get.Url($"{Endpoints}?per_page=100")));
        Assert.Contains(all.GetProperty("data").EnumerateArray(), e => e.GetProperty("customer_id").GetString() == bob.Id);
        await (await CallAsync(alice.Admin, s => s.Get.Url($"{Endpoints}?status=failed"))).ShouldBeProblemAsync(400, "validation_failed");
    }

    [Fact]
    public async Task another_customer_gets_404_for_an_endpoint_cannot_list_it_and_cannot_subscribe_to_a_location_that_is_not_theirs()
    {
        var alice = await NewCustomerAsync("wh-iso-a");
        var bob = await NewCustomerAsync("wh-iso-b");
        var endpoint = await CreatedAsync(alice.Key, new { url = "https://127.0.0.1/alice", event_types = new[] { "dispatch.*" } });
        var id = endpoint.GetProperty("id").GetString()!;
        var before = await Fixture.ScalarAsync("select count(*) from raffssync.mt_events where stream_id = $1::uuid", id);

        await (await CallAsync(bob.Key, s => s.Get.Url($"{Endpoints}/{id}"))).ShouldBeProblemAsync(404, "webhook_endpoint_not_found");
        await (await CallAsync(bob.Key, s => s.Patch.Json(new { url = "https://127.0.0.1/bob" }).ToUrl($"{Endpoints}/{id}"))).ShouldBeProblemAsync(404, "webhook_endpoint_not_found");
        await (await CallAsync(bob.Key, s => s.Post.Url($"{Endpoints}/{id}/rotate-secret"))).ShouldBeProblemAsync(404, "webhook_endpoint_not_found");
        await (await CallAsync(bob.Key, s => s.Delete.Url($"{Endpoints}/{id}"))).ShouldBeProblemAsync(404, "webhook_endpoint_not_found");
        var bobs = await Json(await CallAsync(bob.Key, s => s.Get.Url(Endpoints)));
        Assert.Equal(0, bobs.GetProperty("total").GetInt64());
        Assert.Equal(0, (await Json(await CallAsync(bob.Key, s => s.Get.Url($"{Endpoints}?customer_id={alice.Id}")))).GetProperty("total").GetInt64());
        Assert.Equal(before, await Fixture.ScalarAsync("select count(*) from raffssync.mt_events where stream_id = $1::uuid", id));

        // Bob cannot create one for Alice, nor name her location.
        await (await CreateAsync(bob.Key, new { url = "https://127.0.0.1/bob", event_types = new[] { "*" }, customer_id = alice.Id }))
            .ShouldBeProblemAsync(404, "not_found");
        var foreign = await (await CreateAsync(bob.Key, new { url = "https://127.0.0.1/bob", event_types = new[] { "*" }, tenant_ids = new[] { bob.Location, alice.Location } }))
            .ShouldBeProblemAsync(400, "validation_failed");
        var detail = Assert.Single(foreign.GetProperty("details").EnumerateArray());
        Assert.Equal("tenant_ids[1]", detail.GetProperty("field").GetString());
        Assert.Equal("unknown", detail.GetProperty("issue").GetString());
        var bobsOwn = await CreatedAsync(bob.Key, new { url = "https://127.0.0.1/bob", event_types = new[] { "*" } });
        await (await CallAsync(bob.Key, s => s.Patch.Json(new { tenant_ids = new[] { alice.Location } }).ToUrl($"{Endpoints}/{bobsOwn.GetProperty("id").GetString()}")))
            .ShouldBeProblemAsync(400, "validation_failed");

        // Alice still reaches hers.
        Assert.Equal(200, (await CallAsync(alice.Key, s => s.Get.Url($"{Endpoints}/{id}"))).Context.Response.StatusCode);
    }

    [Fact]
    public async Task a_credential_limited_to_some_locations_manages_only_endpoints_limited_to_those()
    {
        var customer = await NewCustomerAsync("wh-bnd");
        var second = await AddLocationAsync(customer, "wh-bnd2");
        var bound = await Fixture.CreateKeyAsync(CallerClass.Customer, Scopes.All, locations: [second], customerId: customer.Id);
        var everything = await CreatedAsync(customer.Key, new { url = "https://127.0.0.1/all", event_types = new[] { "*" } });
        var first = await CreatedAsync(customer.Key, new { url = "https://127.0.0.1/first", event_types = new[] { "*" }, tenant_ids = new[] { customer.Location } });

        var own = await CreatedAsync(bound, new { url = "https://127.0.0.1/second", event_types = new[] { "*" } });
        Assert.Equal([second], own.GetProperty("tenant_ids").EnumerateArray().Select(t => t.GetString()));
        await (await CreateAsync(bound, new { url = "https://127.0.0.1/x", event_types = new[] { "*" }, tenant_ids = new[] { customer.Location } }))
            .ShouldBeProblemAsync(400, "validation_failed");
        foreach (var other in new[] { everything, first })
            await (await CallAsync(bound, s => s.Get.Url($"{Endpoints}/{other.GetProperty("id").GetString()}"))).ShouldBeProblemAsync(404, "webhook_endpoint_not_found");
        var listed = await Json(await CallAsync(bound, s => s.Get.Url(Endpoints)));
        Assert.Equal([own.GetProperty("id").GetString()], listed.GetProperty("data").EnumerateArray().Select(e => e.GetProperty("id").GetString()));
        Assert.Equal(1, listed.GetProperty("total").GetInt64());

        // Emptying its locations keeps it to the credential's own; the customer-wide key sees all three.
        var emptied = await CallAsync(bound, s => s.Patch.Json(new { tenant_ids = Array.Empty<string>() }).ToUrl($"{Endpoints}/{own.GetProperty("id").GetString()}"));
        Assert.Equal([second], (await Json(emptied)).GetProperty("tenant_ids").EnumerateArray().Select(t => t.GetString()));
        Assert.Equal(3, (await Json(await CallAsync(customer.Key, s => s.Get.Url(Endpoints)))).GetProperty("total").GetInt64());
    }

    [Fact]
    public async Task partners_are_refused_with_403_caller_class_forbidden()
    {
        var partner = await Fixture.CreateKeyAsync(CallerClass.Partner, [Scopes.WebhooksWrite]);
        // The endpoints' own events only: messages to this collection's other endpoints go on being delivered meanwhile.
        const string EndpointEvents = "select count(*) from raffssync.mt_events where type like 'webhook_endpoint%' or type = 'webhook_secret_rotated'";
        var before = await Fixture.ScalarAsync(EndpointEvents);

        await (await CreateAsync(partner, new { url = "https://127.0.0.1/p", event_types = new[] { "*" } })).ShouldBeProblemAsync(403, "caller_class_forbidden");
        await (await CallAsync(partner, s => s.Get.Url(Endpoints))).ShouldBeProblemAsync(403, "caller_class_forbidden");
        await (await CallAsync(partner, s => s.Get.Url($"{Endpoints}/{Guid.NewGuid()}"))).ShouldBeProblemAsync(403, "caller_class_forbidden");
        await (await CallAsync(partner, s => s.Patch.Json(new { enabled = false }).ToUrl($"{Endpoints}/{Guid.NewGuid()}"))).ShouldBeProblemAsync(403, "caller_class_forbidden");
        await (await CallAsync(partner, s => s.Post.Url($"{Endpoints}/{Guid.NewGuid()}/rotate-secret"))).ShouldBeProblemAsync(403, "caller_class_forbidden");
        await (await CallAsync(partner, s => s.Delete.Url($"{Endpoints}/{Guid.NewGuid()}"))).ShouldBeProblemAsync(403, "caller_class_forbidden");
        Assert.Equal(before, await Fixture.ScalarAsync(EndpointEvents));
        // The catalogue of event types is for every caller class holding the scope.
        Assert.Equal(200, (await CallAsync(partner, s => s.Get.Url("/api/v1/webhooks/event-types"))).Context.Response.StatusCode);
    }

    [Theory]
    [InlineData("""{"event_types": ["*"]}""", "url", "required")]
    [InlineData("""{"url": "hooks.example.com/x", "event_types": ["*"]}""", "url", "invalid")]
    [InlineData("""{"url": "ftp://127.0.0.1/x", "event_types": ["*"]}""", "url", "invalid")]
    [InlineData("""{"url": "https://user:pw@127.0.0.1/x", "event_types": ["*"]}""", "url", "invalid")]
    [InlineData("""{"url": "https://127.0.0.1/x"}""", "event_types", "required")]
    [InlineData("""{"url": "https://127.0.0.1/x", "event_types": []}""", "event_types", "required")]
    [InlineData("""{"url": "https://127.0.0.1/x", "event_types": ["dispatch.failed", "dispatch failed"]}""", "event_types[1]", "invalid")]
    [InlineData("""{"url": "https://127.0.0.1/x", "event_types": ["dispatch..failed"]}""", "event_types[0]", "invalid")]
    [InlineData("""{"url": "https://127.0.0.1/x", "event_types": ["dispatch.*.x"]}""", "event_types[0]", "invalid")]
    [InlineData("""{"url": "https://127.0.0.1/x", "event_types": ["*"], "rate_limit": 0}""", "rate_limit", "out_of_range")]
    [InlineData("""{"url": "https://127.0.0.1/x", "event_types": ["*"], "rate_limit": 1001}""", "rate_limit", "out_of_range")]
    [InlineData("""{"url": "https://127.0.0.1/x", "event_types": ["*"], "rate_limit": "5"}""", "rate_limit", "wrong_type")]
    [InlineData("""{"url": "https://127.0.0.1/x", "event_types": ["*"], "tenant_ids": [""]}""", "tenant_ids[0]", "required")]
    public async Task invalid_endpoints_are_400_validation_failed_naming_the_field_and_append_nothing(string body, string field, string issue)
    {
        var customer = await NewCustomerAsync("wh-val");
        var before = await Fixture.ScalarAsync(Database.EventsBesideDeliveriesSql);

        var refused = await CallAsync(customer.Key, s =>
        {
            s.Post.Text(body).ToUrl(Endpoints);
            s.WithRequestHeader("Content-Type", "application/json");
        });

        var problem = await refused.ShouldBeProblemAsync(400, "validation_failed");
        Assert.Contains(problem.GetProperty("details").EnumerateArray(),
            d => d.GetProperty("field").GetString() == field && d.GetProperty("issue").GetString() == issue);
        Assert.Equal(before, await Fixture.ScalarAsync(Database.EventsBesideDeliveriesSql));
    }

    [Fact]
    public async Task a_change_is_checked_like_a_creation_and_null_cannot_clear_what_every_endpoint_has()
    {
        var customer = await NewCustomerAsync("wh-pv");
        var id = (await CreatedAsync(customer.Key, new { url = "https://127.0.0.1/x", event_types = new[] { "*" } })).GetProperty("id").GetString()!;

        foreach (var (body, field, issue) in new[]
                 {
                     ("""{"rate_limit": 0}""", "rate_limit", "out_of_range"),
                     ("""{"event_types": []}""", "event_types", "required"),
                     ("""{"event_types": ["no spaces"]}""", "event_types[0]", "invalid"),
                     ("""{"url": "ftp://127.0.0.1/"}""", "url", "invalid"),
                     ("""{"url": null}""", "url", "null"),
                     ("""{"enabled": null}""", "enabled", "null"),
                     ("""{"ordered": "yes"}""", "ordered", "wrong_type"),
                     ("[]", "body", "not_an_object")
                 })
        {
            var refused = await CallAsync(customer.Key, s =>
            {
                s.Patch.Text(body).ToUrl($"{Endpoints}/{id}");
                s.WithRequestHeader("Content-Type", "application/json");
            });
            var problem = await refused.ShouldBeProblemAsync(400, "validation_failed");
            Assert.True(problem.GetProperty("details").EnumerateArray().Any(d => d.GetProperty("field").GetString() == field && d.GetProperty("issue").GetString() == issue),
                $"{body}: {problem}");
        }
        Assert.Equal(1, await Fixture.ScalarAsync("select count(*) from raffssync.mt_events where stream_id = $1::uuid", id));

        // Ids that are no endpoint's, the empty GUID among them, are the same 404.
        foreach (var nobody in new[] { Guid.Empty.ToString(), "not-a-guid", Guid.NewGuid().ToString() })
        {
            await (await CallAsync(customer.Key, s => s.Patch.Json(new { enabled = false }).ToUrl($"{Endpoints}/{nobody}"))).ShouldBeProblemAsync(404, "webhook_endpoint_not_found");
            await (await CallAsync(customer.Key, s => s.Post.Url($"{Endpoints}/{nobody}/rotate-secret"))).ShouldBeProblemAsync(404, "webhook_endpoint_not_found");
            await (await CallAsync(customer.Key, s => s.Delete.Url($"{Endpoints}/{nobody}"))).ShouldBeProblemAsync(404, "webhook_endpoint_not_found");
            await (await CallAsync(customer.Key, s => s.Get.Url($"{Endpoints}/{nobody}"))).ShouldBeProblemAsync(404, "webhook_endpoint_not_found");
        }
    }

    [Fact]
    public async Task the_event_types_are_listed_each_with_a_schema_of_its_data()
    {
        var key = await Fixture.CreateKeyAsync(CallerClass.Customer, [Scopes.WebhooksWrite], ["29"]);
        await Fixture.RegisterProviderAsync("kiosk", "https://kiosk.example",
            ("pos_order.created.forward", new RouteDefinition("forward", null, Event: "pos_order.created")),
            ("order.paid.forward", new RouteDefinition("forward", null, Event: "order.paid", Forward: new ForwardTarget("kiosk.payments"))));
        var types = await Json(await CallAsync(key, s => s.Get.Url("/api/v1/webhooks/event-types?per_page=100")));

        var data = types.GetProperty("data").EnumerateArray().ToList();
        Assert.Equal(WebhookEventTypes.Fixed, data.Select(t => t.GetProperty("name").GetString()).Take(WebhookEventTypes.Fixed.Count));
        // The forwarded types of the registry's forward routes follow: {provider}.{event}, or the route's own forward.event_type.
        var forwarded = data.Skip(WebhookEventTypes.Fixed.Count).Select(t => t.GetProperty("name").GetString()).ToList();
        Assert.Contains("kiosk.pos_order.created", forwarded);
        Assert.Contains("kiosk.payments", forwarded);
        Assert.All(data, t =>
        {
            Assert.False(string.IsNullOrWhiteSpace(t.GetProperty("description").GetString()));
            Assert.Equal("https://json-schema.org/draft/2020-12/schema", t.GetProperty("schema").GetProperty("$schema").GetString());
        });
        var failed = data.Single(t => t.GetProperty("name").GetString() == WebhookEventTypes.DispatchFailed).GetProperty("schema");
        Assert.Equal("object", failed.GetProperty("type").GetString());
        foreach (var member in new[] { "dispatch_id", "tenant_id", "provider", "route_key", "route_version", "status", "attempts", "failure_type", "reason", "completed_at" })
            Assert.True(failed.GetProperty("properties").TryGetProperty(member, out _), member);
        var disabled = data.Single(t => t.GetProperty("name").GetString() == WebhookEventTypes.EndpointDisabled).GetProperty("schema");
        Assert.Equal(["endpoint_id", "reason", "disabled_at"], disabled.GetProperty("required").EnumerateArray().Select(r => r.GetString()));
    }

    [Fact]
    public async Task the_webhooks_client_reaches_a_loopback_receiver_where_the_settings_allow_it()
    {
        // The counterpart of WebhookEgressTests' refusal: Testing admits loopback and http, so the same request goes through.
        await using var receiver = await LoopbackProvider.StartAsync();
        var client = Host.Services.GetRequiredService<IHttpClientFactory>().CreateClient(WebhookHttpClient.Name);

        using var response = await client.PostAsJsonAsync($"{receiver.BaseUrl}/hooks", new { type = "webhook.test" });

        Assert.Equal(200, (int)response.StatusCode);
        Assert.Equal("/hooks", Assert.Single(receiver.Received).PathAndQuery);
    }

    private async Task<IReadOnlyList<string>> DocumentTablesAsync()
    {
        var tables = await Fixture.TextAsync(
            "select string_agg(table_name, ',') from information_schema.tables where table_schema = 'raffssync' and table_name like 'mt_doc_%'");
        return tables.Split(',', StringSplitOptions.RemoveEmptyEntries);
    }
}
