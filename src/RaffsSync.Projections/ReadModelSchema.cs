using Marten;
using Marten.Schema;
using RaffsSync.Domain.Reports;
using RaffsSync.Projections.Audit;

namespace RaffsSync.Projections;

/// <summary>
/// What Marten's schema management does not cover, applied at every start (idempotent): the audit
/// log's append-only triggers, and the read-only views BI tools read (schema <c>raffssync_reporting</c>).
/// </summary>
public sealed class ReadModelSchema : IInitialData
{
    public const string ReportingSchema = "raffssync_reporting";

    public async Task Populate(IDocumentStore store, CancellationToken cancellation)
    {
        var schema = store.Options.DatabaseSchemaName;
        await using var connection = store.Storage.Database.CreateConnection();
        await connection.OpenAsync(cancellation);
        await using var transaction = await connection.BeginTransactionAsync(cancellation);
        foreach (var sql in new[] { AuditLogTable.GuardsSql(schema), ReportingViewsSql(schema) })
        {
            await using var command = connection.CreateCommand();
            command.Transaction = transaction;
            command.CommandText = sql;
            await command.ExecuteNonQueryAsync(cancellation);
        }
        await transaction.CommitAsync(cancellation);
    }

    public static string ReportingViewsSql(string schema) => $"""
        create schema if not exists {ReportingSchema};
        create or replace view {ReportingSchema}.dispatch_daily as
          select d.tenant_id, d.data->>'provider' as provider, d.data->>'route_key' as route_key, (d.data->>'day')::date as day,
                 (d.data->>'requested')::int as requested, (d.data->>'succeeded')::int as succeeded,
                 (d.data->>'failed')::int as failed, (d.data->>'dead_lettered')::int as dead_lettered,
                 (d.data->>'cancelled')::int as cancelled, (d.data->>'outcome_unknown')::int as outcome_unknown,
                 (d.data->>'attempts')::int as attempts, (d.data->>'retries')::int as retries, (d.data->>'replays')::int as replays,
                 array(select jsonb_array_elements_text(d.data->'latency_buckets')::bigint) as latency_histogram
          from {schema}.mt_doc_dispatchday d;
        create or replace view {ReportingSchema}.latency_buckets as
          select (b.n - 1)::int as bucket, b.upper_ms
          from unnest(array[{string.Join(", ", LatencyHistogram.UpperBoundsMs)}, null]::bigint[]) with ordinality as b(upper_ms, n);
        create or replace view {ReportingSchema}.audit_log as
          select sequence, occurred_at, scope, tenant_id, customer_id, stream_id, event_type, actor, caller_class,
                 request_id, causation_id, summary
          from {schema}.{AuditLogTable.Name};
        """;
}
