using JasperFx.Core;
using Marten;
using Npgsql;
using RaffsSync.Api.Infrastructure.Cluster;
using RaffsSync.Api.Webhooks;
using RaffsSync.Domain.Dispatches;
using RaffsSync.Domain.Webhooks;
using Wolverine;
using Wolverine.Marten;
using Wolverine.Util;

namespace RaffsSync.Api.Dispatches;

/// <summary>Queue a stranded dispatch again, if it still is exactly as the reconciler saw it.</summary>
public sealed record RequeueDispatch(Guid DispatchId, DateTimeOffset SeenUpdatedAt);

/// <summary>
/// Every <see cref="ReconcilerSettings.Interval"/>, on one node at a time (a PostgreSQL advisory
/// lock), finds the dispatches waiting longer than <see cref="ReconcilerSettings.StaleAfter"/>
/// (accepted, a retry past due, an attempt in progress) that no execute message will move on: none
/// in Wolverine's inbox, incoming or scheduled. Each is queued again with
/// <see cref="DispatchRequeued"/> recording why. A dispatch with a live message is left alone: a
/// second message would count the attempt in flight as interrupted and call the provider again.
/// Webhook deliveries get the same pass: one waiting past its time with no attempt message left is
/// sent its next attempt (an ordered endpoint's are released in order instead).
/// </summary>
public sealed class DispatchReconciler(
    IDocumentStore store,
    NpgsqlDataSource dataSource,
    IServiceScopeFactory scopes,
    ReconcilerSettings settings,
    QueuedMessages queued,
    TimeProvider clock,
    ILogger<DispatchReconciler> logger) : BackgroundService
{
    /// <summary>The advisory lock that elects the one node reconciling (any number unused elsewhere).</summary>
    public const long LockId = 0x5261_6666_5265_6331; // "RaffRec1"

    protected override async Task ExecuteAsync(CancellationToken stopping)
    {
        using var timer = new PeriodicTimer(settings.Interval, clock);
        while (await timer.WaitForNextTickAsync(stopping))
        {
            try
            {
                await ReconcileAsync(stopping);
            }
            catch (Exception e) when (!stopping.IsCancellationRequested)
            {
                // The database is away, most likely: the next tick tries again.
                logger.LogWarning(e, "Reconciling waiting dispatches failed; trying again in {Interval}", settings.Interval);
            }
        }
    }

    /// <summary>One pass; the number of dispatches queued again (0 when another node holds the lock).</summary>
    public async Task<int> ReconcileAsync(CancellationToken cancellation)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellation);
        if (!await ScalarAsync<bool>(connection, "select pg_try_advisory_lock(@id)", cancellation, ("id", LockId))) return 0;
        try
        {
            var now = clock.GetUtcNow();
            var cutoff = now - settings.StaleAfter;
            await using var query = store.QuerySession();
            var waiting = await query.Query<Dispatch>()
                .Where(d => d.AnyTenant() && DispatchRecovery.Waiting.Contains(d.Status) && d.UpdatedAt <= cutoff)
                .OrderBy(d => d.UpdatedAt).Take(settings.BatchSize).ToListAsync(cancellation);
            var stranded = waiting.Where(d => DispatchRecovery.Requeue(d, now, settings.StaleAfter) is not null).ToList();

            var live = await WithLiveMessagesAsync(connection, stranded.Select(d => d.Id).ToArray(), typeof(ExecuteDispatch), WorkQueues.Dispatches, cancellation);
            var requeued = 0;
            await using var scope = scopes.CreateAsyncScope();
            var bus = scope.ServiceProvider.GetRequiredService<IMessageContext>();
            // No request caused this: the reconciler's own id names the pass in the timelines and the audit log.
            bus.CorrelationId = $"reconciler:{now:yyyyMMddTHHmmssZ}";
            foreach (var dispatch in stranded.Where(d => !live.Contains(d.Id)))
            {
                await bus.InvokeForTenantAsync(dispatch.TenantId, new RequeueDispatch(dispatch.Id, dispatch.UpdatedAt), cancellation);
                requeued++;
            }
            if (requeued > 0) logger.LogWarning("Queued {Count} stranded dispatch(es) again", requeued);
            return requeued + await ReconcileDeliveriesAsync(connection, query, bus, cutoff, cancellation);
        }
        finally
        {
            await ScalarAsync<bool>(connection, "select pg_advisory_unlock(@id)", CancellationToken.None, ("id", LockId));
        }
    }

    private async Task<int> ReconcileDeliveriesAsync(NpgsqlConnection connection, IQuerySession query, IMessageContext bus,
        DateTimeOffset cutoff, CancellationToken cancellation)
    {
        // Waiting past their time: pending since before the cutoff, or a retry due before it (one due later is not stranded).
        var stranded = await query.Query<WebhookDelivery>()
            .Where(d => d.AnyTenant() && d.UpdatedAt <= cutoff
                        && (d.Status == WebhookDeliveryStatus.Pending || d.Status == WebhookDeliveryStatus.RetryScheduled && d.NextAttemptAt <= cutoff))
            .OrderBy(d => d.UpdatedAt).Take(settings.BatchSize).ToListAsync(cancellation);
        if (stranded.Count == 0) return 0;

        var live = await WithLiveMessagesAsync(connection, stranded.Select(d => d.Id).ToArray(), typeof(DeliverWebhook), WorkQueues.Webhooks, cancellation);
        var endpoints = (await query.LoadManyAsync<WebhookEndpoint>(cancellation, stranded.Select(d => d.EndpointId).Distinct().ToArray()))
            .ToDictionary(e => e.Id);
        var sent = 0;
        var released = new HashSet<Guid>();
        foreach (var delivery in stranded.Where(d => !live.Contains(d.Id)))
        {
            // A pending message of an ordered endpoint may rightly be waiting for an earlier one: let the endpoint decide.
            if (delivery.Status == WebhookDeliveryStatus.Pending && endpoints.GetValueOrDefault(delivery.EndpointId) is { Ordered: true })
            {
                if (released.Add(delivery.EndpointId)) await bus.PublishAsync(new ReleaseOrderedEndpoint(delivery.EndpointId));
                continue;
            }
            await bus.PublishAsync(new DeliverWebhook(delivery.Id, delivery.Attempts + 1),
                new DeliveryOptions { TenantId = delivery.TenantId ?? JasperFx.StorageConstants.DefaultTenantId });
            sent++;
        }
        if (sent > 0) logger.LogWarning("Sent the next attempt of {Count} stranded webhook delivery(ies)", sent);
        return sent;
    }

    /// <summary>
    /// The streams among <paramref name="ids"/> that a message of <paramref name="messageType"/> in Wolverine's storage still
    /// names: in a node's inbox (incoming or scheduled), in an outbox, or waiting in the shared queue's tables (ready or
    /// scheduled). A stored envelope is binary with the message's JSON inside: the id is looked for as bytes.
    /// </summary>
    private async Task<HashSet<Guid>> WithLiveMessagesAsync(NpgsqlConnection connection, Guid[] ids, Type messageType,
        string queue, CancellationToken cancellation)
    {
        if (ids.Length == 0) return [];
        var schema = store.Options.DatabaseSchemaName;
        var inQueueTables = string.Concat(queued.TablesOf(queue).Select(table => $"""

               or exists (select 1 from {table} q
                          where q.message_type = @type and position(convert_to(d.id::text, 'UTF8') in q.body) > 0)
            """));
        await using var command = new NpgsqlCommand($"""
            select d.id from unnest(@ids) as d(id)
            where exists (select 1 from {schema}.wolverine_incoming_envelopes e
                          where e.message_type = @type and e.status in ('Incoming', 'Scheduled')
                            and position(convert_to(d.id::text, 'UTF8') in e.body) > 0)
               or exists (select 1 from {schema}.wolverine_outgoing_envelopes o
                          where o.message_type = @type and position(convert_to(d.id::text, 'UTF8') in o.body) > 0){inQueueTables}
            """, connection);
        command.Parameters.AddWithValue("ids", ids);
        command.Parameters.AddWithValue("type", messageType.ToMessageTypeName());
        var live = new HashSet<Guid>();
        await using var reader = await command.ExecuteReaderAsync(cancellation);
        while (await reader.ReadAsync(cancellation)) live.Add(reader.GetGuid(0));
        return live;
    }

    private static async Task<T> ScalarAsync<T>(NpgsqlConnection connection, string sql, CancellationToken cancellation,
        params (string Name, object Value)[] parameters)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        foreach (var (name, value) in parameters) command.Parameters.AddWithValue(name, value);
        return (T)(await command.ExecuteScalarAsync(cancellation))!;
    }
}

public static class RequeueDispatchHandler
{
    /// <summary>
    /// Decides again on the stream as it is now (it may have moved on since the reconciler looked);
    /// Wolverine loads it in the message's tenant and appends the event at the version read.
    /// </summary>
    public static (Events, OutgoingMessages) Handle(RequeueDispatch command, [WriteAggregate(Required = false)] Dispatch? dispatch,
        ReconcilerSettings settings, TimeProvider clock)
    {
        if (dispatch is null || dispatch.UpdatedAt != command.SeenUpdatedAt) return ([], []);
        if (DispatchRecovery.Requeue(dispatch, clock.GetUtcNow(), settings.StaleAfter) is not { } requeued) return ([], []);

        return ([requeued], [new ExecuteDispatch(dispatch.Id, requeued.Attempt).WithTenantId(dispatch.TenantId)]);
    }
}
