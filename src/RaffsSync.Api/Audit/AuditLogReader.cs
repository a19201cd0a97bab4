using System.Runtime.CompilerServices;
using Marten;
using Npgsql;
using RaffsSync.Domain.Audit;
using RaffsSync.Projections.Audit;

namespace RaffsSync.Api.Audit;

/// <summary>An entry as stored: the entry and its two chain links.</summary>
public sealed record StoredAuditEntry(AuditEntry Entry, string PreviousHash, string Hash);

/// <summary>Reads the audit table with plain SQL: keyset pages on the primary key, and rows streamed one at a time.</summary>
public sealed class AuditLogReader(NpgsqlDataSource database, IDocumentStore store)
{
    private const string Columns =
        "sequence, occurred_at, scope, tenant_id, customer_id, stream_id, event_type, actor, caller_class, request_id, causation_id, summary, data, previous_hash, hash, channel";

    private string Table => AuditLogTable.Qualified(store.Options.DatabaseSchemaName);

    public async Task<(IReadOnlyList<StoredAuditEntry> Entries, long Total)> PageAsync(AuditFilter filter, AuditVisibility visibility,
        AuditPaging paging, CancellationToken cancellation)
    {
        await using var command = Where(filter, visibility, after: null, descending: false);
        var where = command.CommandText;
        command.CommandText = $"select count(*) from {Table} {where}";
        var total = (long)(await command.ExecuteScalarAsync(cancellation))!;

        command.CommandText = $"select {Columns} from {Table} {where} order by sequence {(paging.Descending ? "desc" : "asc")} " +
                              $"offset {paging.Page!.Skip} limit {paging.Page.PerPage}";
        return (await ReadAllAsync(command, cancellation), total);
    }

    public async Task<IReadOnlyList<StoredAuditEntry>> AfterAsync(AuditFilter filter, AuditVisibility visibility, AuditPaging paging,
        int take, CancellationToken cancellation)
    {
        await using var command = Where(filter, visibility, paging.After, paging.Descending);
        command.CommandText = $"select {Columns} from {Table} {command.CommandText} order by sequence {(paging.Descending ? "desc" : "asc")} limit {take}";
        return await ReadAllAsync(command, cancellation);
    }

    /// <summary>Every matching entry in sequence order, read as the caller consumes them.</summary>
    public async IAsyncEnumerable<StoredAuditEntry> StreamAsync(AuditFilter filter, AuditVisibility visibility,
        [EnumeratorCancellation] CancellationToken cancellation)
    {
        await using var command = Where(filter, visibility, after: null, descending: false);
        command.CommandText = $"select {Columns} from {Table} {command.CommandText} order by sequence";
        await foreach (var entry in ReadAsync(command, cancellation)) yield return entry;
    }

    /// <summary>Recomputes the chain over [from, to], starting from the stored hash just before <paramref name="from"/>.</summary>
    public async Task<AuditChainVerifier> VerifyAsync(long? from, long? to, CancellationToken cancellation)
    {
        await using var anchor = database.CreateCommand(
            $"select hash from {Table} where sequence < $1 order by sequence desc limit 1");
        anchor.Parameters.Add(new NpgsqlParameter { Value = from ?? long.MinValue });
        var verifier = new AuditChainVerifier(await anchor.ExecuteScalarAsync(cancellation) as string ?? AuditChain.Genesis);

        await using var command = database.CreateCommand(
            $"select {Columns} from {Table} where sequence >= $1 and sequence <= $2 order by sequence");
        command.Parameters.Add(new NpgsqlParameter { Value = from ?? long.MinValue });
        command.Parameters.Add(new NpgsqlParameter { Value = to ?? long.MaxValue });
        await foreach (var stored in ReadAsync(command, cancellation))
            if (!verifier.Check(stored.Entry, stored.PreviousHash, stored.Hash)) break;
        return verifier;
    }

    /// <summary>A command holding only the WHERE clause (as its text) and its parameters.</summary>
    private NpgsqlCommand Where(AuditFilter filter, AuditVisibility visibility, long? after, bool descending)
    {
        var command = database.CreateCommand();
        var clauses = new List<string>();

        void Add(string clause, object value)
        {
            command.Parameters.Add(new NpgsqlParameter { Value = value });
            clauses.Add(clause.Replace("@", "$" + command.Parameters.Count));
        }

        if (!visibility.Everything)
        {
            command.Parameters.Add(new NpgsqlParameter { Value = visibility.Locations.ToArray() });
            command.Parameters.Add(new NpgsqlParameter { Value = (object?)visibility.CustomerId ?? DBNull.Value, NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Text });
            clauses.Add($"(tenant_id = any($1) or customer_id = $2 or scope = '{AuditScopes.Registry}')");
        }
        if (filter.Tenants.Count > 0) Add("tenant_id = any(@)", filter.Tenants.ToArray());
        if (filter.EventTypes.Count > 0) Add("event_type = any(@)", filter.EventTypes.ToArray());
        if (filter.StreamIds.Count > 0) Add("stream_id = any(@)", filter.StreamIds.ToArray());
        if (filter.Actors.Count > 0) Add("actor = any(@)", filter.Actors.ToArray());
        if (filter.RequestIds.Count > 0) Add("request_id = any(@)", filter.RequestIds.ToArray());
        if (filter.OccurredFrom is { } from) Add("occurred_at >= @", from.ToUniversalTime());
        if (filter.OccurredBefore is { } before) Add("occurred_at < @", before.ToUniversalTime());
        if (after is { } sequence) Add(descending ? "sequence < @" : "sequence > @", sequence);

        command.CommandText = clauses.Count == 0 ? "" : "where " + string.Join(" and ", clauses);
        return command;
    }

    private static async Task<IReadOnlyList<StoredAuditEntry>> ReadAllAsync(NpgsqlCommand command, CancellationToken cancellation)
    {
        var entries = new List<StoredAuditEntry>();
        await foreach (var entry in ReadAsync(command, cancellation)) entries.Add(entry);
        return entries;
    }

    private static async IAsyncEnumerable<StoredAuditEntry> ReadAsync(NpgsqlCommand command,
        [EnumeratorCancellation] CancellationToken cancellation)
    {
        await using var reader = await command.ExecuteReaderAsync(cancellation);
        string? Text(int i) => reader.IsDBNull(i) ? null : reader.GetString(i);
        while (await reader.ReadAsync(cancellation))
        {
            var entry = new AuditEntry(reader.GetInt64(0), reader.GetFieldValue<DateTimeOffset>(1), reader.GetString(2), Text(3), Text(4),
                reader.GetString(5), reader.GetString(6), Text(7), Text(8), Text(9), Text(10), reader.GetString(11), reader.GetString(12), Text(15));
            yield return new StoredAuditEntry(entry, reader.GetString(13), reader.GetString(14));
        }
    }
}
