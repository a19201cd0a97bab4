using System.Net.Sockets;
using Npgsql;

namespace RaffsSync.Api.Infrastructure.Postgres;

/// <summary>
/// Failures that say PostgreSQL is (for now) out of reach, not that the request or the data is
/// wrong: worth retrying later. Marten and Wolverine wrap them, so the whole chain is searched.
/// </summary>
public static class DatabaseFailures
{
    public static bool IsTransient(Exception exception)
    {
        for (var e = exception; e is not null; e = e.InnerException)
        {
            switch (e)
            {
                case PostgresException postgres when IsTransientState(postgres.SqlState):
                case NpgsqlException { IsTransient: true }:
                case SocketException:
                case TimeoutException:
                // A connection broken mid-transaction leaves Npgsql's objects disposed under the caller.
                case ObjectDisposedException disposed when disposed.ObjectName?.StartsWith("Npgsql", StringComparison.Ordinal) == true:
                    return true;
                case AggregateException aggregate when aggregate.InnerExceptions.Any(IsTransient):
                    return true;
            }
        }
        return false;
    }

    // 08: connection exception; 57P01-57P03: the server is shutting down or starting;
    // 53: insufficient resources; 40001/40P01: serialization failure, deadlock.
    private static bool IsTransientState(string state) =>
        state.StartsWith("08", StringComparison.Ordinal) || state.StartsWith("57P", StringComparison.Ordinal)
        || state.StartsWith("53", StringComparison.Ordinal) || state is "40001" or "40P01";
}
