using System.Diagnostics;
using JasperFx.CommandLine;
using JasperFx.Events.Daemon;
using Marten;
using RaffsSync.Projections;
using RaffsSync.Projections.Audit;

namespace RaffsSync.Api.Audit;

/// <summary>
/// Rebuilding the audit log: the only way entries are ever removed. Empties the table and forgets
/// the subscription's progress in one transaction; whichever daemon runs the subscription next
/// writes the log again from the first event. Run it where no other daemon is running the
/// subscription (the service stopped, or its projection coordinator paused).
/// </summary>
public static class AuditLogRebuild
{
    public static async Task EmptyAsync(IDocumentStore store, IProjectionDaemon daemon, CancellationToken cancellation)
    {
        await new ReadModelSchema().Populate(store, cancellation);
        foreach (var agent in daemon.CurrentAgents().Where(a => a.Name.Name == AuditLogSubscription.SubscriptionName))
            await daemon.StopAgentAsync(agent.Name.Identity);

        var schema = store.Options.DatabaseSchemaName;
        await using var connection = store.Storage.Database.CreateConnection();
        await connection.OpenAsync(cancellation);
        await using var transaction = await connection.BeginTransactionAsync(cancellation);
        await using var empty = connection.CreateCommand();
        empty.Transaction = transaction;
        empty.CommandText = AuditLogTable.EmptyForRebuildSql(schema) +
            $"delete from {store.Options.Events.DatabaseSchemaName}.mt_event_progression where name like '{AuditLogSubscription.SubscriptionName}:%';";
        await empty.ExecuteNonQueryAsync(cancellation);
        await transaction.CommitAsync(cancellation);
    }
}

public class AuditInput : NetCoreInput
{
    [Description("rebuild: empty the audit log and project it again from every event (run it with the service stopped)")]
    public string Action { get; set; } = "";

    [Description("How long the rebuild may take, in minutes")]
    [FlagAlias("timeout-minutes")]
    public int TimeoutMinutesFlag { get; set; } = 30;
}

/// <summary><c>dotnet run --project src/RaffsSync.Api -- audit rebuild</c></summary>
[Description("Rebuilds the append-only audit log (needs the table owner's rights)")]
public class AuditCommand : JasperFxAsyncCommand<AuditInput>
{
    public override async Task<bool> Execute(AuditInput input)
    {
        if (input.Action != "rebuild")
        {
            Console.Error.WriteLine("Usage: audit rebuild [--timeout-minutes 30]");
            return false;
        }

        using var host = input.BuildHost();
        var store = host.Services.GetRequiredService<IDocumentStore>();
        await store.Storage.ApplyAllConfiguredChangesToDatabaseAsync();
        var daemon = await store.BuildProjectionDaemonAsync();
        await AuditLogRebuild.EmptyAsync(store, daemon, CancellationToken.None);
        // Runs every async projection and subscription up to the newest event, then stops.
        var rebuilding = Stopwatch.StartNew();
        await daemon.CatchUpAsync(TimeSpan.FromMinutes(input.TimeoutMinutesFlag), CancellationToken.None);
        var elapsed = rebuilding.Elapsed;

        await using var session = store.QuerySession();
        var table = AuditLogTable.Qualified(store.Options.DatabaseSchemaName);
        var entries = (await session.QueryAsync<long>($"select count(*) from {table}")).Single();
        var last = (await session.QueryAsync<long>($"select coalesce(max(sequence), 0) from {table}")).Single();
        Console.WriteLine($"Audit log rebuilt: {entries} entries up to sequence {last} in {elapsed.TotalSeconds:0.0} s " +
            $"({entries / Math.Max(elapsed.TotalSeconds, 0.001):0} events/s). Check it with GET /api/v1/audit/verify.");
        return true;
    }
}
