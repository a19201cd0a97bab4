namespace RaffsSync.Domain.Registry;

public sealed record ProviderRegistered(
    string Key,
    string Name,
    string AuthKind,
    IReadOnlyDictionary<ProviderEnvironment, string> BaseUrls,
    DateTimeOffset RegisteredAt,
    string? InboundSignature = null,
    InboundSettings? Inbound = null);

public sealed record ProviderChanged(
    string Key,
    string Name,
    string AuthKind,
    IReadOnlyDictionary<ProviderEnvironment, string> BaseUrls,
    DateTimeOffset ChangedAt,
    string? InboundSignature = null,
    InboundSettings? Inbound = null);

/// <summary>Version 1 of a route.</summary>
public sealed record RouteDefined(
    string Provider,
    string RouteKey,
    int Version,
    RouteDefinition Definition,
    DateTimeOffset DefinedAt);

/// <summary>A new version of a route; dispatches accepted earlier keep the version they pinned.</summary>
public sealed record RouteRevised(
    string Provider,
    string RouteKey,
    int Version,
    RouteDefinition Definition,
    DateTimeOffset RevisedAt);

/// <summary>For good: a retired provider takes no new dispatches and no route changes. Its history stays.</summary>
public sealed record ProviderRetired(string Key, DateTimeOffset RetiredAt);

/// <summary>For good: a retired route takes no new dispatches and cannot be revised or enabled again.</summary>
public sealed record RouteRetired(string Provider, string RouteKey, DateTimeOffset RetiredAt);

public sealed record RouteDisabled(string Provider, string RouteKey, DateTimeOffset DisabledAt);

public sealed record RouteEnabled(string Provider, string RouteKey, DateTimeOffset EnabledAt);
