using Npgsql;

namespace RaffsSync.Api.Tests.Harness;

/// <summary>Direct SQL against a fixture's database, for checks the API must not be trusted with.</summary>
public static class Database
{
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
