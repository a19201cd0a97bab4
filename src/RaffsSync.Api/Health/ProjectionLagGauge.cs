using System.Diagnostics.Metrics;
using Marten;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using JasperFx.Events;
using JasperFx.Events.Daemon;

namespace RaffsSync.Api.Health;

/// <summary>
/// How many events the async daemon's shards (audit log, daily reports) are behind the newest
/// event: in <c>/health/ready</c> and as the gauge <c>raffssync.projection.lag</c> (tag <c>shard</c>).
/// </summary>
public sealed class ProjectionLagGauge : IDisposable
{
    public const string MeterName = "RaffsSync";
    public const string GaugeName = "raffssync.projection.lag";

    private readonly IDocumentStore _store;
    private readonly Meter _meter;
    private readonly Lock _lock = new();
    private IReadOnlyDictionary<string, long> _last = new Dictionary<string, long>();
    private long _started, _lastStarted;

    public ProjectionLagGauge(IDocumentStore store, IMeterFactory meters)
    {
        _store = store;
        _meter = meters.Create(MeterName);
        _meter.CreateObservableGauge(GaugeName,
            () => Last.Select(s => new Measurement<long>(s.Value, new KeyValuePair<string, object?>("shard", s.Key))),
            unit: "{event}", description: "Events the async daemon's shard has yet to process");
    }

    public IReadOnlyDictionary<string, long> Last
    {
        get { lock (_lock) return _last; }
    }

    /// <summary>
    /// Marten lists the registered async shards and their progress; the lag is counted against the
    /// newest event rather than the daemon's own high-water mark, which stands still when the daemon does.
    /// </summary>
    public async Task<IReadOnlyDictionary<string, long>> MeasureAsync(CancellationToken cancellation)
    {
        var started = Interlocked.Increment(ref _started);
        var cells = await ((IEventStore<IDocumentOperations, IQuerySession>)_store).FetchProjectionLagAsync((IEventDatabase)_store.Storage.Database, cancellation);
        await using var session = _store.QuerySession();
        var newest = (await session.QueryAsync<long>(
            $"select coalesce(max(seq_id), 0) from {_store.Options.Events.DatabaseSchemaName}.mt_events", cancellation)).Single();

        var lag = cells.ToDictionary(cell => cell.Shard.Identity, cell => Math.Max(cell.Lag, newest - cell.Sequence));
        // The health check and the monitor measure independently: a slower, older measurement must not win.
        lock (_lock)
        {
            if (started > _lastStarted) (_last, _lastStarted) = (lag, started);
        }
        return lag;
    }

    public void Dispose() => _meter.Dispose();
}

/// <summary>Keeps the lag gauge current between health checks.</summary>
public sealed class ProjectionLagMonitor(ProjectionLagGauge lag, ILogger<ProjectionLagMonitor> logger) : BackgroundService
{
    public static readonly TimeSpan Interval = TimeSpan.FromSeconds(10);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(Interval);
        do
        {
            try
            {
                await lag.MeasureAsync(stoppingToken);
            }
            catch (Exception e) when (!stoppingToken.IsCancellationRequested)
            {
                logger.LogWarning(e, "Could not measure the projection lag");
            }
        } while (await timer.WaitForNextTickAsync(stoppingToken));
    }
}

/// <summary>
/// Degraded (still 200) when a shard is further behind than <c>RaffsSync:Health:MaxProjectionLag</c> events,
/// and at once when the daemon on this node reports a shard paused, faulted or stopped (one event it cannot
/// process stops a shard long before the lag builds up). The lag is the cluster's (read from the database) on every
/// node; a shard's state only on the node that runs it.
/// </summary>
public sealed class ProjectionLagHealthCheck(ProjectionLagGauge lag, IConfiguration configuration, IServiceProvider services) : IHealthCheck
{
    private static readonly ShardAction[] Failing = [ShardAction.Paused, ShardAction.Faulted, ShardAction.Stopped];

    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellation = default)
    {
        var limit = configuration.GetValue("RaffsSync:Health:MaxProjectionLag", 10_000L);
        var shards = await lag.MeasureAsync(cancellation);
        var data = shards.ToDictionary(s => s.Key, s => (object)s.Value);
        var failing = FailingShards();
        var behind = shards.Where(s => s.Value > limit).Select(s => s.Key).ToList();
        if (failing.Count > 0)
            return HealthCheckResult.Degraded($"{string.Join(", ", failing)} stopped processing events (see the log)", data: data);
        return behind.Count == 0
            ? HealthCheckResult.Healthy("async projections current", data)
            : HealthCheckResult.Degraded($"{string.Join(", ", behind)} more than {limit} events behind", data: data);
    }

    private List<string> FailingShards()
    {
        // Another node's shards have no daemon here to ask (Wolverine refuses the question).
        var runtime = services.GetRequiredService<Wolverine.Runtime.IWolverineRuntime>();
        if (!runtime.Agents.AllRunningAgentUris().Any(uri => uri.Scheme == Wolverine.Runtime.Agents.EventSubscriptionAgentFamily.SchemeName))
            return [];
        var daemon = services.GetService<Marten.Events.Daemon.Coordination.IProjectionCoordinator>()?.DaemonForMainDatabase();
        if (daemon is null) return [];
        return daemon.Tracker.CurrentStates().Where(s => Failing.Contains(s.Action)).Select(s => s.ShardName).Distinct().ToList();
    }
}
