using Marten;
using Marten.Services;
using Npgsql;

namespace RaffsSync.Api.Infrastructure.Postgres;

/// <summary>
/// What Marten logs about its commands. Its default logger writes every failed command with all of its
/// parameter values (event bodies, payloads) and a stack trace, at Error, even when the failure is a
/// lost race the API answers with a 409. Here a failure is one line with the SQL state, never the
/// parameters; lost races (unique violations, stream version mismatches) are Debug, other failures Warning
/// (the caller's own handling logs what it does about them).
/// </summary>
public sealed class MartenFailureLog(ILogger logger) : IMartenLogger, IMartenSessionLogger
{
    private static readonly HashSet<string> LostRaces = ["23505", "MT003", "40001", "40P01"];

    public IMartenSessionLogger StartSession(IQuerySession session) => this;

    public void SchemaChange(string sql) => logger.LogInformation("Marten changed the schema: {Sql}", sql);

    public void LogSuccess(NpgsqlCommand command) { }

    public void LogSuccess(NpgsqlBatch batch) { }

    public void LogFailure(NpgsqlCommand command, Exception ex) => Failed(ex);

    public void LogFailure(NpgsqlBatch batch, Exception ex) => Failed(ex);

    public void LogFailure(Exception ex, string message) => Failed(ex);

    public void RecordSavedChanges(IDocumentSession session, IChangeSet commit) { }

    public void OnBeforeExecute(NpgsqlCommand command) { }

    public void OnBeforeExecute(NpgsqlBatch batch) { }

    private void Failed(Exception ex)
    {
        var state = ex.Find<PostgresException>()?.SqlState;
        var level = state is not null && LostRaces.Contains(state) ? LogLevel.Debug : LogLevel.Warning;
        logger.Log(level, "A Marten command failed: {ExceptionType} {SqlState}", ex.GetType().Name, state ?? "(no SQL state)");
    }
}
