using System.Diagnostics.Metrics;
using System.Text.Json;
using Alba;
using JasperFx.Events.Daemon;
using Marten;
using Marten.Events;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using RaffsSync.Api.Audit;
using RaffsSync.Api.Health;
using RaffsSync.Api.Tests.Harness;
using RaffsSync.Domain.Access;
using RaffsSync.Domain.Audit;

namespace RaffsSync.Api.Tests.Audit;

[Collection(AuditCollection.Name)]
public sealed class AuditLogTests(AppFixture fixture) : ApiTest(fixture)
{
    private static object Route(string path, int? version = null) => new
    {
        kind = "http", request = new { method = "POST", path }, success = new[] { 201 },
        backoff = new { strategy = "fixed", initial = "PT0.1S", max_attempts = 2, budget = "PT1M" }, version
    };

    /// <summary>Two customers with a location each, a provider with a route, and a dispatch per location.</summary>
    private async Task<World> WorldAsync(string name)
    {
        var provider = await LoopbackProvider.StartAsync();
        var admin = await Fixture.CreateKeyAsync();
        await CallAsync(admin, s => s.Post.Json(new { key = name, name, base_urls = new { sandbox = provider.BaseUrl } }).ToUrl("/api/v1/providers"));
        await CallAsync(admin, s => s.Put.Json(Route("/orders")).ToUrl($"/api/v1/providers/{name}/routes/orders"));

        var (alice, aliceLocation) = await CustomerWithLocationAsync(admin, $"{name}-a");
        var (bob, bobLocation) = await CustomerWithLocationAsync(admin, $"{name}-b");
        var aliceKey = await Fixture.CreateKeyAsync(CallerClass.Customer, Scopes.All, [aliceLocation], customerId: alice);
        var bobKey = await Fixture.CreateKeyAsync(CallerClass.Customer, Scopes.All, [bobLocation], customerId: bob);

        provider.Reply(201);
        provider.Reply(201);
        foreach (var (key, location) in new[] { (aliceKey, aliceLocation), (bobKey, bobLocation) })
            await ScenarioAndWaitAsync(PostDispatch(key, new { tenant_id = location, provider = name, route_key = "orders", payload = new { n = 1 } }));

        await CatchUpAsync();
        return new World(provider, admin, alice, aliceLocation, aliceKey, bob, bobLocation, bobKey);
    }

    private sealed record World(LoopbackProvider Provider, string Admin, string Alice, string AliceLocation, string AliceKey,
        string Bob, string BobLocation, string BobKey) : IAsyncDisposable
    {
        public ValueTask DisposeAsync() => Provider.DisposeAsync();
    }


    private Task CatchUpAsync() => Host.WaitForNonStaleProjectionDataAsync(TimeSpan.FromSeconds(60));

    private async Task<List<JsonElement>> AllPagesAsync(string key, string query)
    {
        var entries = new List<JsonElement>();
        string? cursor = null;
        while (true)
        {
            var page = await Host.GetAsJson<JsonElement>($"/api/v1/audit?limit=50&{query}" + (cursor is null ? "" : $"&cursor={cursor}"), key);
            entries.AddRange(page.GetProperty("data").EnumerateArray());
            cursor = page.GetProperty("next_cursor").GetString();
            if (!page.GetProperty("has_more").GetBoolean()) return entries;
        }
    }

    private async Task<JsonElement> VerifyAsync(string key, string query = "") =>
        await Host.GetAsJson<JsonElement>($"/api/v1/audit/verify{query}", key);

    [Fact]
    public async Task every_event_type_marten_knows_has_a_summary_and_every_recorded_event_is_in_the_log()
    {
        await using var world = await WorldAsync("audit-types");

        // Marten registers an event type when a projection handles it or a session first appends it.
        // Its own Archived and Compacted<T> are registered too, but RaffsSync never archives or compacts a stream.
        var known = Fixture.Store.Options.Events.AllKnownEventTypes().Select(t => t.EventType)
            .Where(t => t.Assembly != typeof(JasperFx.Events.Archived).Assembly).ToList();
        Assert.Equal(0, await Fixture.ScalarAsync("select count(*) from raffssync.mt_events where type in ('archived') or type like 'compacted%'"));
        Assert.NotEmpty(known);
        Assert.All(known, type => Assert.True(AuditSummaries.Covers(type), $"{type.Name} has no audit summary"));

        var recorded = await Fixture.ScalarAsync("select count(*) from raffssync.mt_events");
        var logged = await Fixture.ScalarAsync("select count(*) from raffssync.audit_log");
        var missing = await Fixture.ScalarAsync(
            "select count(*) from raffssync.mt_events e where not exists (select 1 from raffssync.audit_log a where a.sequence = e.seq_id)");
        var unnamed = await Fixture.ScalarAsync("select count(*) from raffssync.audit_log where summary = ''");
        Assert.Equal(0, missing);
        Assert.Equal(recorded, logged);
        Assert.Equal(0, unnamed);
    }

    [Fact]
    public async Task the_database_refuses_to_update_delete_or_truncate_entries()
    {
        await using var world = await WorldAsync("audit-immutable");
        var before = await Fixture.ScalarAsync("select count(*) from raffssync.audit_log");

        foreach (var sql in new[]
                 {
                     "update raffssync.audit_log set summary = 'nothing happened' where sequence = (select max(sequence) from raffssync.audit_log)",
                     "delete from raffssync.audit_log where sequence = (select max(sequence) from raffssync.audit_log)",
                     "truncate raffssync.audit_log"
                 })
        {
            var refused = await Assert.ThrowsAsync<PostgresException>(() => Fixture.ExecuteAsync(sql));
            Assert.Equal("42501", refused.SqlState);
            Assert.Contains("append-only", refused.MessageText);
        }

        Assert.Equal(before, await Fixture.ScalarAsync("select count(*) from raffssync.audit_log"));
        Assert.Equal(0, await Fixture.ScalarAsync("select count(*) from raffssync.audit_log where summary = 'nothing happened'"));
    }

    [Fact]
    public async Task verify_names_the_first_entry_edited_behind_the_applications_back()
    {
        await using var world = await WorldAsync("audit-tamper");
        Assert.True((await VerifyAsync(world.Admin)).GetProperty("verified").GetBoolean());

        var target = await Fixture.ScalarAsync(
            "select max(sequence) from raffssync.audit_log where event_type = 'dispatch_requested' and tenant_id = $1", world.AliceLocation);
        var original = await TextAsync("select data from raffssync.audit_log where sequence = $1", target);
        await TamperAsync($"update raffssync.audit_log set data = replace(data, '\"n\":1', '\"n\":2') where sequence = {target}");
        try
        {
            var verdict = await VerifyAsync(world.Admin);
            Assert.False(verdict.GetProperty("verified").GetBoolean());
            Assert.Equal(target, verdict.GetProperty("first_bad_sequence").GetInt64());

            // A range that ends before the edit is still sound; one that starts at it is not.
            Assert.True((await VerifyAsync(world.Admin, $"?to={target - 1}")).GetProperty("verified").GetBoolean());
            Assert.Equal(target, (await VerifyAsync(world.Admin, $"?from={target}&to={target}")).GetProperty("first_bad_sequence").GetInt64());
        }
        finally
        {
            await TamperAsync($"update raffssync.audit_log set data = '{original.Replace("'", "''")}' where sequence = {target}");
        }
        Assert.True((await VerifyAsync(world.Admin)).GetProperty("verified").GetBoolean());
    }

    /// <summary>What an attacker with the owner's rights could do: switch the guard off, edit, switch it on.</summary>
    private Task TamperAsync(string sql) => Fixture.ExecuteAsync(
        $"begin; alter table raffssync.audit_log disable trigger audit_log_no_update_or_delete; {sql}; " +
        "alter table raffssync.audit_log enable trigger audit_log_no_update_or_delete; commit;");

    private async Task<string> TextAsync(string sql, long parameter)
    {
        await using var connection = new NpgsqlConnection(Fixture.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection) { Parameters = { new NpgsqlParameter { Value = parameter } } };
        return (string)(await command.ExecuteScalarAsync())!;
    }

    [Fact]
    public async Task a_rebuild_reproduces_every_hash()
    {
        await using var world = await WorldAsync("audit-rebuild");
        var before = await HashesAsync();

        var coordinator = Host.Services.GetRequiredService<Marten.Events.Daemon.Coordination.IProjectionCoordinator>();
        await coordinator.PauseAsync();
        try
        {
            await AuditLogRebuild.EmptyAsync(Fixture.Store, coordinator.DaemonForMainDatabase(), CancellationToken.None);
            Assert.Equal(0, await Fixture.ScalarAsync("select count(*) from raffssync.audit_log"));
        }
        finally
        {
            await coordinator.ResumeAsync();
        }
        await CatchUpAsync();

        var after = await HashesAsync();
        Assert.True(before.Count > 20);
        Assert.Equal(before, after.Take(before.Count).ToList());
        Assert.True((await VerifyAsync(world.Admin)).GetProperty("verified").GetBoolean());
    }

    private async Task<List<(long, string)>> HashesAsync()
    {
        await using var connection = new NpgsqlConnection(Fixture.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("select sequence, hash from raffssync.audit_log order by sequence", connection);
        await using var reader = await command.ExecuteReaderAsync();
        var hashes = new List<(long, string)>();
        while (await reader.ReadAsync()) hashes.Add((reader.GetInt64(0), reader.GetString(1)));
        return hashes;
    }

    [Fact]
    public async Task cursor_pages_return_every_entry_exactly_once_while_entries_are_appended()
    {
        await using var world = await WorldAsync("audit-cursor");
        using var stop = new CancellationTokenSource();
        var appended = 0;
        var writer = Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                await CallAsync(world.Admin, s => s.Put.Json(Route($"/orders/{appended}", version: appended + 1))
                    .ToUrl("/api/v1/providers/audit-cursor/routes/orders"));
                appended++;
            }
        });

        var seen = new List<long>();
        string? cursor = null;
        for (var pages = 0; pages < 200 && (appended < 10 || pages < 5); pages++)
        {
            var page = await Host.GetAsJson<JsonElement>("/api/v1/audit?limit=7" + (cursor is null ? "" : $"&cursor={cursor}"), world.Admin);
            seen.AddRange(page.GetProperty("data").EnumerateArray().Select(e => e.GetProperty("sequence").GetInt64()));
            cursor = page.GetProperty("next_cursor").GetString() ?? cursor;
            if (!page.GetProperty("has_more").GetBoolean()) await Task.Delay(20);
        }
        await stop.CancelAsync();
        await writer;
        await CatchUpAsync();

        // Drain what is left, then compare with the table itself.
        while (true)
        {
            var page = await Host.GetAsJson<JsonElement>($"/api/v1/audit?limit=100&cursor={cursor}", world.Admin);
            seen.AddRange(page.GetProperty("data").EnumerateArray().Select(e => e.GetProperty("sequence").GetInt64()));
            cursor = page.GetProperty("next_cursor").GetString();
            if (!page.GetProperty("has_more").GetBoolean()) break;
        }

        Assert.True(appended >= 10, $"only {appended} route revisions were appended while paging");
        Assert.Equal(seen.Distinct().Count(), seen.Count);
        Assert.Equal((await HashesAsync()).Select(h => h.Item1), seen);
    }

    [Fact]
    public async Task a_customer_reads_its_own_entries_and_the_registrys_and_another_location_is_not_found()
    {
        await using var world = await WorldAsync("audit-isolation");

        var entries = await AllPagesAsync(world.AliceKey, "");
        Assert.Contains(entries, e => e.GetProperty("tenant_id").GetString() == world.AliceLocation);
        Assert.Contains(entries, e => e.GetProperty("scope").GetString() == "registry");
        Assert.Contains(entries, e => e.GetProperty("customer_id").GetString() == world.Alice);
        Assert.All(entries, e => Assert.True(
            e.GetProperty("tenant_id").GetString() == world.AliceLocation
            || e.GetProperty("customer_id").GetString() == world.Alice
            || e.GetProperty("scope").GetString() == "registry",
            $"entry {e.GetProperty("sequence")} ({e.GetProperty("summary")}) is not Alice's"));
        Assert.DoesNotContain(entries, e => e.GetProperty("summary").GetString()!.Contains(world.BobLocation));

        var other = await CallAsync(world.AliceKey, s => s.Get.Url("/api/v1/audit").QueryString("tenant_id", world.BobLocation));
        await other.ShouldBeProblemAsync(404, "not_found");
        var otherExport = await CallAsync(world.AliceKey, s => s.Get.Url("/api/v1/audit/export").QueryString("tenant_id", world.BobLocation));
        await otherExport.ShouldBeProblemAsync(404, "not_found");
        var verify = await CallAsync(world.AliceKey, s => s.Get.Url("/api/v1/audit/verify"));
        await verify.ShouldBeProblemAsync(403, "caller_class_forbidden");

        var partner = await Fixture.CreateKeyAsync(CallerClass.Partner, [Scopes.AuditRead, Scopes.RegistryRead]);
        await (await CallAsync(partner, s => s.Get.Url("/api/v1/audit"))).ShouldBeProblemAsync(403, "caller_class_forbidden");
        var noScope = await Fixture.CreateKeyAsync(CallerClass.Customer, [Scopes.DispatchesRead], [world.AliceLocation], customerId: world.Alice);
        await (await CallAsync(noScope, s => s.Get.Url("/api/v1/audit"))).ShouldBeProblemAsync(403, "insufficient_scope");
    }

    [Fact]
    public async Task who_changed_a_route_when_from_which_request_and_which_dispatches_ran_with_the_old_version()
    {
        await using var world = await WorldAsync("audit-story");
        await CallAsync(world.Admin, s => s.Put.Json(Route("/v2/orders", version: 1)).ToUrl("/api/v1/providers/audit-story/routes/orders"),
            requestId: "change-orders-route-42");
        await CatchUpAsync();

        // 1. Who changed the route, when, from which request.
        var changes = await Host.GetAsJson<JsonElement>(
            "/api/v1/audit?stream_id=route:audit-story/orders&event_type=route_revised", world.AliceKey);
        var change = Assert.Single(changes.GetProperty("data").EnumerateArray());
        Assert.Equal("change-orders-route-42", change.GetProperty("request_id").GetString());
        Assert.Equal("internal", change.GetProperty("caller_class").GetString());
        Assert.False(string.IsNullOrEmpty(change.GetProperty("actor").GetString()));
        Assert.Equal("Route audit-story/orders revised to v2", change.GetProperty("summary").GetString());
        Assert.True(change.TryGetProperty("occurred_at", out _));

        // 2. Which of my dispatches ran with the version before it.
        var old = await Host.GetAsJson<JsonElement>("/api/v1/dispatches?provider=audit-story&route_key=orders&route_version=1", world.AliceKey);
        var dispatch = Assert.Single(old.GetProperty("data").EnumerateArray());
        Assert.Equal(world.AliceLocation, dispatch.GetProperty("tenant_id").GetString());
    }

    [Fact]
    public async Task filters_pages_and_bad_input()
    {
        await using var world = await WorldAsync("audit-filters");
        var requestId = "audit-filter-" + Guid.NewGuid().ToString("N");
        world.Provider.Reply(201);
        await ScenarioAndWaitAsync(PostDispatch(world.AliceKey,
            new { tenant_id = world.AliceLocation, provider = "audit-filters", route_key = "orders", payload = new { n = 3 } }, requestId));
        await CatchUpAsync();

        var byRequest = await AllPagesAsync(world.AliceKey, $"request_id={requestId}");
        Assert.True(byRequest.Count >= 4, "requested, attempt started, provider responded, succeeded");
        Assert.All(byRequest, e => Assert.Equal(requestId, e.GetProperty("request_id").GetString()));
        Assert.Equal(byRequest.Select(e => e.GetProperty("sequence").GetInt64()).Order(), byRequest.Select(e => e.GetProperty("sequence").GetInt64()));
        // The executor's events carry the requester as their actor, like the request's own.
        Assert.All(byRequest, e => Assert.Equal("customer", e.GetProperty("caller_class").GetString()));
        Assert.Single(byRequest.Select(e => e.GetProperty("actor").GetString()).Distinct());

        var first = byRequest[0].GetProperty("occurred_at").GetDateTimeOffset();
        var page = await Host.GetAsJson<JsonElement>(
            $"/api/v1/audit?page=1&per_page=2&sort=-occurred_at&event_type=dispatch_requested,dispatch_succeeded&occurred_at[gte]={Uri.EscapeDataString(first.ToString("O"))}",
            world.AliceKey);
        Assert.Equal(2, page.GetProperty("total").GetInt64());
        Assert.Equal(["dispatch_succeeded", "dispatch_requested"],
            page.GetProperty("data").EnumerateArray().Select(e => e.GetProperty("event_type").GetString()));
        Assert.Equal(1, page.GetProperty("last_page").GetInt32());

        var actor = byRequest[0].GetProperty("actor").GetString()!;
        var byActor = await AllPagesAsync(world.Admin, $"actor={actor}&tenant_id={world.AliceLocation}");
        Assert.All(byActor, e => Assert.Equal(actor, e.GetProperty("actor").GetString()));

        foreach (var (query, field) in new[]
                 {
                     ("colour=red", "colour"), ("occurred_at[gte]=yesterday", "occurred_at[gte]"), ("cursor=bm90LWEtY3Vyc29y", "cursor"),
                     ("limit=0", "limit"), ("page=1000&per_page=100", "page"), ("sort=summary", "sort"), ("cursor=x&page=2", "cursor")
                 })
        {
            var bad = await CallAsync(world.AliceKey, s => s.Get.Url("/api/v1/audit?" + query));
            var problem = await bad.ShouldBeProblemAsync(400, "validation_failed");
            Assert.Contains(problem.GetProperty("details").EnumerateArray(), d => d.GetProperty("field").GetString() == field);
        }
    }

    [Fact]
    public async Task exports_stream_the_same_entries_as_the_list_with_secrets_redacted()
    {
        await using var world = await WorldAsync("audit-export");
        var listed = await AllPagesAsync(world.AliceKey, "");

        var ndjson = await CallAsync(world.AliceKey, s => s.Get.Url("/api/v1/audit/export"));
        Assert.Equal(200, ndjson.Context.Response.StatusCode);
        Assert.StartsWith("application/x-ndjson", ndjson.Context.Response.ContentType);
        var lines = (await ndjson.ReadAsTextAsync()).Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(l => JsonDocument.Parse(l).RootElement).ToList();
        Assert.Equal(listed.Select(e => e.GetProperty("hash").GetString()), lines.Select(e => e.GetProperty("hash").GetString()));

        var csv = await CallAsync(world.AliceKey, s =>
        {
            s.Get.Url("/api/v1/audit/export");
            s.WithRequestHeader("Accept", "text/csv");
        });
        Assert.StartsWith("text/csv", csv.Context.Response.ContentType);
        var rows = (await csv.ReadAsTextAsync()).Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
        Assert.StartsWith("sequence,occurred_at,scope,tenant_id", rows[0]);
        Assert.Equal(listed.Count, rows.Length - 1);

        var keyCreated = Assert.Single(listed, e => e.GetProperty("event_type").GetString() == "api_key_created"
                                                 && e.GetProperty("customer_id").GetString() == world.Alice);
        Assert.Equal(AuditRedaction.Redacted, keyCreated.GetProperty("data").GetProperty("secret_hash").GetString());
        await using var session = Fixture.Store.QuerySession();
        var hashes = await session.AdvancedSql.QueryAsync<string>("select data->>'secret_hash' from raffssync.mt_events where type = 'api_key_created'", CancellationToken.None);
        var everything = await (await CallAsync(world.Admin, s => s.Get.Url("/api/v1/audit/export"))).ReadAsTextAsync();
        Assert.All(hashes, hash => Assert.DoesNotContain(hash, everything));
    }

    [Fact]
    public async Task readiness_and_the_lag_gauge_show_how_far_behind_the_daemon_is()
    {
        await using var world = await WorldAsync("audit-lag");
        var gauge = new Dictionary<string, long>();
        using var listener = new MeterListener();
        // Every test host in this process has the gauge: listen to this host's only.
        var meters = Host.Services.GetRequiredService<IMeterFactory>();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Name == ProjectionLagGauge.GaugeName && instrument.Meter.Scope == meters) l.EnableMeasurementEvents(instrument);
        };
        listener.SetMeasurementEventCallback<long>((_, value, tags, _) => gauge[(string)tags[0].Value!] = value);
        listener.Start();

        var coordinator = Host.Services.GetRequiredService<Marten.Events.Daemon.Coordination.IProjectionCoordinator>();
        await coordinator.PauseAsync();
        try
        {
            await CallAsync(world.Admin, s => s.Put.Json(Route("/paused", version: 1)).ToUrl("/api/v1/providers/audit-lag/routes/orders"));
            var behind = await ReadinessAsync();
            Assert.True(behind.GetProperty("AuditLog:All").GetInt64() >= 1);
            listener.RecordObservableInstruments();
            Assert.True(gauge["AuditLog:All"] >= 1);
        }
        finally
        {
            await coordinator.ResumeAsync();
        }

        await CatchUpAsync();
        var current = await ReadinessAsync();
        Assert.Equal(0, current.GetProperty("AuditLog:All").GetInt64());
        Assert.Equal(0, current.GetProperty("DispatchDay:All").GetInt64());
        listener.RecordObservableInstruments();
        Assert.Equal(0, gauge["AuditLog:All"]);
    }

    private async Task<JsonElement> ReadinessAsync()
    {
        var ready = await Host.Scenario(s => s.Get.Url("/health/ready"));
        var body = await ready.ReadAsJsonAsync<JsonElement>();
        Assert.Equal("Healthy", body.GetProperty("checks").GetProperty("database").GetProperty("status").GetString());
        return body.GetProperty("checks").GetProperty("projections").GetProperty("data");
    }

    [Fact]
    public async Task an_oauth_client_is_the_actor_of_what_its_tokens_do()
    {
        await using var world = await WorldAsync("audit-oauth");
        var registered = await (await CallAsync(world.AliceKey, s => s.Post.Json(new { name = "erp", scopes = new[] { "dispatches:write" }, locations = new[] { world.AliceLocation } })
            .ToUrl("/api/v1/oauth/clients"))).ReadAsJsonAsync<JsonElement>();
        var clientId = registered.GetProperty("client_id").GetString()!;
        var token = (await (await Host.Scenario(s => s.Post.Json(new
        {
            grant_type = "client_credentials", client_id = clientId, client_secret = registered.GetProperty("client_secret").GetString()
        }).ToUrl("/api/v1/oauth/token"))).ReadAsJsonAsync<JsonElement>()).GetProperty("access_token").GetString()!;

        world.Provider.Reply(201);
        var accepted = await ScenarioAndWaitAsync(PostDispatch(token,
            new { tenant_id = world.AliceLocation, provider = "audit-oauth", route_key = "orders", payload = new { n = 4 } }, "audit-oauth-1"));
        Assert.True(202 == accepted.Context.Response.StatusCode, await accepted.ReadAsTextAsync());
        await CatchUpAsync();

        var entries = await AllPagesAsync(world.AliceKey, "request_id=audit-oauth-1");
        Assert.NotEmpty(entries);
        Assert.All(entries, e =>
        {
            Assert.Equal(clientId, e.GetProperty("actor").GetString());
            Assert.Equal("customer", e.GetProperty("caller_class").GetString());
        });
        var registration = Assert.Single(await AllPagesAsync(world.AliceKey, "event_type=o_auth_client_registered"),
            e => e.GetProperty("data").GetProperty("client_id").GetString() == clientId);
        Assert.Equal(AuditRedaction.Redacted, registration.GetProperty("data").GetProperty("secret_hash").GetString());
        Assert.Equal(world.Alice, registration.GetProperty("customer_id").GetString());
    }
}
