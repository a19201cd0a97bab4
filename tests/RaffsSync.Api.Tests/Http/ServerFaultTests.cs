using System.Text.Json;
using Alba;
using Npgsql;
using RaffsSync.Api.Tests.Harness;

namespace RaffsSync.Api.Tests.Http;

/// <summary>A real server fault (a read model's table gone behind the service's back): the documented 500, never an empty body.</summary>
public sealed class ServerFaultTests
{
    [Fact]
    public async Task an_unhandled_fault_is_500_internal_error_with_the_request_id_and_no_internals_whatever_the_accept()
    {
        var database = await OwnDatabase.CreateAsync();
        await using var host = await database.StartHostAsync();
        var key = await host.CreateInternalKeyAsync();
        await using (var connection = new NpgsqlConnection(database.ConnectionString))
        {
            await connection.OpenAsync();
            await using var drop = new NpgsqlCommand("drop table raffssync.mt_doc_dispatch cascade", connection);
            await drop.ExecuteNonQueryAsync();
        }

        foreach (var accept in new[] { null, "text/html", "application/xml" })
        {
            var result = await host.Scenario(s =>
            {
                s.Get.Url("/api/v1/dispatches");
                s.WithRequestHeader("Authorization", $"Bearer {key}");
                s.WithRequestHeader("X-Request-Id", "fault-1");
                if (accept is not null) s.WithRequestHeader("Accept", accept);
                s.IgnoreStatusCode();
            });

            var problem = await result.ShouldBeProblemAsync(500, "internal_error");
            Assert.Equal("fault-1", problem.GetProperty("request_id").GetString());
            var text = await result.ReadAsTextAsync();
            Assert.DoesNotContain("mt_doc_dispatch", text);
            Assert.DoesNotContain("Npgsql", text);
            Assert.DoesNotContain(" at ", text);
        }
    }
}
