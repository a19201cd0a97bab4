namespace RaffsSync.Domain.Registry;

/// <summary>A provider operation with every version it has had; dispatches pin one version.</summary>
public sealed record Route
{
    public Guid Id { get; init; }
    public string Provider { get; init; } = "";
    public string RouteKey { get; init; } = "";
    public int Version { get; init; }
    public bool Enabled { get; init; } = true;
    public IReadOnlyList<RouteDefinition> Versions { get; init; } = [];

    public RouteDefinition Current => Versions[^1];

    public RouteDefinition? AtVersion(int version) =>
        version >= 1 && version <= Versions.Count ? Versions[version - 1] : null;

    public static Route Create(RouteDefined e) => new()
    {
        Id = RegistryIds.Route(e.Provider, e.RouteKey),
        Provider = e.Provider,
        RouteKey = e.RouteKey,
        Version = e.Version,
        Versions = [e.Definition]
    };
}
