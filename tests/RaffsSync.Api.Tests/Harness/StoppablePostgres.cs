using System.Security.Cryptography;
using Npgsql;
using RaffsSync.Api.Infrastructure.Postgres;

namespace RaffsSync.Api.Tests.Harness;

/// <summary>A PostgreSQL cluster of a test's own, with one database, that the test stops and starts again (an outage).</summary>
public sealed class StoppablePostgres : IAsyncDisposable
{
    private readonly LocalPostgresOptions _options;
    private LocalPostgresCluster _cluster;

    private StoppablePostgres(LocalPostgresOptions options, LocalPostgresCluster cluster, OwnDatabase database)
    {
        _options = options;
        _cluster = cluster;
        Database = database;
    }

    public OwnDatabase Database { get; }

    public static async Task<StoppablePostgres> StartAsync(string databaseName)
    {
        // Not under TestPostgres's folder: it deletes the clusters it finds stopped, this one among them during the outage.
        var options = new LocalPostgresOptions(
            Path.Combine(Path.GetTempPath(), "raffssync-outage-tests", Guid.NewGuid().ToString("N")[..8]),
            LocalPostgresCluster.FreePort(), Durable: false);
        var cluster = LocalPostgresCluster.Start(options);
        await using (var connection = new NpgsqlConnection(cluster.ConnectionString()))
        {
            await connection.OpenAsync();
            await new NpgsqlCommand($"create database {databaseName}", connection).ExecuteNonQueryAsync();
        }
        return new StoppablePostgres(options, cluster,
            new OwnDatabase(cluster.ConnectionString(databaseName), Convert.ToBase64String(RandomNumberGenerator.GetBytes(32))));
    }

    public void Stop() => _cluster.Stop();

    public void Start() => _cluster = LocalPostgresCluster.Start(_options);

    public ValueTask DisposeAsync()
    {
        _cluster.Stop();
        try { Directory.Delete(_options.RootDirectory, recursive: true); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { /* only disk; leave it */ }
        return ValueTask.CompletedTask;
    }
}
