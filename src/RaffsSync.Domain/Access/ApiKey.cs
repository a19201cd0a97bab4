namespace RaffsSync.Domain.Access;

public sealed record ApiKey
{
    public Guid Id { get; init; }
    public string Name { get; init; } = "";
    public string DisplayPrefix { get; init; } = "";
    public string SecretHash { get; init; } = "";
    public ProviderEnvironment Environment { get; init; }
    public CallerClass CallerClass { get; init; }
    public IReadOnlyList<string> Scopes { get; init; } = [];
    public string? CustomerId { get; init; }
    /// <summary>Locations (tenant ids) a customer or partner key may act for; internal keys reach every location.</summary>
    public IReadOnlyList<string> Locations { get; init; } = [];
    public DateTimeOffset CreatedAt { get; init; }
    public DateTimeOffset? ExpiresAt { get; init; }
    /// <summary>For partner keys: the provider they act for.</summary>
    public string? Provider { get; init; }
    public DateTimeOffset? RevokedAt { get; init; }

    public bool IsActive => RevokedAt is null;

    public bool IsExpiredAt(DateTimeOffset now) => ExpiresAt is { } expires && expires <= now;

    public static ApiKey Create(ApiKeyCreated e) => new()
    {
        Id = e.KeyId,
        Name = e.Name,
        DisplayPrefix = e.DisplayPrefix,
        SecretHash = e.SecretHash,
        Environment = e.Environment,
        CallerClass = e.CallerClass,
        Scopes = e.Scopes,
        CustomerId = e.CustomerId,
        Locations = e.Locations,
        CreatedAt = e.CreatedAt,
        ExpiresAt = e.ExpiresAt,
        Provider = e.Provider
    };

    public ApiKey Apply(ApiKeyRevoked e) => this with { RevokedAt = e.RevokedAt };
}
