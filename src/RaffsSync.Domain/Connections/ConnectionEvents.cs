namespace RaffsSync.Domain.Connections;

/// <summary>A credential's name and a keyed fingerprint of its value: enough to tell values apart, never the value.</summary>
public sealed record CredentialFingerprint(string Name, string Fingerprint);

/// <summary>A location connected to a provider in one environment. Credentials live encrypted outside the event store.</summary>
public sealed record ConnectionCreated(
    Guid ConnectionId,
    string TenantId,
    string Provider,
    ProviderEnvironment Environment,
    IReadOnlyDictionary<string, string> Settings,
    IReadOnlyList<CredentialFingerprint> Credentials,
    DateTimeOffset CreatedAt);

public sealed record ConnectionSettingsChanged(Guid ConnectionId, IReadOnlyDictionary<string, string> Settings, DateTimeOffset ChangedAt);

public sealed record ConnectionCredentialsRotated(Guid ConnectionId, IReadOnlyList<CredentialFingerprint> Credentials, DateTimeOffset RotatedAt);

public sealed record ConnectionRemoved(Guid ConnectionId, DateTimeOffset RemovedAt);
