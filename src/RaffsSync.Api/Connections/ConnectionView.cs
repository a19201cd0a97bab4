using RaffsSync.Domain.Connections;

namespace RaffsSync.Api.Connections;

/// <summary>A connection as the API shows it: credentials only as names and fingerprints.</summary>
/// <param name="Id">The connection's id.</param>
/// <param name="TenantId">The location it belongs to.</param>
/// <param name="Provider">The provider's key.</param>
/// <param name="Environment"><c>sandbox</c> or <c>production</c>.</param>
/// <param name="Status"><c>active</c>, or <c>removed</c> once deleted.</param>
/// <param name="Settings">Values by name that routes read as <c>{{connection.settings.name}}</c>.</param>
/// <param name="Credentials">Each credential's name and a keyed fingerprint of its value (the same value, the same fingerprint); never the value.</param>
/// <param name="CreatedAt">When it was created.</param>
/// <param name="UpdatedAt">When its settings or credentials last changed, or it was removed.</param>
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
