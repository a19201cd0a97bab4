using System.Security.Cryptography;

namespace RaffsSync.Domain.Access;

/// <summary>An OAuth2 client (RFC 6749 section 4.4) that trades its id and secret for short-lived access tokens.</summary>
public sealed record OAuthClientRegistered(
    Guid StreamId,
    string ClientId,
    string SecretHash,
    string Name,
    CallerClass CallerClass,
    IReadOnlyList<string> Scopes,
    string? CustomerId,
    IReadOnlyList<string> Locations,
    ProviderEnvironment Environment,
    DateTimeOffset RegisteredAt,
    string? Provider = null,
    DateTimeOffset? ExpiresAt = null);

public sealed record OAuthClientRevoked(Guid StreamId, DateTimeOffset RevokedAt);

public sealed record OAuthClient
{
    public Guid Id { get; init; }
    public string ClientId { get; init; } = "";
    public string SecretHash { get; init; } = "";
    public string Name { get; init; } = "";
    public CallerClass CallerClass { get; init; }
    public IReadOnlyList<string> Scopes { get; init; } = [];
    public string? CustomerId { get; init; }
    public IReadOnlyList<string> Locations { get; init; } = [];
    public ProviderEnvironment Environment { get; init; }
    public string? Provider { get; init; }
    public DateTimeOffset RegisteredAt { get; init; }
    /// <summary>After this the client gets no tokens and its tokens stop working; null never expires.</summary>
    public DateTimeOffset? ExpiresAt { get; init; }
    public DateTimeOffset? RevokedAt { get; init; }

    public bool IsExpiredAt(DateTimeOffset now) => ExpiresAt is { } expires && expires <= now;

    public static OAuthClient Create(OAuthClientRegistered e) => new()
    {
        Id = e.StreamId, ClientId = e.ClientId, SecretHash = e.SecretHash, Name = e.Name, CallerClass = e.CallerClass,
        Scopes = e.Scopes, CustomerId = e.CustomerId, Locations = e.Locations, Environment = e.Environment, Provider = e.Provider, RegisteredAt = e.RegisteredAt,
        ExpiresAt = e.ExpiresAt
    };

    public OAuthClient Apply(OAuthClientRevoked e) => this with { RevokedAt = e.RevokedAt };

    /// <summary>Registers a client: the event (secret hashed) and the secret to show once.</summary>
    public static (OAuthClientRegistered Registered, string Secret) Register(ApiKeyRequest request, DateTimeOffset now)
    {
        var streamId = Guid.CreateVersion7(now);
        var secret = "rss_" + RandomNumberGenerator.GetString("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz", 40);
        return (new OAuthClientRegistered(streamId, "rsc_" + streamId.ToString("N"), ApiKeySecret.Hash(secret), request.Name,
            request.CallerClass, request.Scopes.Distinct().ToArray(), request.CustomerId, (request.Locations ?? []).Distinct().ToArray(),
            request.Environment, now, request.Provider, request.ExpiresAt), secret);
    }

    /// <summary>
    /// The scopes a token gets: those asked for (space-separated, RFC 6749 section 3.3), all of them
    /// held by the client; none asked means all it holds. Null when it asks for one it does not hold.
    /// </summary>
    public IReadOnlyList<string>? GrantScopes(string? requested)
    {
        if (string.IsNullOrWhiteSpace(requested)) return Scopes;
        var asked = requested.Split(' ', StringSplitOptions.RemoveEmptyEntries).Distinct().ToArray();
        return asked.All(Scopes.Contains) ? asked : null;
    }

    public bool Verify(string secret) =>
        CryptographicOperations.FixedTimeEquals(Convert.FromHexString(SecretHash), Convert.FromHexString(ApiKeySecret.Hash(secret)));
}
