using Npgsql;

namespace RaffsSync.Api.Tests.Harness;

/// <summary>Direct SQL against a fixture's database, for checks the API must not be trusted with.</summary>
public static class Database
{
    /// <summary>
    /// Every event but those of webhook deliveries: a collection's endpoints go on receiving messages (and their retries)
    /// in the background, which a test counting what its own requests appended must not count.
    /// </summary>
    public const string EventsBesideDeliveriesSql =
        "select count(*) from raffssync.mt_events where type not in ('webhook_delivery_created', 'webhook_attempted', " +
        "'webhook_retry_scheduled', 'webhook_delivered', 'webhook_delivery_failed', 'webhook_delivery_abandoned', 'webhook_delivery_resent')";

    public static async Task<long> ScalarAsync(this AppFixture fixture, string sql, params object[] parameters)
    {
        await using var connection = new NpgsqlConnection(fixture.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        foreach (var p in parameters) command.Parameters.Add(new NpgsqlParameter { Value = p });
        return Convert.ToInt64(await command.ExecuteScalarAsync());
    }

    public static async Task<string> TextAsync(this AppFixture fixture, string sql, params object[] parameters)
    {
        await using var connection = new NpgsqlConnection(fixture.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        foreach (var p in parameters) command.Parameters.Add(new NpgsqlParameter { Value = p });
        return Convert.ToString(await command.ExecuteScalarAsync()) ?? "";
    }

    public static async Task ExecuteAsync(this AppFixture fixture, string sql)
    {
        await using var connection = new NpgsqlConnection(fixture.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }

    public static Task<long> CountEventsAsync(this AppFixture fixture, string eventType) =>
        fixture.ScalarAsync("select count(*) from raffssync.mt_events where type = $1", eventType);
}
