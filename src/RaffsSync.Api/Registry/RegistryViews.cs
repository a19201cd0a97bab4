using RaffsSync.Domain;
using RaffsSync.Domain.Registry;
using Route = RaffsSync.Domain.Registry.Route;

namespace RaffsSync.Api.Registry;

/// <summary>A registered provider.</summary>
/// <param name="Key">Its key, used in paths and dispatches.</param>
/// <param name="Name">A name for people.</param>
/// <param name="AuthKind">What its connections hold: <c>none</c>, <c>bearer</c>, <c>api_key</c>, <c>basic</c> or <c>oauth2_client_credentials</c>.</param>
/// <param name="InboundSignature">The shorthand for how events it pushes are signed, as written (<c>hmac-sha256:X-Signature</c>).</param>
/// <param name="BaseUrls">Its base URL per environment (<c>sandbox</c>, <c>production</c>).</param>
/// <param name="Status"><c>active</c> or <c>retired</c>.</param>
/// <param name="CreatedAt">When it was registered.</param>
/// <param name="UpdatedAt">When it last changed.</param>
/// <param name="Inbound">How events it pushes are verified and read, as written; null when it has no <c>inbound</c> object (<c>inbound_signature</c> may then stand for one).</param>
public sealed record ProviderView(
    string Key,
    string Name,
    string AuthKind,
    string? InboundSignature,
    IReadOnlyDictionary<string, string> BaseUrls,
    string Status,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt,
    InboundSettings? Inbound = null)
{
    public static ProviderView From(Provider p) => new(p.Key, p.Name, p.AuthKind, p.InboundSignature,
        p.BaseUrls.ToDictionary(b => b.Key.ToString().ToLowerInvariant(), b => b.Value),
        p.Retired ? "retired" : "active", p.CreatedAt, p.UpdatedAt, p.Inbound);
}

/// <summary>A route as it is now.</summary>
/// <param name="Provider">The provider's key.</param>
/// <param name="RouteKey">The route's key.</param>
/// <param name="Version">The current version (1 when defined; each revision adds one). Send it back to revise the route.</param>
/// <param name="Status"><c>enabled</c>, <c>disabled</c> or <c>retired</c>.</param>
/// <param name="Definition">The current definition.</param>
/// <param name="UpdatedAt">When it last changed (a definition or its status).</param>
public sealed record RouteView(
    string Provider,
    string RouteKey,
    int Version,
    string Status,
    RouteDefinition Definition,
    DateTimeOffset UpdatedAt)
{
    public static RouteView From(Route r) =>
        new(r.Provider, r.RouteKey, r.CurrentVersion, r.Status, r.Current, r.UpdatedAt);
}

/// <summary>One version of a route.</summary>
/// <param name="Version">The version, from 1.</param>
/// <param name="Definition">The definition as it was written.</param>
/// <param name="DefinedAt">When it was written.</param>
/// <param name="DefinedBy">Who wrote it: the API key's or OAuth client's id, or <c>raffssync:built-in</c> / <c>raffssync:cli</c> for imports.</param>
/// <param name="RequestId">The X-Request-Id of the request that wrote it.</param>
public sealed record RouteVersionView(int Version, RouteDefinition Definition, DateTimeOffset DefinedAt, string? DefinedBy, string? RequestId)
{
    public static RouteVersionView From(RouteVersion v) => new(v.Version, v.Definition, v.DefinedAt, v.DefinedBy, v.RequestId);
}
