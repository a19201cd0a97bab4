using System.Text.Json;
using Alba;
using JasperFx.Events.Daemon;
using Marten;
using Marten.Events;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using RaffsSync.Api.Access;
using RaffsSync.Api.Tests.Harness;
using RaffsSync.Domain;
using RaffsSync.Domain.Access;
using RaffsSync.Domain.Audit;

namespace RaffsSync.Api.Tests.Audit;

/// <summary>One event must never stop the audit log, and a stopped shard must show in readiness at once. Own hosts: these break their database on purpose.</summary>
public sealed class AuditPoisonTests
{
    private static async Task<T> ScalarAsync<T>(OwnDatabase database, string sql)
    {
        await using var connection = new NpgsqlConnection(database.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        return (T)(await command.ExecuteScalarAsync())!;
    }

    [Fact]
    public async Task identifiers_too_long_for_an_index_are_stored_as_prefix_and_hash_and_the_log_goes_on()
    {
        var database = await OwnDatabase.CreateAsync();
        await using var host = await database.StartHostAsync();
        var admin = await host.CreateInternalKeyAsync();
        var longCustomer = new string('c', 3000);
        // Past the API's own bounds, as a key written before they existed would be.
        await ApiKeyStore.CreateAsync(host.Services.GetRequiredService<IDocumentStore>(),
            new ApiKeyRequest("legacy", ProviderEnvironment.Sandbox, CallerClass.Customer, [Scopes.DispatchesRead], longCustomer, []), TimeProvider.System);
        var after = await host.CallAsync(admin, s => s.Post.Json(new { name = "after the long one" }).ToUrl("/api/v1/customers"));
        Assert.Equal(201, after.Context.Response.StatusCode);

        await host.WaitForNonStaleProjectionDataAsync(TimeSpan.FromSeconds(60));

        var stored = await ScalarAsync<string>(database, "select customer_id from raffssync.audit_log where customer_id like 'ccc%'");
        Assert.Equal(AuditBounds.Indexable(longCustomer), stored);
        Assert.True(stored.Length <= AuditBounds.MaxIndexedLength);
        Assert.Equal(1L, await ScalarAsync<long>(database, "select count(*) from raffssync.audit_log where event_type = 'customer_created'"));
        var verify = await host.GetAsJson<JsonElement>("/api/v1/audit/verify", admin);
        Assert.True(verify.GetProperty("verified").GetBoolean());
    }

    [Fact]
    public async Task a_shard_that_keeps_failing_makes_readiness_degraded_long_before_any_lag_threshold()
    {
        var database = await OwnDatabase.CreateAsync();
        await using var host = await database.StartHostAsync();
        var admin = await host.CreateInternalKeyAsync();
        await host.WaitForNonStaleProjectionDataAsync(TimeSpan.FromSeconds(60));
        await using (var connection = new NpgsqlConnection(database.ConnectionString))
        {
            await connection.OpenAsync();
            await using var poison = new NpgsqlCommand("""
                create function raffssync.refuse_customer_entries() returns trigger language plpgsql as $$
                begin if new.event_type = 'customer_created' then raise exception 'poisoned for the test'; end if; return new; end $$;
                create trigger refuse_customer_entries before insert on raffssync.audit_log for each row execute function raffssync.refuse_customer_entries();
                """, connection);
            await poison.ExecuteNonQueryAsync();
        }

        Assert.Equal(201, (await host.CallAsync(admin, s => s.Post.Json(new { name = "poison" }).ToUrl("/api/v1/customers"))).Context.Response.StatusCode);

        var ready = default(JsonElement);
        await Eventually.UntilAsync(async () =>
        {
            var result = await host.Scenario(s => { s.Get.Url("/health/ready"); s.IgnoreStatusCode(); });
            ready = JsonDocument.Parse(await result.ReadAsTextAsync()).RootElement;
            return ready.GetProperty("status").GetString() == "Degraded";
        }, "readiness to report the failing audit shard", TimeSpan.FromSeconds(90));
        Assert.Contains("AuditLog", ready.GetProperty("checks").GetProperty("projections").GetProperty("description").GetString());
    }
}
