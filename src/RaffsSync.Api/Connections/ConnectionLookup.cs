using System.Linq.Expressions;
using Marten;
using Marten.Services.BatchQuerying;
using RaffsSync.Domain;
using RaffsSync.Domain.Connections;

namespace RaffsSync.Api.Connections;

public static class ConnectionLookup
{
    /// <summary>The location's active connection to a provider in one environment (at most one exists).</summary>
    public static Task<Connection?> FindActiveAsync(IQuerySession session, string tenantId, string provider,
        ProviderEnvironment environment, CancellationToken cancellation) =>
        session.Query<Connection>().Where(ActiveFor(tenantId, provider, environment)).FirstOrDefaultAsync(cancellation);

    /// <summary><see cref="FindActiveAsync"/> as part of a batch, answered when the batch executes.</summary>
    public static Task<Connection?> FindActive(IBatchedQuery batch, string tenantId, string provider,
        ProviderEnvironment environment) =>
        batch.Query<Connection>().Where(ActiveFor(tenantId, provider, environment)).FirstOrDefault()!;

    private static Expression<Func<Connection, bool>> ActiveFor(string tenantId, string provider, ProviderEnvironment environment) =>
        c => c.AnyTenant() && c.TenantId == tenantId && c.Provider == provider && c.Environment == environment && c.Active;

    public static Task<Connection?> FindAsync(IQuerySession session, string tenantId, Guid id, CancellationToken cancellation) =>
        session.Query<Connection>().Where(c => c.AnyTenant() && c.TenantId == tenantId && c.Id == id).FirstOrDefaultAsync(cancellation);

    /// <summary>A connection by id alone, whichever location it belongs to (for pushes, whose URL names only the connection).</summary>
    public static Task<Connection?> FindAnyTenantAsync(IQuerySession session, Guid id, CancellationToken cancellation) =>
        session.Query<Connection>().Where(c => c.AnyTenant() && c.Id == id).FirstOrDefaultAsync(cancellation);

    public static async Task<IReadOnlyDictionary<string, string>> CredentialsAsync(IQuerySession session, SecretVault vault,
        Connection connection, CancellationToken cancellation)
    {
        var secret = await session.Query<ConnectionSecret>()
            .Where(s => s.AnyTenant() && s.Id == connection.Id).FirstOrDefaultAsync(cancellation);
        return secret is null ? new Dictionary<string, string>() : vault.Open(connection.Id, secret.Sealed);
    }
}
