using System.Text.Json;
using JasperFx.Events;
using Marten;
using RaffsSync.Domain;
using RaffsSync.Domain.Registry;
using Route = RaffsSync.Domain.Registry.Route;

namespace RaffsSync.Api.Registry;

/// <summary>What an import did to one route.</summary>
/// <param name="RouteKey">The route's key.</param>
/// <param name="Result"><c>defined</c>, <c>revised</c> or <c>unchanged</c>.</param>
/// <param name="Version">Its version after the import.</param>
public sealed record RouteImportResult(string RouteKey, string Result, int Version);

/// <summary>What an import did.</summary>
/// <param name="Provider">The provider's key.</param>
/// <param name="ProviderResult"><c>registered</c>, <c>changed</c> or <c>unchanged</c>.</param>
/// <param name="Routes">Each route of the pack.</param>
public sealed record RoutePackImportResult(string Provider, string ProviderResult, IReadOnlyList<RouteImportResult> Routes);

/// <summary>
/// A route pack (<c>routes/*.json</c>): one provider and its routes, written as the registry API
/// would write them. Everything is validated before anything is appended, and a pack that matches
/// what is stored appends nothing, so importing is safe to repeat.
/// </summary>
public static class RoutePackImporter
{
    /// <summary>Validates and imports a pack; with <paramref name="egress"/>, literal-IP base URLs must be ones provider calls may reach.</summary>
    public static async Task<(RoutePackImportResult? Result, IReadOnlyList<FieldError> Errors)> ImportAsync(
        IDocumentSession session, JsonElement pack, JsonSerializerOptions json, DateTimeOffset now, CancellationToken cancellation,
        EgressRules? egress = null)
    {
        if (pack.ValueKind != JsonValueKind.Object || !pack.TryGetProperty("provider", out var providerJson)
            || !pack.TryGetProperty("routes", out var routesJson) || routesJson.ValueKind != JsonValueKind.Object)
            return (null, [new FieldError("body", "invalid", "a pack is {\"provider\": {...}, \"routes\": {\"route_key\": {...}}}")]);

        ProviderInput? provider;
        List<FieldError> errors;
        try
        {
            provider = providerJson.Deserialize<ProviderInput>(json);
            errors = ProviderValidation.Validate(provider?.Key, provider?.Name, provider?.AuthKind, provider?.BaseUrls, egress,
                    provider?.Inbound, provider?.InboundSignature)
                .Select(e => e with { Field = $"provider.{e.Field}" }).ToList();
        }
        catch (JsonException e)
        {
            provider = null;
            errors = [ApiJson.WrongType(e, "provider")];
        }

        var routes = new List<(string Key, RouteDefinition Definition)>();
        foreach (var route in routesJson.EnumerateObject())
        {
            var parsed = RouteBody.Parse(route.Value, json, route.Name);
            if (!RouteValidation.IsValidKey(route.Name)) errors.Add(new($"routes.{route.Name}", "invalid", "not a valid route key"));
            errors.AddRange(parsed.Errors.Select(e => e with { Field = $"routes.{route.Name}.{e.Field}" }));
            if (parsed.Definition is not null) routes.Add((route.Name, parsed.Definition));
        }
        if (errors.Count > 0) return (null, errors);

        var routeKeys = routes.Select(r => r.Key).ToHashSet();
        foreach (var (routeKey, definition) in routes)
        {
            if (await RouteEndpoints.ReconcileTargetProblem(session, provider!.Key!, definition, cancellation, routeKeys) is { } problem)
                errors.Add(problem with { Field = $"routes.{routeKey}.{problem.Field}" });
        }
        if (errors.Count > 0) return (null, errors);

        // Decide everything before appending anything: a conflict anywhere leaves the registry untouched. Not [WriteAggregate]:
        // a pack writes one provider stream and any number of route streams in one transaction, and the CLI (RoutesCommand)
        // imports through this same code without Wolverine.
        var providerStream = await session.Events.FetchForWriting<Provider>(RegistryIds.Provider(provider!.Key!), cancellation);
        var providerDecision = DecideProvider(providerStream.Aggregate, provider, now);
        var routeDecisions = new List<(string Key, IEventStream<Route> Stream, Decision Decision)>();
        foreach (var (routeKey, definition) in routes)
        {
            var stream = await session.Events.FetchForWriting<Route>(RegistryIds.Route(provider.Key!, routeKey), cancellation);
            routeDecisions.Add((routeKey, stream,
                RouteDecisions.Put(stream.Aggregate, provider.Key!, routeKey, definition, stream.Aggregate?.CurrentVersion, now)));
        }

        var conflicts = routeDecisions
            .Select(r => r.Decision is Decision.Conflict conflict ? new FieldError($"routes.{r.Key}", "conflict", conflict.Message) : null)
            .Prepend(providerDecision is Decision.Conflict c ? new FieldError("provider", "conflict", c.Message) : null)
            .OfType<FieldError>().ToList();
        if (conflicts.Count > 0) return (null, conflicts);

        var providerEvents = EventsOf(providerDecision);
        providerStream.AppendMany(providerEvents);
        var results = new List<RouteImportResult>();
        foreach (var (routeKey, stream, decision) in routeDecisions)
        {
            var events = EventsOf(decision);
            stream.AppendMany(events);
            results.Add(new RouteImportResult(routeKey,
                events switch { [RouteDefined] => "defined", [RouteRevised] => "revised", _ => "unchanged" },
                (stream.Aggregate?.CurrentVersion ?? 0) + events.Count));
        }

        var providerResult = providerEvents switch { [ProviderRegistered] => "registered", [ProviderChanged] => "changed", _ => "unchanged" };
        return (new RoutePackImportResult(provider.Key!, providerResult, results), []);
    }

    private static IReadOnlyList<object> EventsOf(Decision decision) => decision is Decision.Append append ? append.Events : [];

    private static Decision DecideProvider(Provider? existing, ProviderInput input, DateTimeOffset now)
    {
        var baseUrls = ProviderEndpoints.BaseUrls(input.BaseUrls!);
        var authKind = input.AuthKind ?? "none";
        return existing is null
            ? ProviderDecisions.Register(null, new ProviderRegistered(input.Key!, input.Name!, authKind, baseUrls, now, input.InboundSignature, input.Inbound))
            : ProviderDecisions.Change(existing, new ProviderChanged(input.Key!, input.Name!, authKind, baseUrls, now, input.InboundSignature, input.Inbound));
    }
}
