using System.Text.Json;
using Alba;
using Marten;
using Marten.Events;
using Npgsql;
using RaffsSync.Api.Tests.Harness;
using RaffsSync.Domain.Access;
using RaffsSync.Domain.Dispatches;
using RaffsSync.Domain.Reports;

namespace RaffsSync.Api.Tests.Reports;

[Collection(ReportCollection.Name)]
public sealed class DispatchReportTests(AppFixture fixture) : ApiTest(fixture)
{
    private static object Route(string path) => new
    {
        kind = "http", request = new { method = "POST", path }, success = new[] { 201 },
        error_rules = new object[]
        {
            new { status = new[] { 503 }, action = "retry" },
            new { status = new[] { 400 }, action = "fail", failure_type = "rejected" }
        },
        backoff = new { strategy = "fixed", initial = "PT0.05S", max_attempts = 3, budget = "PT1M" }
    };


    /// <summary>One dispatch at a time, each with its own provider answers, until it stops.</summary>
    private async Task<string> DispatchAsync(string key, LoopbackProvider provider, string tenant, string providerKey, string routeKey,
        params ProviderReply[] replies)
    {
        foreach (var reply in replies)
            if (reply.Delay > TimeSpan.Zero) provider.ReplyAfter(reply.Delay, reply.Status);
            else provider.Reply(reply.Status);
        var accepted = await Host.Scenario(PostDispatch(key, new { tenant_id = tenant, provider = providerKey, route_key = routeKey, payload = new { } }));
        var location = accepted.Context.Response.Headers.Location.ToString();
        await WaitForStatusAsync(location, key, "succeeded", "failed", "dead_lettered");
        return location;
    }

    private static ProviderReply Ok(int ms = 0) => new(201, Delay: TimeSpan.FromMilliseconds(ms));
    private static ProviderReply Unavailable => new(503);
    private static ProviderReply Rejected => new(400);

    [Fact]
    public async Task report_numbers_equal_those_recomputed_from_the_raw_events()
    {
        await using var provider = await LoopbackProvider.StartAsync();
        var admin = await Fixture.CreateKeyAsync();
        foreach (var key in new[] { "report-pos", "report-erp" })
        {
            await CallAsync(admin, s => s.Post.Json(new { key, name = key, base_urls = new { sandbox = provider.BaseUrl } }).ToUrl("/api/v1/providers"));
            await CallAsync(admin, s => s.Put.Json(Route("/orders")).ToUrl($"/api/v1/providers/{key}/routes/orders.push"));
            await CallAsync(admin, s => s.Put.Json(Route("/stock")).ToUrl($"/api/v1/providers/{key}/routes/stock.sync"));
        }

        var (_, first) = await CustomerWithLocationAsync(admin, "report-1");
        var (_, second) = await CustomerWithLocationAsync(admin, "report-2");
        await DispatchAsync(admin, provider, first, "report-pos", "orders.push", Ok(5));
        await DispatchAsync(admin, provider, first, "report-pos", "orders.push", Ok(60));
        await DispatchAsync(admin, provider, first, "report-pos", "orders.push", Unavailable, Ok(130));
        await DispatchAsync(admin, provider, first, "report-pos", "orders.push", Rejected);
        await DispatchAsync(admin, provider, first, "report-pos", "stock.sync", Unavailable, Unavailable, Unavailable);
        await DispatchAsync(admin, provider, second, "report-pos", "orders.push", Ok(20));
        await DispatchAsync(admin, provider, second, "report-erp", "stock.sync", Ok(250));
        var replayed = await DispatchAsync(admin, provider, second, "report-erp", "orders.push", Rejected);
        provider.Reply(201);
        var replay = await CallAsync(admin, s => s.Post.Json(new { route_version = "current", reason = "fixed" }).ToUrl(replayed + "/replay"));
        Assert.Equal(202, replay.Context.Response.StatusCode);
        await WaitForStatusAsync(replayed, admin, "succeeded");
        await Host.WaitForNonStaleProjectionDataAsync(TimeSpan.FromSeconds(60));

        var expected = await RecomputeFromRawEventsAsync([first, second]);
        // The seeded set exercises every counter, so each comparison below can fail.
        Assert.All(new Func<Expected, int>[] { d => d.Succeeded, d => d.Failed, d => d.DeadLettered, d => d.Retries, d => d.Replays },
            count => Assert.True(expected.Values.Sum(count) > 0));
        var report = await Host.GetAsJson<JsonElement>(
            $"/api/v1/reports/dispatches?group_by=tenant_id,provider,route_key,day&tenant_id={first},{second}", admin);
        var rows = report.GetProperty("data").EnumerateArray().ToList();

        Assert.Equal(expected.Keys.Order(), rows.Select(Key).Order());
        foreach (var row in rows)
        {
            var day = expected[Key(row)];
            Assert.Equal(day.Requested, row.GetProperty("requested").GetInt32());
            Assert.Equal(day.Succeeded, row.GetProperty("succeeded").GetInt32());
            Assert.Equal(day.Failed, row.GetProperty("failed").GetInt32());
            Assert.Equal(day.DeadLettered, row.GetProperty("dead_lettered").GetInt32());
            Assert.Equal(day.Attempts, row.GetProperty("attempts").GetInt32());
            Assert.Equal(day.Retries, row.GetProperty("retries").GetInt32());
            Assert.Equal(day.Replays, row.GetProperty("replays").GetInt32());
            Assert.Equal(day.Latencies.Count, row.GetProperty("latency_ms").GetProperty("samples").GetInt64());

            var finished = day.Succeeded + day.Failed + day.DeadLettered;
            Assert.Equal(Math.Round((double)day.Succeeded / finished, 4), row.GetProperty("success_rate").GetDouble());
            foreach (var (name, q) in new[] { ("p50", 0.50), ("p95", 0.95), ("p99", 0.99) })
            {
                var exact = NearestRank(day.Latencies, q);
                var reported = row.GetProperty("latency_ms").GetProperty(name).GetDouble();
                // A histogram gives the bucket, not the value: the exact percentile lies in the reported one's bucket.
                Assert.Equal(LatencyHistogram.BucketOf(exact), LatencyHistogram.BucketOf((long)Math.Ceiling(reported)));
            }
        }

        // Coarser groupings add the same days up.
        var byProvider = await Host.GetAsJson<JsonElement>($"/api/v1/reports/dispatches?group_by=provider&provider=report-pos&tenant_id={first},{second}", admin);
        var pos = Assert.Single(byProvider.GetProperty("data").EnumerateArray());
        Assert.Equal(expected.Where(e => e.Key.Contains("|report-pos|")).Sum(e => e.Value.Requested), pos.GetProperty("requested").GetInt32());
        Assert.False(pos.TryGetProperty("route_key", out _));
    }

    private static string Key(JsonElement row) => string.Join('|', new[] { "tenant_id", "provider", "route_key", "day" }
        .Select(k => row.GetProperty(k).GetString()));

    private static long NearestRank(List<long> values, double q)
    {
        var sorted = values.Order().ToList();
        return sorted[(int)Math.Max(0, Math.Ceiling(q * sorted.Count) - 1)];
    }

    private sealed class Expected
    {
        public int Requested, Succeeded, Failed, DeadLettered, Attempts, Retries, Replays;
        public List<long> Latencies { get; } = [];
    }

    /// <summary>The report computed straight from the event store, without the projection's code.</summary>
    private async Task<Dictionary<string, Expected>> RecomputeFromRawEventsAsync(IReadOnlyList<string> tenants)
    {
        var days = new Dictionary<string, Expected>();
        foreach (var tenant in tenants)
        {
            await using var session = Fixture.Store.QuerySession(tenant);
            var events = await session.Events.QueryAllRawEvents().Where(e => e.TenantId == tenant).OrderBy(e => e.Sequence).ToListAsync();
            var dayOf = new Dictionary<Guid, string>();
            foreach (var e in events)
            {
                if (e.Data is DispatchRequested r)
                    dayOf[e.StreamId] = $"{tenant}|{r.Provider}|{r.RouteKey}|{r.RequestedAt.UtcDateTime:yyyy-MM-dd}";
                if (!dayOf.TryGetValue(e.StreamId, out var key)) continue;
                var day = days.TryGetValue(key, out var d) ? d : days[key] = new Expected();
                switch (e.Data)
                {
                    case DispatchRequested: day.Requested++; break;
                    case DispatchAttemptStarted: day.Attempts++; break;
                    case ProviderResponded p: day.Latencies.Add(p.LatencyMs); break;
                    case DispatchRetryScheduled: day.Retries++; break;
                    case DispatchReplayRequested: day.Replays++; break;
                    case DispatchSucceeded: day.Succeeded++; break;
                    case DispatchFailed: day.Failed++; break;
                    case DispatchDeadLettered: day.DeadLettered++; break;
                }
            }
        }
        return days;
    }

    [Fact]
    public async Task a_customer_sees_only_its_locations_and_another_location_is_not_found()
    {
        await using var provider = await LoopbackProvider.StartAsync();
        var admin = await Fixture.CreateKeyAsync();
        await CallAsync(admin, s => s.Post.Json(new { key = "report-iso", name = "Iso", base_urls = new { sandbox = provider.BaseUrl } }).ToUrl("/api/v1/providers"));
        await CallAsync(admin, s => s.Put.Json(Route("/orders")).ToUrl("/api/v1/providers/report-iso/routes/orders.push"));
        var (alice, aliceLocation) = await CustomerWithLocationAsync(admin, "report-iso-a");
        var (bob, bobLocation) = await CustomerWithLocationAsync(admin, "report-iso-b");
        var aliceKey = await Fixture.CreateKeyAsync(CallerClass.Customer, Scopes.All, [aliceLocation], customerId: alice);
        var bobKey = await Fixture.CreateKeyAsync(CallerClass.Customer, Scopes.All, [bobLocation], customerId: bob);
        await DispatchAsync(aliceKey, provider, aliceLocation, "report-iso", "orders.push", Ok());
        await DispatchAsync(bobKey, provider, bobLocation, "report-iso", "orders.push", Ok());
        await DispatchAsync(bobKey, provider, bobLocation, "report-iso", "orders.push", Ok());
        await Host.WaitForNonStaleProjectionDataAsync(TimeSpan.FromSeconds(60));

        var mine = await Host.GetAsJson<JsonElement>("/api/v1/reports/dispatches?group_by=tenant_id", aliceKey);
        var row = Assert.Single(mine.GetProperty("data").EnumerateArray());
        Assert.Equal(aliceLocation, row.GetProperty("tenant_id").GetString());
        Assert.Equal(1, row.GetProperty("requested").GetInt32());

        var theirs = await CallAsync(aliceKey, s => s.Get.Url("/api/v1/reports/dispatches").QueryString("tenant_id", bobLocation));
        await theirs.ShouldBeProblemAsync(404, "not_found");

        var all = await Host.GetAsJson<JsonElement>("/api/v1/reports/dispatches?group_by=tenant_id&provider=report-iso", admin);
        Assert.Equal(2, all.GetProperty("data").GetArrayLength());
    }

    [Fact]
    public async Task bad_groupings_and_ranges_are_refused_with_the_field_named()
    {
        var key = await Fixture.CreateKeyAsync();
        foreach (var (query, field) in new[]
                 {
                     ("group_by=colour", "group_by"), ("group_by=day,day", "group_by"), ("from=2026-13-01", "from"),
                     ("from=2026-11-02&to=2026-11-01", "from"), ("from=2020-01-01&to=2026-11-01", "to"), ("tenant=1", "tenant")
                 })
        {
            var bad = await CallAsync(key, s => s.Get.Url("/api/v1/reports/dispatches?" + query));
            var problem = await bad.ShouldBeProblemAsync(400, "validation_failed");
            Assert.Contains(problem.GetProperty("details").EnumerateArray(), d => d.GetProperty("field").GetString() == field);
        }

        var partner = await Fixture.CreateKeyAsync(CallerClass.Partner, [Scopes.ReportsRead]);
        await (await CallAsync(partner, s => s.Get.Url("/api/v1/reports/dispatches"))).ShouldBeProblemAsync(403, "caller_class_forbidden");
    }

    [Fact]
    public async Task bi_tools_read_the_reporting_views_with_a_read_only_role_and_nothing_else()
    {
        var role = "raffssync_bi_test";
        await Fixture.ExecuteAsync($"""
            do $$ begin
              if not exists (select 1 from pg_roles where rolname = '{role}') then create role {role} login password 'bi'; end if;
            end $$;
            grant usage on schema raffssync_reporting to {role};
            grant select on all tables in schema raffssync_reporting to {role};
            """);
        var builder = new NpgsqlConnectionStringBuilder(Fixture.ConnectionString) { Username = role, Password = "bi" };
        await using var connection = new NpgsqlConnection(builder.ConnectionString);
        await connection.OpenAsync();

        foreach (var view in new[] { "dispatch_daily", "latency_buckets", "audit_log" })
        {
            await using var read = new NpgsqlCommand($"select count(*) from raffssync_reporting.{view}", connection);
            Assert.True((long)(await read.ExecuteScalarAsync())! >= 0);
        }
        await using (var buckets = new NpgsqlCommand("select count(*) from raffssync_reporting.latency_buckets", connection))
            Assert.Equal(LatencyHistogram.BucketCount, (long)(await buckets.ExecuteScalarAsync())!);

        foreach (var sql in new[] { "select count(*) from raffssync.mt_events", "delete from raffssync_reporting.audit_log" })
        {
            await using var refused = new NpgsqlCommand(sql, connection);
            var error = await Assert.ThrowsAsync<PostgresException>(() => refused.ExecuteNonQueryAsync());
            Assert.Equal("42501", error.SqlState);
        }
    }
}
