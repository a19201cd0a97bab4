namespace RaffsSync.Domain.Registry;

/// <summary>Who made a registry change and from which request (the event's metadata).</summary>
public sealed record ChangeSource(string? Author, string? RequestId);

public sealed record RouteVersion(int Version, RouteDefinition Definition, DateTimeOffset DefinedAt, string? DefinedBy, string? RequestId);

/// <summary>A provider operation with every version it has had; dispatches pin one version.</summary>
public sealed record Route
{
    public Guid Id { get; init; }
    public string Provider { get; init; } = "";
    public string RouteKey { get; init; } = "";
    /// <summary>The route's current version. (Not named Version: Marten would fill that with the stream version.)</summary>
    public int CurrentVersion { get; init; }
    public bool Enabled { get; init; } = true;
    public bool Retired { get; init; }

    public string Status => Retired ? "retired" : Enabled ? "enabled" : "disabled";
    public DateTimeOffset UpdatedAt { get; init; }
    public IReadOnlyList<RouteVersion> Versions { get; init; } = [];

    public RouteDefinition Current => Versions[^1].Definition;

    public RouteDefinition? AtVersion(int version) =>
        version >= 1 && version <= Versions.Count ? Versions[version - 1].Definition : null;

    public static Route Create(RouteDefined e, ChangeSource source) => new()
    {
        Id = RegistryIds.Route(e.Provider, e.RouteKey),
        Provider = e.Provider,
        RouteKey = e.RouteKey,
        CurrentVersion = e.Version,
        UpdatedAt = e.DefinedAt,
        Versions = [new RouteVersion(e.Version, e.Definition, e.DefinedAt, source.Author, source.RequestId)]
    };

    public Route Apply(RouteRevised e, ChangeSource source) => this with
    {
        CurrentVersion = e.Version,
        UpdatedAt = e.RevisedAt,
        Versions = [.. Versions, new RouteVersion(e.Version, e.Definition, e.RevisedAt, source.Author, source.RequestId)]
    };

    /// <summary>The route after one more of its events; what the projection stores, for answering before commit.</summary>
    public static Route Evolve(Route? current, object e, ChangeSource source) => e switch
    {
        RouteDefined defined => Create(defined, source),
        RouteRevised revised => current!.Apply(revised, source),
        RouteDisabled disabled => current!.Apply(disabled),
        RouteEnabled enabled => current!.Apply(enabled),
        RouteRetired retired => current!.Apply(retired),
        _ => throw new ArgumentOutOfRangeException(nameof(e), e.GetType().Name, "not a route event")
    };

    public Route Apply(RouteDisabled e) => this with { Enabled = false, UpdatedAt = e.DisabledAt };

    public Route Apply(RouteEnabled e) => this with { Enabled = true, UpdatedAt = e.EnabledAt };

    public Route Apply(RouteRetired e) => this with { Enabled = false, Retired = true, UpdatedAt = e.RetiredAt };
}
