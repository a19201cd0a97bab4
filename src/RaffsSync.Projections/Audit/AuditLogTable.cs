using Weasel.Postgresql;
using Weasel.Postgresql.Tables;

namespace RaffsSync.Projections.Audit;

/// <summary>
/// The audit log's table. Entries are only ever inserted: triggers refuse UPDATE, DELETE and
/// TRUNCATE for every role, and production grants the application role INSERT and SELECT only
/// (README, "Audit log"). The one exception is <c>audit rebuild</c>, run by the table's owner.
/// </summary>
public static class AuditLogTable
{
    public const string Name = "audit_log";

    public static string Qualified(string schema) => $"{schema}.{Name}";

    public static Table Define(string schema)
    {
        var table = new Table(new PostgresqlObjectName(schema, Name, SchemaUtils.IdentifierUsage.General));
        table.AddColumn<long>("sequence").AsPrimaryKey();
        table.AddColumn("occurred_at", "timestamptz").NotNull();
        table.AddColumn<string>("scope").NotNull();
        table.AddColumn<string>("tenant_id");
        table.AddColumn<string>("customer_id");
        table.AddColumn<string>("stream_id").NotNull();
        table.AddColumn<string>("event_type").NotNull();
        table.AddColumn<string>("actor");
        table.AddColumn<string>("caller_class");
        table.AddColumn<string>("request_id");
        table.AddColumn<string>("causation_id");
        table.AddColumn<string>("summary").NotNull();
        // Text, not jsonb: the hash covers these exact characters, and jsonb would reformat them.
        table.AddColumn<string>("data").NotNull();
        table.AddColumn<string>("previous_hash").NotNull();
        table.AddColumn<string>("hash").NotNull();
        table.AddColumn<string>("channel");

        // Cursor pages walk the primary key; each filter has an index ending in the sequence.
        foreach (var column in new[] { "tenant_id", "customer_id", "stream_id", "event_type", "actor", "request_id", "occurred_at" })
            table.Indexes.Add(new IndexDefinition($"ix_{Name}_{column}") { Columns = [column, "sequence"] });
        return table;
    }

    /// <summary>Idempotent: run at every start after the schema is applied.</summary>
    public static string GuardsSql(string schema) => $"""
        create or replace function {schema}.audit_log_refuse_change() returns trigger language plpgsql as $$
        begin
          raise exception 'the audit log is append-only: % is refused', tg_op
            using errcode = '42501', hint = 'entries are never changed; the owner rebuilds the whole log with the "audit rebuild" command';
        end $$;
        create or replace trigger audit_log_no_update_or_delete before update or delete on {Qualified(schema)}
          for each row execute function {schema}.audit_log_refuse_change();
        create or replace trigger audit_log_no_truncate before truncate on {Qualified(schema)}
          for each statement execute function {schema}.audit_log_refuse_change();
        """;

    /// <summary>Empties the log for a rebuild. Needs the table's owner: disabling a trigger is an owner's right.</summary>
    public static string EmptyForRebuildSql(string schema) => $"""
        alter table {Qualified(schema)} disable trigger audit_log_no_truncate;
        truncate {Qualified(schema)};
        alter table {Qualified(schema)} enable trigger audit_log_no_truncate;
        """;
}
