using Npgsql;
using RaffsSync.Api.Infrastructure.Postgres;

namespace RaffsSync.Api.Tests.Harness;

/// <summary>
/// One PostgreSQL server for the whole test run: <c>RAFFSSYNC_TEST_POSTGRES</c> (a connection
/// string whose user may create databases) when set, otherwise a throwaway local cluster
/// (fsync off) that is stopped and deleted when the test process exits. Every fixture gets a
/// database of its own, so test collections run in parallel without touching each other.
/// </summary>
public static class TestPostgres
{
    public const string Variable = "RAFFSSYNC_TEST_POSTGRES";

    private static readonly Lazy<string> Server = new(StartServer, LazyThreadSafetyMode.ExecutionAndPublication);

    public static async Task<string> CreateDatabaseAsync()
    {
        var name = "raffs_test_" + Guid.NewGuid().ToString("N")[..16];
        await using (var connection = new NpgsqlConnection(Server.Value))
        {
            await connection.OpenAsync();
            await using var create = new NpgsqlCommand($"create database {name}", connection);
            await create.ExecuteNonQueryAsync();
        }

        return new NpgsqlConnectionStringBuilder(Server.Value) { Database = name }.ConnectionString;
    }

    /// <summary>
    /// Earlier runs' clusters, once stopped (no postmaster.pid), are only disk: remove them. A folder
    /// younger than a few minutes may be a concurrent run's cluster still being created, so it stays.
    /// </summary>
    private static void RemoveStoppedClusters(string parent)
    {
        if (!Directory.Exists(parent)) return;
        foreach (var root in Directory.GetDirectories(parent))
        {
            if (File.Exists(Path.Combine(root, "data", "postmaster.pid"))) continue;
            if (DateTime.UtcNow - Directory.GetCreationTimeUtc(root) < TimeSpan.FromMinutes(10)) continue;
            try { Directory.Delete(root, recursive: true); }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException) { /* another run's; leave it */ }
        }
    }

    private static string StartServer()
    {
        var configured = Environment.GetEnvironmentVariable(Variable);
        if (!string.IsNullOrWhiteSpace(configured)) return configured;

        var parent = Path.Combine(Path.GetTempPath(), "raffssync-tests");
        RemoveStoppedClusters(parent);

        var root = Path.Combine(parent, Guid.NewGuid().ToString("N")[..8]);
        var cluster = LocalPostgresCluster.Start(new LocalPostgresOptions(root, LocalPostgresCluster.FreePort(), Durable: false));
        AppDomain.CurrentDomain.ProcessExit += (_, _) => cluster.Stop();
        return cluster.ConnectionString();
    }
}
