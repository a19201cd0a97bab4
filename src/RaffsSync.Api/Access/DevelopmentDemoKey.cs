using Marten;
using RaffsSync.Api.Infrastructure.Postgres;
using RaffsSync.Domain;
using RaffsSync.Domain.Access;

namespace RaffsSync.Api.Access;

/// <summary>
/// In development on the local cluster, prints a ready internal sandbox key at start. The secret is
/// kept in the local cluster's git-ignored directory (<c>.local/postgres/demo-key.txt</c> by default), so restarts reuse it.
/// </summary>
public sealed class DevelopmentDemoKey(
    IDocumentStore store, DatabaseConnection database, IConfiguration configuration, TimeProvider clock,
    ILogger<DevelopmentDemoKey> logger) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        _ = database.ConnectionString; // make sure the local cluster decision has been made
        if (!database.IsLocalCluster) return;

        var file = configuration["RaffsSync:DemoKeyFile"]
            ?? LocalFiles.PathFor(database.LocalDirectory!, "demo-key.txt");

        var secret = File.Exists(file) ? (await File.ReadAllTextAsync(file, cancellationToken)).Trim() : null;
        if (secret is null || !await IsActive(secret, cancellationToken))
        {
            secret = await ApiKeyStore.CreateAsync(store,
                new ApiKeyRequest("development demo", ProviderEnvironment.Sandbox, CallerClass.Internal, Scopes.All, null, []),
                clock, cancellationToken);
            LocalFiles.WritePrivate(file, secret);
        }

        // Deliberately printed: this is a local, development-only sandbox key for the walk-through.
        logger.LogWarning("Development demo API key (internal, sandbox, all scopes): {DemoKey}", secret);
    }

    private async Task<bool> IsActive(string secret, CancellationToken cancellation)
    {
        await using var session = store.QuerySession();
        var hash = ApiKeySecret.Hash(secret);
        return await session.Query<ApiKey>().AnyAsync(k => k.SecretHash == hash && k.RevokedAt == null, cancellation);
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
