namespace RaffsSync.Domain.Registry;

public sealed record ProviderRegistered(
    string Key,
    string Name,
    string AuthKind,
    IReadOnlyDictionary<ProviderEnvironment, string> BaseUrls,
    DateTimeOffset RegisteredAt);

public sealed record RouteDefined(
    string Provider,
    string RouteKey,
    int Version,
    RouteDefinition Definition,
    DateTimeOffset DefinedAt);
