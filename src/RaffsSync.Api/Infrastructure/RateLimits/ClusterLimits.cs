using Npgsql;
using RaffsSync.Api.Infrastructure.Postgres;
using NpgsqlTypes;
using RaffsSync.Domain.Limits;
using Weasel.Postgresql;
using Weasel.Postgresql.Tables;

namespace RaffsSync.Api.Infrastructure.RateLimits;

/// <summary>What one check decided: whether it passed and the bucket as it left it, read at the database's clock.</summary>
public sealed record LimitCheck(bool Allowed, Gcra Limit, DateTimeOffset Tat, DateTimeOffset Now, Gcra? Burst = null, DateTimeOffset? BurstTat = null)
{
    public int Remaining => Limit.Remaining(Tat, Now);

    /// <summary>Until one more request is free in the limit (X-RateLimit-Reset).</summary>
    public TimeSpan Reset => Limit.UntilNext(Tat, Now);

    /// <summary>Until a request would pass both limits again (Retry-After of a refusal).</summary>
    public TimeSpan RetryAfter
    {
        get
        {
            var wait = Limit.UntilAllowed(Tat, Now);
            return Burst is { } burst && BurstTat is { } burstTat && burst.UntilAllowed(burstTat, Now) is var burstWait && burstWait > wait
                ? burstWait : wait;
        }
    }
}

/// <summary>
/// Limits that hold across every node on one PostgreSQL, one statement per check, on the database server's clock
/// (nodes' clocks may disagree; the server's is the one they share):
/// <list type="bullet">
/// <item>rate buckets (<see cref="Gcra"/>): one row per key holding its theoretical arrival time, and optionally a second
/// one for a burst limit, decided and moved by one <c>INSERT ... ON CONFLICT DO UPDATE ... RETURNING</c>; both limits pass
/// or neither is charged;</item>
/// <item>call slots: <c>max</c> numbered rows per provider, each held by one lease until it is released or expires, taken
/// by one <c>INSERT ... ON CONFLICT DO UPDATE ... WHERE expired</c> and given back by one <c>DELETE</c>.</item>
/// </list>
/// A row whose time has passed means the same as no row; <see cref="LimitRowSweeper"/> deletes those every minute.
/// Failures (the database away) are the callers' to handle; each caller states its rule.
/// <para>
/// The checks commit without waiting for the WAL flush (<c>synchronous_commit=off</c> on a small pool of their own): a
/// check then costs about 0.15 ms instead of a flush (about 1 ms here), and one busy credential's row takes some 8,000
/// checks a second instead of 800. What a crash of the database server can lose is the last few milliseconds of counts
/// and leases: limits that start again a little fuller, never data.
/// </para>
/// </summary>
public sealed class ClusterLimits(NpgsqlDataSource dataSource) : IAsyncDisposable
{
    public ClusterLimits(DatabaseConnection database) : this(OwnDataSource(DataSource.WithPoolSettings(database.ConnectionString))) { }

    public static NpgsqlDataSource OwnDataSource(string connectionString)
    {
        var builder = new NpgsqlConnectionStringBuilder(connectionString);
        builder.Options = $"{builder.Options} -c synchronous_commit=off".Trim();
        builder.MaxPoolSize = Math.Min(builder.MaxPoolSize, 20);
        builder.ApplicationName ??= "raffssync-limits";
        return NpgsqlDataSource.Create(builder.ConnectionString);
    }

    public ValueTask DisposeAsync() => dataSource.DisposeAsync();

    public const string Schema = "raffssync";
    public const string Buckets = "rate_limit_buckets";
    public const string Slots = "provider_call_slots";

    /// <summary>A check never waits long on a database that hangs: callers fall back or retry instead.</summary>
    private const int CommandTimeoutSeconds = 2;

    public static IEnumerable<Table> Tables()
    {
        var buckets = new Table(new PostgresqlObjectName(Schema, Buckets, SchemaUtils.IdentifierUsage.General));
        buckets.AddColumn<string>("key").AsPrimaryKey();
        buckets.AddColumn("tat", "timestamptz").NotNull();
        buckets.AddColumn("burst_tat", "timestamptz");
        buckets.AddColumn<bool>("allowed").NotNull();
        yield return buckets;

        var slots = new Table(new PostgresqlObjectName(Schema, Slots, SchemaUtils.IdentifierUsage.General));
        slots.AddColumn<string>("provider").AsPrimaryKey();
        slots.AddColumn<int>("slot").AsPrimaryKey();
        slots.AddColumn<Guid>("lease").NotNull();
        slots.AddColumn("expires_at", "timestamptz").NotNull();
        yield return slots;
    }

    private const string TakeSql = $"""
        insert into {Schema}.{Buckets} as b (key, tat, burst_tat, allowed)
        values (@key, now() + @emission, now() + @burst_emission, true)
        on conflict (key) do update set (tat, burst_tat, allowed) = (
          select case when d.ok then d.start + @emission else b.tat end,
                 case when d.ok then d.burst_start + @burst_emission else b.burst_tat end,
                 d.ok
          from (select greatest(b.tat, now()) as start, greatest(b.burst_tat, now()) as burst_start) s
          cross join lateral (select s.start - now() <= @tolerance
                                 and (@burst_emission is null or s.burst_start - now() <= @burst_tolerance) as ok,
                                 s.start, s.burst_start) d)
        returning allowed, tat, burst_tat, now()
        """;

    /// <summary>One request against <paramref name="limit"/> (and <paramref name="burst"/> when given) for <paramref name="key"/>.</summary>
    public async Task<LimitCheck> TakeAsync(string key, Gcra limit, Gcra? burst, CancellationToken cancellation)
    {
        await using var command = dataSource.CreateCommand(TakeSql);
        command.CommandTimeout = CommandTimeoutSeconds;
        command.Parameters.AddWithValue("key", key);
        command.Parameters.AddWithValue("emission", limit.EmissionInterval);
        command.Parameters.AddWithValue("tolerance", limit.Tolerance);
        command.Parameters.Add(new NpgsqlParameter("burst_emission", NpgsqlDbType.Interval) { Value = burst?.EmissionInterval ?? (object)DBNull.Value });
        command.Parameters.Add(new NpgsqlParameter("burst_tolerance", NpgsqlDbType.Interval) { Value = burst?.Tolerance ?? (object)DBNull.Value });
        await using var reader = await command.ExecuteReaderAsync(cancellation);
        await reader.ReadAsync(cancellation);
        return new LimitCheck(reader.GetBoolean(0), limit, reader.GetFieldValue<DateTimeOffset>(1), reader.GetFieldValue<DateTimeOffset>(3),
            burst, reader.IsDBNull(2) ? null : reader.GetFieldValue<DateTimeOffset>(2));
    }

    private const string AcquireSql = $"""
        insert into {Schema}.{Slots} as s (provider, slot, lease, expires_at)
        select @provider, n, @lease, now() + @hold
        from generate_series(1, @max) n
        where not exists (select 1 from {Schema}.{Slots} t where t.provider = @provider and t.slot = n and t.expires_at > now())
        order by random() limit 1
        on conflict (provider, slot) do update set lease = excluded.lease, expires_at = excluded.expires_at
        where s.expires_at <= now()
        returning slot
        """;

    /// <summary>
    /// One of <paramref name="max"/> call slots of <paramref name="provider"/> for <paramref name="hold"/> at most; null when all
    /// are held. A free slot is picked at random, so two takers rarely race for the same one (the loser is refused, as if full).
    /// </summary>
    public async Task<CallSlot?> AcquireSlotAsync(string provider, int max, TimeSpan hold, CancellationToken cancellation)
    {
        var lease = Guid.NewGuid();
        await using var command = dataSource.CreateCommand(AcquireSql);
        command.CommandTimeout = CommandTimeoutSeconds;
        command.Parameters.AddWithValue("provider", provider);
        command.Parameters.AddWithValue("max", max);
        command.Parameters.AddWithValue("lease", lease);
        command.Parameters.AddWithValue("hold", hold);
        return await command.ExecuteScalarAsync(cancellation) is int slot ? new CallSlot(provider, slot, lease) : null;
    }

    public async Task ReleaseSlotAsync(CallSlot slot, CancellationToken cancellation)
    {
        await using var command = dataSource.CreateCommand($"delete from {Schema}.{Slots} where provider = @provider and slot = @slot and lease = @lease");
        command.CommandTimeout = CommandTimeoutSeconds;
        command.Parameters.AddWithValue("provider", slot.Provider);
        command.Parameters.AddWithValue("slot", slot.Slot);
        command.Parameters.AddWithValue("lease", slot.Lease);
        await command.ExecuteNonQueryAsync(cancellation);
    }

    /// <summary>Deletes buckets that are full again and slots whose lease has expired: they mean the same as no row.</summary>
    public async Task<int> SweepAsync(CancellationToken cancellation)
    {
        await using var command = dataSource.CreateCommand($"""
            delete from {Schema}.{Buckets} where greatest(tat, burst_tat) < now();
            delete from {Schema}.{Slots} where expires_at < now();
            """);
        return await command.ExecuteNonQueryAsync(cancellation);
    }
}

public sealed record CallSlot(string Provider, int Slot, Guid Lease);

/// <summary>Keeps the limit tables to the keys in use: every minute, on every node (a delete of nothing costs little).</summary>
public sealed class LimitRowSweeper(ClusterLimits limits, ILogger<LimitRowSweeper> logger) : BackgroundService
{
    public static readonly TimeSpan Interval = TimeSpan.FromMinutes(1);

    protected override async Task ExecuteAsync(CancellationToken stopping)
    {
        using var timer = new PeriodicTimer(Interval);
        while (await timer.WaitForNextTickAsync(stopping))
        {
            try
            {
                await limits.SweepAsync(stopping);
            }
            catch (Exception e) when (!stopping.IsCancellationRequested)
            {
                logger.LogDebug(e, "Sweeping expired limit rows failed; trying again in {Interval}", Interval);
            }
        }
    }
}
