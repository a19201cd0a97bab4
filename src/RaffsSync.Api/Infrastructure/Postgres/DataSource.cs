using Marten;
using Npgsql;

namespace RaffsSync.Api.Infrastructure.Postgres;

/// <summary>
/// One connection pool for the process: Marten, Wolverine's Marten-backed store and the code that reads
/// PostgreSQL directly (the audit log reader, the reconciler) all rent from the same <see cref="NpgsqlDataSource"/>.
/// </summary>
public static class DataSource
{
    public static IServiceCollection AddRaffsSyncDataSource(this IServiceCollection services) =>
        services.AddSingleton(provider => NpgsqlDataSource.Create(WithPoolSettings(provider.GetRequiredService<DatabaseConnection>().ConnectionString)));

    /// <summary>
    /// Idle connections (the cluster leader's advisory lock lives on one) send a keepalive every 30 s unless the
    /// connection string says otherwise, so a NAT or load balancer between node and database does not drop them silently;
    /// pooled connections keep their prepared statements.
    /// </summary>
    public static string WithPoolSettings(string connectionString)
    {
        var builder = new NpgsqlConnectionStringBuilder(connectionString);
        if (builder.KeepAlive == 0) builder.KeepAlive = 30;
        // Nothing here leaves session state on a pooled connection (advisory locks are transaction-scoped, settings are
        // per connection string), so the DISCARD ALL Npgsql sends on every return to the pool is pure cost: it was
        // the most frequent statement on the server, about one per transaction.
        builder.NoResetOnClose = true;
        // The same few dozen statements run all day: prepared once per connection, they skip parsing and planning
        // (which took longer than executing the look-ups). DISCARD ALL would throw the prepared statements away again.
        if (builder.MaxAutoPrepare == 0) builder.MaxAutoPrepare = 100;
        return builder.ConnectionString;
    }

    /// <summary>
    /// Marten on the shared data source. The container owns and disposes it (Marten does not dispose a data
    /// source it was given). The command timeout is the connection string's, as <c>Connection(string)</c> would set it.
    /// </summary>
    public static void UseRaffsSyncDataSource(this StoreOptions options, IServiceProvider services)
    {
        var dataSource = services.GetRequiredService<NpgsqlDataSource>();
        options.Connection(dataSource);
        options.CommandTimeout = new NpgsqlConnectionStringBuilder(dataSource.ConnectionString).CommandTimeout;
    }
}
