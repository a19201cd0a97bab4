namespace RaffsSync.Domain.Registry;

public static class RouteDecisions
{
    /// <summary>
    /// Define (no current route, no expected version) or revise (expected version equals the
    /// current one). Writing the current definition again changes nothing, so re-imports are free.
    /// </summary>
    public static Decision Put(Route? current, string provider, string routeKey, RouteDefinition definition,
        int? expectedVersion, DateTimeOffset now)
    {
        if (current is null)
        {
            return expectedVersion is null or 0
                ? new Decision.Append([new RouteDefined(provider, routeKey, 1, definition, now)])
                : new Decision.Conflict("version_conflict",
                    $"Route '{provider}/{routeKey}' does not exist yet; omit 'version' to create it.");
        }

        if (current.Retired)
            return new Decision.Conflict("conflict", $"Route '{provider}/{routeKey}' is retired and cannot be revised.");

        if (expectedVersion is null)
            return new Decision.Conflict("version_conflict",
                $"Route '{provider}/{routeKey}' exists at version {current.CurrentVersion}; send that as 'version' (or If-Match) to revise it.");

        if (expectedVersion != current.CurrentVersion)
            return new Decision.Conflict("version_conflict",
                $"Route '{provider}/{routeKey}' is at version {current.CurrentVersion}, not {expectedVersion}; read it again and reapply your change.");

        return Equals(Canonical(current.Current), Canonical(definition))
            ? new Decision.Append([])
            : new Decision.Append([new RouteRevised(provider, routeKey, current.CurrentVersion + 1, definition, now)]);
    }

    public static Decision SetEnabled(Route route, bool enabled, DateTimeOffset now) =>
        route.Retired ? new Decision.Conflict("conflict", $"Route '{route.Provider}/{route.RouteKey}' is retired.")
        : route.Enabled == enabled ? new Decision.Append([])
        : new Decision.Append([enabled
            ? new RouteEnabled(route.Provider, route.RouteKey, now)
            : new RouteDisabled(route.Provider, route.RouteKey, now)]);

    public static Decision.Append Retire(Route route, DateTimeOffset now) =>
        new(route.Retired ? [] : [new RouteRetired(route.Provider, route.RouteKey, now)]);

    // Records compare collections by reference; compare by content through JSON instead.
    private static string Canonical(RouteDefinition definition) => System.Text.Json.JsonSerializer.Serialize(definition);
}

public static class ProviderDecisions
{
    public static Decision Register(Provider? existing, ProviderRegistered registered) =>
        AlreadyRegistered(existing, registered.Key) ?? (Decision)new Decision.Append([registered]);

    /// <summary>Why a provider with this key cannot be registered (it exists), or null when it can.</summary>
    public static Decision.Conflict? AlreadyRegistered(Provider? existing, string key) =>
        existing is null ? null : new Decision.Conflict("conflict", $"Provider '{key}' already exists; PUT /api/v1/providers/{key} changes it.");

    public static Decision Change(Provider existing, ProviderChanged changed) =>
        existing.Retired
            ? new Decision.Conflict("conflict", $"Provider '{existing.Key}' is retired and cannot be changed.")
            : existing.Name == changed.Name && existing.AuthKind == changed.AuthKind
            && existing.InboundSignature == changed.InboundSignature
            && existing.Inbound == changed.Inbound
            && existing.BaseUrls.Count == changed.BaseUrls.Count
            && existing.BaseUrls.All(b => changed.BaseUrls.TryGetValue(b.Key, out var url) && url == b.Value)
            ? new Decision.Append([])
            : new Decision.Append([changed]);

    public static Decision.Append Retire(Provider existing, DateTimeOffset now) =>
        new(existing.Retired ? [] : [new ProviderRetired(existing.Key, now)]);
}
