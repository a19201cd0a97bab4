namespace RaffsSync.Api.Connections;

/// <summary>
/// Fails the start, with the message that says what to set, when no secrets key can be had:
/// better than the first stored credential or access token failing at run time.
/// </summary>
public sealed class SecretsCheck(SecretVault vault) : IHostedService
{
    /// <summary>Registers the check ahead of every other hosted service, so nothing is migrated or started without a key.</summary>
    public static void AddTo(IServiceCollection services) =>
        services.Insert(0, ServiceDescriptor.Singleton<IHostedService, SecretsCheck>());

    public Task StartAsync(CancellationToken cancellationToken)
    {
        _ = vault.DeriveKey("raffssync/start-up-check");
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
