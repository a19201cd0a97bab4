using RaffsSync.Domain.Connections;

namespace RaffsSync.Api.Connections;

/// <summary>A connection as the API shows it: credentials only as names and fingerprints.</summary>
public sealed record ConnectionView(
    Guid Id,
    string TenantId,
    string Provider,
    string Environment,
    string Status,
    IReadOnlyDictionary<string, string> Settings,
    IReadOnlyList<CredentialFingerprint> Credentials,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt)
{
    public static ConnectionView From(Connection c) => new(c.Id, c.TenantId, c.Provider,
        c.Environment.ToString().ToLowerInvariant(), c.Active ? "active" : "removed", c.Settings, c.Credentials, c.CreatedAt, c.UpdatedAt);
}
