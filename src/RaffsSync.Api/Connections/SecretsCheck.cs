namespace RaffsSync.Api.Connections;

/// <summary>
/// Fails the start, with the message that says what to set, when no secrets key can be had:
/// better than the first stored credential or access token failing at run time.
/// </summary>
public sealed class SecretsCheck(SecretVault vault) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        _ = vault.DeriveKey("raffssync/start-up-check");
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
