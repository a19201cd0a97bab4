using RaffsSync.Domain;
using RaffsSync.Domain.Registry;
using Route = RaffsSync.Domain.Registry.Route;

namespace RaffsSync.Api.Registry;

public sealed record ProviderView(
    string Key,
    string Name,
    string AuthKind,
    string? InboundSignature,
    IReadOnlyDictionary<string, string> BaseUrls,
    string Status,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt)
{
    public static ProviderView From(Provider p) => new(p.Key, p.Name, p.AuthKind, p.InboundSignature,
        p.BaseUrls.ToDictionary(b => b.Key.ToString().ToLowerInvariant(), b => b.Value),
        p.Retired ? "retired" : "active", p.CreatedAt, p.UpdatedAt);
}

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

public sealed record RouteVersionView(int Version, RouteDefinition Definition, DateTimeOffset DefinedAt, string? DefinedBy, string? RequestId)
{
    public static RouteVersionView From(RouteVersion v) => new(v.Version, v.Definition, v.DefinedAt, v.DefinedBy, v.RequestId);
}
