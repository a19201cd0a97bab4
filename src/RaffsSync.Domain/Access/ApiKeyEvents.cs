namespace RaffsSync.Domain.Access;

/// <summary>A key was issued. Only the SHA-256 of the secret is kept; the secret itself was shown once.</summary>
public sealed record ApiKeyCreated(
    Guid KeyId,
    string Name,
    string DisplayPrefix,
    string SecretHash,
    ProviderEnvironment Environment,
    CallerClass CallerClass,
    IReadOnlyList<string> Scopes,
    string? CustomerId,
    IReadOnlyList<string> Locations,
    DateTimeOffset CreatedAt,
    DateTimeOffset? ExpiresAt = null,
    string? Provider = null);

public sealed record ApiKeyRevoked(Guid KeyId, DateTimeOffset RevokedAt);
