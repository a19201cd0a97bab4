using JasperFx;
using JasperFx.Events;
using JasperFx.Events.Daemon;
using JasperFx.Events.Projections;
using Marten;
using Marten.Subscriptions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using RaffsSync.Domain;
using RaffsSync.Domain.Access;
using RaffsSync.Domain.Audit;

namespace RaffsSync.Projections.Audit;

/// <summary>
/// Run by the async daemon: writes one audit entry per event of every stream, chained by hash in
/// global sequence order. A subscription rather than a projection because the daemon hands a
/// projection each page split by tenant, while the chain needs the whole page in sequence order;
/// a subscription gets exactly that, one page at a time, committed together with its progress.
/// </summary>
public sealed class AuditLogSubscription : SubscriptionBase
{
    public const string SubscriptionName = "AuditLog";
    public const string System = "system";
    public const int PageSize = 5000;

    private readonly ILogger _logger;

    public AuditLogSubscription(ILogger<AuditLogSubscription>? logger = null)
    {
        Name = SubscriptionName;
        // Each page costs a few look-ups and one commit whatever its size; a rebuild over a large log is bound by them at the default 500.
        Options.BatchSize = PageSize;
        _logger = logger ?? (ILogger)NullLogger.Instance;
    }

    public override async Task<IChangeListener> ProcessEventsAsync(EventRange page, ISubscriptionController controller,
        IDocumentOperations operations, CancellationToken cancellation)
    {
        var events = page.Events;
        if (events.Count == 0) return NullChangeListener.Instance;
        var table = AuditLogTable.Qualified(operations.DocumentStore.Options.DatabaseSchemaName);
        var serializer = operations.DocumentStore.Options.Serializer();

        var previous = (await operations.QueryAsync<string>(
            $"select hash from {table} where sequence < ? order by sequence desc limit 1", cancellation, events[0].Sequence))
            .SingleOrDefault() ?? AuditChain.Genesis;
        var owners = await StreamOwnersAsync(operations, table, events, cancellation);
        var callerClasses = await CallerClassesAsync(operations, events, cancellation);

        var rows = new AuditRows();
        foreach (var e in events)
        {
            var streamId = e.StreamKey ?? e.StreamId.ToString();
            var tenant = e.TenantId is null or StorageConstants.DefaultTenantId ? null : e.TenantId;
            var owner = AuditOwner.For(e.Data, tenant, owners.GetValueOrDefault(streamId));
            owners.TryAdd(streamId, owner);

            var entry = new AuditEntry(e.Sequence, e.Timestamp, owner.Scope, owner.TenantId, owner.CustomerId, streamId,
                e.EventTypeName, e.UserName, e.UserName is { } actor ? callerClasses.GetValueOrDefault(actor, System) : System,
                e.CorrelationId, e.CausationId,
                AuditSummaries.Summarize(e.Data), AuditRedaction.CanonicalJson(serializer.ToJson(e.Data)), AuditChannel.Of(e));
            (entry, var truncated) = AuditBounds.Bound(entry);
            if (truncated)
                _logger.LogWarning("Audit entry {Sequence} ({EventType} on {StreamId}) had identifiers over {Max} characters; stored as prefix and SHA-256",
                    entry.Sequence, entry.EventType, entry.StreamId, AuditBounds.MaxIndexedLength);
            var hash = AuditChain.Link(previous, entry);
            rows.Add(entry, previous, hash);
            previous = hash;
        }

        operations.QueueSqlCommand(rows.InsertSql(table), rows.Parameters());
        return NullChangeListener.Instance;
    }

    /// <summary>
    /// The class of each actor of the page: API keys by id, OAuth clients by client id (both are
    /// never deleted and their class never changes). Other actors are RaffsSync itself ("system":
    /// the built-in registry, the command line).
    /// </summary>
    private static async Task<Dictionary<string, string>> CallerClassesAsync(IDocumentOperations operations,
        IReadOnlyList<IEvent> events, CancellationToken cancellation)
    {
        var actors = events.Select(e => e.UserName).OfType<string>().Distinct().ToArray();
        var keyIds = actors.Select(a => Guid.TryParse(a, out var id) ? id : (Guid?)null).OfType<Guid>().ToArray();
        var keys = await operations.Query<ApiKey>().Where(k => k.Id.IsOneOf(keyIds)).ToListAsync(cancellation);
        var clients = await operations.Query<OAuthClient>().Where(c => c.ClientId.IsOneOf(actors)).ToListAsync(cancellation);
        return keys.Select(k => (Actor: k.Id.ToString(), k.CallerClass))
            .Concat(clients.Select(c => (Actor: c.ClientId, c.CallerClass)))
            .ToDictionary(a => a.Actor, a => EnumNames.Snake(a.CallerClass));
    }

    /// <summary>The customer owning each global stream of the page, from the stream's earlier entries.</summary>
    private static async Task<Dictionary<string, AuditOwner>> StreamOwnersAsync(IDocumentOperations operations, string table,
        IReadOnlyList<IEvent> events, CancellationToken cancellation)
    {
        var streams = events.Where(e => e.TenantId is null or StorageConstants.DefaultTenantId)
            .Select(e => e.StreamKey ?? e.StreamId.ToString()).Distinct().ToArray();
        var owned = await operations.QueryAsync<StreamOwner>(
            $"select distinct on (stream_id) json_build_object('stream_id', stream_id, 'customer_id', customer_id) from {table} " +
            "where stream_id = any(?) and scope = ? order by stream_id, sequence",
            cancellation, streams, AuditScopes.Customer);
        return owned.ToDictionary(o => o.StreamId, o => new AuditOwner(AuditScopes.Customer, null, o.CustomerId));
    }

    private sealed record StreamOwner(string StreamId, string CustomerId);

    /// <summary>A page of entries as column arrays: one INSERT ... SELECT FROM unnest(...) per page.</summary>
    private sealed class AuditRows
    {
        private readonly List<long> _sequence = [];
        private readonly List<DateTimeOffset> _occurredAt = [];
        private readonly List<string?>[] _text = Enumerable.Range(0, 14).Select(_ => new List<string?>()).ToArray();

        public void Add(AuditEntry entry, string previousHash, string hash)
        {
            _sequence.Add(entry.Sequence);
            _occurredAt.Add(entry.OccurredAt);
            string?[] values = [entry.Scope, entry.TenantId, entry.CustomerId, entry.StreamId, entry.EventType, entry.Actor,
                entry.CallerClass, entry.RequestId, entry.CausationId, entry.Summary, entry.Data, previousHash, hash, entry.Channel];
            for (var i = 0; i < values.Length; i++) _text[i].Add(values[i]);
        }

        public string InsertSql(string table) =>
            $"insert into {table} (sequence, occurred_at, scope, tenant_id, customer_id, stream_id, event_type, actor, caller_class, " +
            "request_id, causation_id, summary, data, previous_hash, hash, channel) select * from unnest(?::bigint[], ?::timestamptz[]" +
            string.Concat(Enumerable.Repeat(", ?::text[]", _text.Length)) + ") " +
            // A replay over an intact log (e.g. 'projections --rebuild' of everything) recomputes the same rows: keep the stored ones.
            "on conflict (sequence) do nothing";

        public object[] Parameters() => [_sequence.ToArray(), _occurredAt.ToArray(), .. _text.Select(t => t.ToArray())];
    }
}

/// <summary>The channel an event was made through, from the <c>channel</c> header the console's requests set on their sessions.</summary>
public static class AuditChannel
{
    public const string Header = "channel";

    public static string? Of(IEvent e) => e.Headers is { } headers && headers.TryGetValue(Header, out var value) ? value?.ToString() : null;
}
